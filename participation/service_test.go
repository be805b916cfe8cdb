package participation_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/participation/pabulib"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type pbFixture struct {
	s       *participation.Service
	pool    *pgxpool.Pool
	officer context.Context
	as      func(i int) context.Context // resident i, created on first use
	users   map[int]*account.User
	mu      sync.Mutex
}

func newPB(t *testing.T) *pbFixture {
	t.Helper()
	pool := testdb.New(t)
	accounts := account.NewService(pool)
	sys := ratusz.NewContextWithActor(context.Background(), ratusz.System)
	f := &pbFixture{s: participation.NewService(pool), pool: pool, users: map[int]*account.User{}}
	f.s.SetVoterKey([]byte("a test secret of at least 32 bytes"))
	off, err := accounts.CreateUser(sys, account.UserInput{Email: "bo@gmina.pl", Name: "Ewa Bo", Roles: []ratusz.Role{ratusz.RolePBOfficer}, Password: "0123456789ab"})
	if err != nil {
		t.Fatal(err)
	}
	f.officer = ratusz.NewContextWithActor(context.Background(), off.Actor())
	f.as = func(i int) context.Context {
		f.mu.Lock()
		defer f.mu.Unlock()
		u := f.users[i]
		if u == nil {
			if u, err = accounts.CreateUser(sys, account.UserInput{Email: fmt.Sprintf("m%d@example.pl", i), Name: fmt.Sprintf("Mieszkaniec %d", i),
				Roles: []ratusz.Role{ratusz.RoleResident}, Password: "0123456789ab"}); err != nil {
				panic(err)
			}
			f.users[i] = u
		}
		return ratusz.NewContextWithActor(context.Background(), u.Actor())
	}
	return f
}

func want(t *testing.T, err error, code, field string) {
	t.Helper()
	if ratusz.ErrorCode(err) != code || ratusz.ErrorField(err) != field {
		t.Fatalf("got %v (%s, field %q), want %s %q", err, ratusz.ErrorCode(err), ratusz.ErrorField(err), code, field)
	}
}

func intp(n int) *int       { return &n }
func int64p(n int64) *int64 { return &n }

