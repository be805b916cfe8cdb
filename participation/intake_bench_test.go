package participation_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/participation"
)

// BenchmarkBallotIntake measures ballots stored per second, each durable
// (committed with fsync and synchronous_commit on, as `ratusz serve` runs
// the embedded cluster) before it is acknowledged. Unlike the tests, it
// runs its own cluster with PostgreSQL's default durability. 32 residents
// cast at once, each ballot through the whole service: the edition's rules,
// the voter row, the ballot row, one commit.
func BenchmarkBallotIntake(b *testing.B) {
	ctx := context.Background()
	dir := testdb.TempDir(b)
	cluster := &pg.Cluster{Dir: filepath.Join(dir, "postgres"), Settings: []string{"max_connections=100"}}
	if err := cluster.Start(ctx); err != nil {
		testdb.Unavailable(b, err)
	}
	defer cluster.Stop()
	url, err := cluster.EnsureDatabase(ctx, "intake")
	if err != nil {
		b.Fatal(err)
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pg.Migrate(ctx, pool); err != nil {
		b.Fatal(err)
	}
	sys := ratusz.NewContextWithActor(ctx, ratusz.System)
	off, err := account.NewService(pool).CreateUser(sys, account.UserInput{Email: "bo@gmina.pl", Name: "BO", Roles: []ratusz.Role{ratusz.RolePBOfficer}, Password: "0123456789ab"})
	if err != nil {
		b.Fatal(err)
	}
	officer := ratusz.NewContextWithActor(ctx, off.Actor())
	s := participation.NewService(pool)
	s.SetVoterKey([]byte("a test secret of at least 32 bytes"))
	maxLen := 3
	e, err := s.CreateEdition(officer, participation.EditionInput{Year: 2027, Name: "BO", MaxLength: &maxLen,
		Districts: []participation.DistrictInput{{Name: "Gmina", Budget: 1_000_000_00, Citywide: true}}})
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 10; i++ {
		p, err := s.SubmitProject(officer, e.ID, participation.ProjectInput{District: e.Districts[0].ID, Title: fmt.Sprint("Projekt ", i), Description: "x",
			CostItems: []participation.CostItem{{Item: "całość", Cost: 50_000_00}}})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	s.SetPhase(officer, e.ID, participation.PhaseChange{Phase: "verification"})
	for _, id := range ids {
		if _, err := s.Verify(officer, id, "accepted", ""); err != nil {
			b.Fatal(err)
		}
	}
	s.SetPhase(officer, e.ID, participation.PhaseChange{Phase: "voting"})

	// b.N residents, made with SQL (an account's password hash would cost
	// more than the ballot).
	if _, err := pool.Exec(ctx, `INSERT INTO users (name, roles) SELECT 'Mieszkaniec ' || g, '{resident}' FROM generate_series(1, $1) g`, b.N); err != nil {
		b.Fatal(err)
	}
	var firstUser int64
	pool.QueryRow(ctx, "SELECT min(id) FROM users WHERE roles = '{resident}'").Scan(&firstUser)
	const workers = 32
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				ballot := participation.BallotInput{Projects: []int64{ids[n%10], ids[(n+3)%10]}}
				voter := ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: firstUser + n - 1, Name: "M", Roles: []ratusz.Role{ratusz.RoleResident}})
				if _, err := s.CastBallot(voter, e.ID, ballot); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var stored int
	pool.QueryRow(ctx, "SELECT count(*) FROM pb_sealed_ballots").Scan(&stored)
	if stored != b.N {
		b.Fatalf("%d acknowledged, %d stored", b.N, stored)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ballots/s")
}
