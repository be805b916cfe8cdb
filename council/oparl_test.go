package council_test

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/demo"
	"github.com/ratusz/ratusz/internal/testdb"
)

// queryCounter counts the statements sent through a pool.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Every OParl list page is read with a fixed number of queries, however
// many elements it holds: never one query per element.
func TestOParlQueriesPerPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `WITH b AS (INSERT INTO council_bodies (name, statutory_size) VALUES ('Rada Gminy Sąsiedniej', 15) RETURNING id)
		INSERT INTO council_terms (body_id, name, starts_on) SELECT id, 'IX kadencja', '2024-05-07' FROM b`); err != nil {
		t.Fatal(err)
	}
	cfg := pool.Config().Copy()
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	traced, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer traced.Close()
	s := council.NewService(traced)
	var body int64
	if err := pool.QueryRow(ctx, "SELECT id FROM council_bodies WHERE kind = 'council' ORDER BY id LIMIT 1").Scan(&body); err != nil {
		t.Fatal(err)
	}
	f := council.OParlFilter{BodyID: body, Limit: 100}
	for _, c := range []struct {
		name    string
		queries int64
		list    func() (int, error)
	}{
		{"bodies", 3, func() (int, error) { l, _, err := s.OParlBodies(ctx, f); return len(l), err }},
		{"organizations", 3, func() (int, error) { l, _, err := s.OParlOrganizations(ctx, f); return len(l), err }},
		{"people", 3, func() (int, error) { l, _, err := s.OParlPeople(ctx, f); return len(l), err }},
		{"memberships", 2, func() (int, error) { l, _, err := s.OParlMemberships(ctx, f); return len(l), err }},
		{"meetings", 7, func() (int, error) { l, _, err := s.OParlMeetings(ctx, f); return len(l), err }},
		{"agenda items", 5, func() (int, error) { l, _, err := s.OParlAgendaItems(ctx, f); return len(l), err }},
		{"vote events", 3, func() (int, error) { l, _, err := s.OParlVoteEvents(ctx, f); return len(l), err }},
	} {
		counter.n.Store(0)
		n, err := c.list()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n < 2 {
			t.Fatalf("%s: %d elements, too few to tell", c.name, n)
		}
		if q := counter.n.Load(); q > c.queries {
			t.Errorf("%s: %d queries for %d elements, want at most %d", c.name, q, n, c.queries)
		}
	}
}

// Lists hold one council's objects only, and the time filters bound both
// ends.
func TestOParlFilterBody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	var demoBody, other int64
	pool.QueryRow(ctx, "SELECT id FROM council_bodies WHERE kind = 'council' ORDER BY id LIMIT 1").Scan(&demoBody)
	if err := pool.QueryRow(ctx, "INSERT INTO council_bodies (name, statutory_size) VALUES ('Rada Gminy Sąsiedniej', 15) RETURNING id").Scan(&other); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO councillors (body_id, name) VALUES ($1, 'Jan Sąsiad')", other); err != nil {
		t.Fatal(err)
	}
	s := council.NewService(pool)
	people, total, err := s.OParlPeople(ctx, council.OParlFilter{BodyID: other})
	if err != nil || total != 1 || len(people) != 1 || people[0].Name != "Jan Sąsiad" {
		t.Fatalf("the other council's people: %d %v %v", total, people, err)
	}
	_, total, _ = s.OParlPeople(ctx, council.OParlFilter{BodyID: demoBody})
	if total != 15 {
		t.Fatalf("the demo council has %d people", total)
	}
	bodies, total, err := s.OParlBodies(ctx, council.OParlFilter{BodyID: demoBody})
	if err != nil || total != 2 || len(bodies) != 2 {
		t.Fatalf("bodies: %d %v", total, err)
	}
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	_, total, _ = s.OParlPeople(ctx, council.OParlFilter{BodyID: demoBody, CreatedSince: &past, CreatedUntil: &future, ModifiedSince: &past, ModifiedUntil: &future})
	if total != 15 {
		t.Fatalf("within an hour either way: %d people", total)
	}
	_, total, _ = s.OParlPeople(ctx, council.OParlFilter{BodyID: demoBody, CreatedUntil: &past})
	if total != 0 {
		t.Fatalf("created an hour ago: %d people", total)
	}
}