// An edition from submission to results, with its refusals.
func TestEditionEndToEnd(t *testing.T) {
	t.Parallel()
	f := newPB(t)
	in := participation.EditionInput{Year: 2027, Name: "Budżet obywatelski 2027", MinLength: 1, MaxLength: intp(2), MaxSumCost: int64p(90_000_00),
		Districts: []participation.DistrictInput{{Name: "Ogólnomiejski", Budget: 100_000_00, Citywide: true}, {Name: "Dąbrowa", Budget: 50_000_00}}}
	_, err := f.s.CreateEdition(f.as(1), in)
	want(t, err, ratusz.EFORBIDDEN, "")
	bad := in
	bad.Rule = "lottery"
	_, err = f.s.CreateEdition(f.officer, bad)
	want(t, err, ratusz.EINVALID, "rule")
	e, err := f.s.CreateEdition(f.officer, in)
	if err != nil {
		t.Fatal(err)
	}
	city, local := e.Districts[0], e.Districts[1]
	if !city.Citywide || local.Name != "Dąbrowa" {
		t.Fatalf("districts %+v %+v", city, local)
	}

	submit := func(who int, d *participation.District, title string, cost int64) *participation.PBProject {
		t.Helper()
		p, err := f.s.SubmitProject(f.as(who), e.ID, participation.ProjectInput{District: d.ID, Title: title, Description: "Opis " + title,
			CostItems: []participation.CostItem{{Item: "roboty", Cost: cost - 100_00}, {Item: "projekt", Cost: 100_00}}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	park := submit(1, city, "Park kieszonkowy", 60_000_00)
	bikes := submit(2, city, "Stojaki rowerowe", 30_000_00)
	lib := submit(3, city, "Książki dla biblioteki", 40_000_00)
	play := submit(4, local, "Plac zabaw w Dąbrowie", 45_000_00)
	bad1 := submit(5, local, "Lądowisko", 20_000_00)
	if park.Cost != 60_000_00 || park.Status != "submitted" || !strings.HasSuffix(park.Code, "/2027") {
		t.Fatalf("project %+v", park)
	}
	_, err = f.s.SubmitProject(f.as(1), e.ID, participation.ProjectInput{District: local.ID, Title: "Za drogi", Description: "x",
		CostItems: []participation.CostItem{{Item: "wszystko", Cost: 60_000_00}}})
	want(t, err, ratusz.EINVALID, "cost_items") // over the district's pool
	_, err = f.s.SubmitProject(f.as(1), e.ID, participation.ProjectInput{District: local.ID, Title: "Bez kosztów", Description: "x"})
	want(t, err, ratusz.EINVALID, "cost_items")

	// Verification, then an appeal that succeeds.
	_, err = f.s.Verify(f.officer, park.ID, "accepted", "")
	want(t, err, ratusz.ECONFLICT, "") // still the submission phase
	if _, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "verification"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.SubmitProject(f.as(6), e.ID, participation.ProjectInput{District: local.ID, Title: "Spóźniony", Description: "x", CostItems: []participation.CostItem{{Item: "a", Cost: 100}}})
	want(t, err, ratusz.ECONFLICT, "")
	for _, p := range []*participation.PBProject{park, bikes, lib, play} {
		if _, err := f.s.Verify(f.officer, p.ID, "accepted", "Spełnia wymogi."); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.s.Verify(f.officer, bad1.ID, "rejected", "")
	want(t, err, ratusz.EINVALID, "justification")
	if _, err := f.s.Verify(f.officer, bad1.ID, "rejected", "Teren nie należy do gminy."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "appeals"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Appeal(f.as(1), bad1.ID, "To nieprawda.")
	want(t, err, ratusz.EFORBIDDEN, "") // not the author
	if p, err := f.s.Appeal(f.as(5), bad1.ID, "Teren jest gminny: działka 12/3."); err != nil || p.Status != "appealed" {
		t.Fatalf("appeal: %v %+v", err, p)
	}
	// Submissions, verdicts and appeals are announced after commit (search
	// indexes them at once); ballots never are.
	var events int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM outbox WHERE type = 'pb.project' AND topic = $1", fmt.Sprintf("pb:%d", e.ID)).Scan(&events)
	if events != 5+5+1 {
		t.Fatalf("%d pb.project events, want 11 (5 submitted, 5 verified, 1 appeal)", events)
	}
	_, err = f.s.Appeal(f.as(5), bad1.ID, "Jeszcze raz.")
	want(t, err, ratusz.ECONFLICT, "") // appealed, not rejected
	if _, err := f.s.Verify(f.officer, bad1.ID, "accepted", "Odwołanie zasadne."); err != nil {
		t.Fatal(err)
	}

	// Voting.
	first, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "voting"})
	if err != nil || len(first) < 60 {
		t.Fatalf("opening the vote: key %q, %v", first, err)
	}
	// A second click on "open the vote", before any ballot, shows a new
	// key, which replaces the first: the one shown last is the one kept.
	key, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "voting"})
	if err != nil || len(key) < 60 || key == first {
		t.Fatalf("opening the vote again: key %q, %v", key, err)
	}
	vote := func(who int, ids ...int64) (string, error) {
		return f.s.CastBallot(f.as(who), e.ID, participation.BallotInput{Projects: ids})
	}
	_, err = vote(1, park.ID, bikes.ID, lib.ID)
	want(t, err, ratusz.EINVALID, "projects") // three in one pool, two allowed
	_, err = vote(1, park.ID, lib.ID)
	want(t, err, ratusz.EINVALID, "projects") // 100,000 zł over the 90,000 zł limit
	_, err = vote(1, park.ID, park.ID)
	want(t, err, ratusz.EINVALID, "projects")
	_, err = vote(1, 999999)
	want(t, err, ratusz.EINVALID, "projects")
	_, err = f.s.CastBallot(context.Background(), e.ID, participation.BallotInput{Projects: []int64{park.ID}})
	want(t, err, ratusz.EUNAUTHORIZED, "")
	// A staff account does not vote (its holder votes as a resident).
	_, err = f.s.CastBallot(f.officer, e.ID, participation.BallotInput{Projects: []int64{park.ID}})
	want(t, err, ratusz.EFORBIDDEN, "")
	receipts := map[int]string{}
	for who, ids := range map[int][]int64{1: {park.ID, play.ID}, 2: {park.ID}, 3: {bikes.ID, lib.ID}, 4: {lib.ID, bad1.ID}, 5: {bad1.ID}, 6: {play.ID, park.ID}} {
		code, err := vote(who, ids...)
		if err != nil {
			t.Fatal(err)
		}
		receipts[who] = code
	}
	_, err = vote(1, bikes.ID)
	want(t, err, ratusz.ECONFLICT, "") // voted already
	// A paper ballot of someone who voted online is refused; a new voter's
	// goes in.
	_, err = f.s.PaperBallot(f.officer, e.ID, "M2@example.pl", participation.BallotInput{Projects: []int64{bikes.ID}})
	want(t, err, ratusz.ECONFLICT, "")
	if _, err := f.s.PaperBallot(f.officer, e.ID, "ABC 123456", participation.BallotInput{Projects: []int64{bikes.ID}}); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.PaperBallot(f.officer, e.ID, "abc 123456", participation.BallotInput{Projects: []int64{lib.ID}})
	want(t, err, ratusz.ECONFLICT, "")

	// Secrecy: who voted and what they voted share nothing that joins them.
	var shared []string
	rows, _ := f.pool.Query(context.Background(), `SELECT a.column_name FROM information_schema.columns a JOIN information_schema.columns b USING (column_name)
		WHERE a.table_name = 'pb_voters' AND b.table_name = 'pb_ballots' ORDER BY 1`)
	for rows.Next() {
		var c string
		rows.Scan(&c)
		shared = append(shared, c)
	}
	rows.Close()
	if strings.Join(shared, ",") != "edition_id" {
		t.Fatalf("voters and ballots share columns %v", shared)
	}
	var timeCols int
	f.pool.QueryRow(context.Background(), `SELECT count(*) FROM information_schema.columns WHERE table_name IN ('pb_voters', 'pb_ballots')
		AND data_type LIKE 'timestamp%'`).Scan(&timeCols)
	if timeCols != 0 {
		t.Fatal("voters or ballots carry a time")
	}
	// The ballot list and the results are published only after voting, to
	// the office too.
	_, _, err = f.s.Ballots(f.officer, e.ID, 0, 100)
	want(t, err, ratusz.ECONFLICT, "")
	_, err = f.s.Results(f.officer, e.ID)
	want(t, err, ratusz.ECONFLICT, "")
	// During voting, ballots are sealed, all of one length, and the plain
	// table is empty.
	var sealed, lengths, plain int
	f.pool.QueryRow(context.Background(), "SELECT count(*), count(DISTINCT length(sealed)) FROM pb_sealed_ballots WHERE edition_id = $1", e.ID).Scan(&sealed, &lengths)
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM pb_ballots WHERE edition_id = $1", e.ID).Scan(&plain)
	if sealed != 7 || lengths != 1 || plain != 0 {
		t.Fatalf("during voting: %d sealed ballots of %d lengths, %d plain", sealed, lengths, plain)
	}
	// Once ballots are sealed, opening again keeps the key.
	if again, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "voting"}); err != nil || again != "" {
		t.Fatalf("a new key with ballots sealed: %q %v", again, err)
	}
	// Ending the vote needs the commission's key, and only that one.
	_, err = f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "results", BallotKey: first})
	want(t, err, ratusz.EINVALID, "ballot_key")
	_, err = f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "results"})
	want(t, err, ratusz.EINVALID, "ballot_key")
	other, _, _ := participation.NewBallotKey()
	_, err = f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "results", BallotKey: other})
	want(t, err, ratusz.EINVALID, "ballot_key")
	if e2, _ := f.s.Edition(f.officer, e.ID); e2.Phase != "voting" {
		t.Fatal("a refused key ended the vote")
	}
	// Typed as people type it: lower case, spaces for dashes.
	typed := strings.ToLower(strings.ReplaceAll(key, "-", " "))
	if _, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "results", BallotKey: typed}); err != nil {
		t.Fatal(err)
	}
	results, err := f.s.Results(f.as(9), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Once the vote has ended no ballot keeps the transaction it shared with
	// its voter's row.
	var after, paired int
	f.pool.QueryRow(context.Background(), "SELECT count(DISTINCT b.xmin::text), count(*) FILTER (WHERE b.xmin::text IN (SELECT xmin::text FROM pb_voters)) FROM pb_ballots b").Scan(&after, &paired)
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM pb_sealed_ballots WHERE edition_id = $1", e.ID).Scan(&sealed)
	if after != 1 || paired != 0 || sealed != 0 {
		t.Fatalf("ballot transactions after %d, paired with voters %d, sealed left %d", after, paired, sealed)
	}
	// City: park 3 votes (60k); bikes and the library 2 each, bikes first in
	// ballot order (30k, fits); the library's 40k no longer fits the 10k left.
	won := map[string][]string{}
	for _, r := range results {
		for _, row := range r.Rows {
			if row.Selected {
				won[r.District.Name] = append(won[r.District.Name], row.Project.Title)
			}
		}
	}
	if got := fmt.Sprint(won); got != "map[Dąbrowa:[Plac zabaw w Dąbrowie] Ogólnomiejski:[Park kieszonkowy Stojaki rowerowe]]" {
		t.Fatalf("winners %s", got)
	}
	e, _ = f.s.Edition(f.officer, e.ID)
	pub, err := bip.NewService(f.pool).Current(f.officer, *e.ResultsPubID)
	if err != nil || !strings.Contains(pub.Body, "Park kieszonkowy") || pub.Category.Slug != "budzet-obywatelski" {
		t.Fatalf("results in BIP: %v", err)
	}
	_, err = f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "voting"})
	want(t, err, ratusz.ECONFLICT, "")

	// Each voter finds their own ballot, and only theirs, with their code.
	list, total, err := f.s.Ballots(f.as(9), e.ID, 0, 100)
	if err != nil || total != 7 || len(list) != 7 {
		t.Fatalf("ballot list: %d %d %v", total, len(list), err)
	}
	mine, err := f.s.FindBallot(f.as(9), e.ID, strings.ToLower(receipts[3]))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(mine.Projects) != fmt.Sprintf("[%s %s]", bikes.Code, lib.Code) || mine.Receipt != participation.ReceiptTag(receipts[3]) {
		t.Fatalf("receipt 3 finds %+v", mine)
	}
	_, err = f.s.FindBallot(f.as(9), e.ID, "AAAA-BBBB-CCCC-DDDD")
	want(t, err, ratusz.EINVALID, "kod")
	// Seven ballots later, the edition's events are still the projects'
	// 12 (the eleven above and the verdict on the appeal) and the phases
	// begun (which followers hear of).
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM outbox WHERE topic = $1 AND type <> 'pb.phase'", fmt.Sprintf("pb:%d", e.ID)).Scan(&events)
	if events != 12 {
		t.Fatalf("%d events for the edition after voting: ballots must not write any", events)
	}
}

// Many residents voting at once: every acknowledged ballot is stored once.
func TestConcurrentBallots(t *testing.T) {
	t.Parallel()
	f := newPB(t)
	e, err := f.s.CreateEdition(f.officer, participation.EditionInput{Year: 2027, Name: "BO", Districts: []participation.DistrictInput{{Name: "Cała gmina", Budget: 1000_00, Citywide: true}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.s.SubmitProject(f.as(0), e.ID, participation.ProjectInput{District: e.Districts[0].ID, Title: "Ławki", Description: "x", CostItems: []participation.CostItem{{Item: "ławki", Cost: 500_00}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ph := range []string{"verification"} {
		f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: ph})
	}
	f.s.Verify(f.officer, p.ID, "accepted", "")
	f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "voting"})
	const n = 40
	for i := 1; i <= n; i++ {
		f.as(i)
	}
	var wg sync.WaitGroup
	var ok, dup int
	var mu sync.Mutex
	for i := 1; i <= n; i++ {
		for try := 0; try < 2; try++ { // each resident clicks twice
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := f.s.CastBallot(f.as(i), e.ID, participation.BallotInput{Projects: []int64{p.ID}})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if ratusz.ErrorCode(err) == ratusz.ECONFLICT {
					dup++
				} else {
					t.Error(err)
				}
			}(i)
		}
	}
	wg.Wait()
	var ballots, voters int
	f.pool.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM pb_sealed_ballots), (SELECT count(*) FROM pb_voters)").Scan(&ballots, &voters)
	if ok != n || dup != n || ballots != n || voters != n {
		t.Fatalf("acknowledged %d, refused %d, stored %d ballots of %d voters", ok, dup, ballots, voters)
	}
}

// A real pabulib file imports as an edition whose published winners are
// the official ones, and its ballots export to a file that tallies alike.
func TestImportExportPabulib(t *testing.T) {
	t.Parallel()
	dir := "../../shared/data/pabulib"
	name := "Poland_Warszawa_2019_Sadul.pb"
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data required in CI: %v", err)
		}
		t.Skip(err)
	}
	official, err := pabulib.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	wantIDs, _ := official.Selected()
	sort.Strings(wantIDs)
	f := newPB(t)
	e, err := f.s.ImportPabulib(f.officer, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ImportPabulib(f.officer, bytes.NewReader(data))
	want(t, err, ratusz.ECONFLICT, "")
	_, err = f.s.ImportPabulib(f.officer, strings.NewReader("PROJECTS\nfoo"))
	want(t, err, ratusz.EINVALID, "file")
	results, err := f.s.Results(f.as(1), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range results[0].Rows {
		if row.Selected {
			got = append(got, row.Project.Code)
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(wantIDs, ",") {
		t.Fatalf("imported winners %v, official %v", got, wantIDs)
	}
	var out bytes.Buffer
	if err := f.s.ExportPabulib(f.as(1), e.ID, e.Districts[0].ID, &out); err != nil {
		t.Fatal(err)
	}
	back, err := pabulib.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Ballots) != len(official.Ballots) || len(back.Projects) != len(official.Projects) || back.Budget*int64(pow10(official.Scale)) != official.Budget*int64(pow10(back.Scale)) {
		t.Fatalf("export: %d ballots, %d projects, budget %d/%d", len(back.Ballots), len(back.Projects), back.Budget, back.Scale)
	}
	again, err := pabulib.Tally(back, "")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(again)
	if strings.Join(again, ",") != strings.Join(wantIDs, ",") {
		t.Fatalf("exported file tallies %v, official %v", again, wantIDs)
	}
}

func pow10(n int) int {
	p := 1
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// Every shared pabulib file with official winners, of every vote type and
// rule, imports as an edition whose published winners are the official ones:
// the database path (projects, anonymous ballots, the rule's own META) gives
// what the file gives.
func TestImportEveryPabulibFile(t *testing.T) {
	t.Parallel()
	dir := "../../shared/data/pabulib"
	files, _ := filepath.Glob(filepath.Join(dir, "*.pb"))
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data %s required in CI", dir)
		}
		t.Skip("no shared pabulib data")
	}
	f := newPB(t)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		official, err := pabulib.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		want, ok := official.Selected()
		if !ok {
			continue
		}
		sort.Strings(want)
		e, err := f.s.ImportPabulib(f.officer, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(file), err)
		}
		results, err := f.s.Results(f.officer, e.ID)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(file), err)
		}
		var got []string
		for _, row := range results[0].Rows {
			if row.Selected {
				got = append(got, row.Project.Code)
			}
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s (%s, %s): winners %v, official %v", filepath.Base(file), e.VoteType, e.Rule, got, want)
		}
	}
}
