package demo_test

import (
	"context"
	"io"
	"testing"

	"github.com/ratusz/ratusz/internal/demo"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// The demo agrees with itself: what a page shows of one thing, another
// shows the same way.
func TestDemoIsCoherent(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, sql string }{
		{"a resolution adopted on another day than its sitting", `SELECT count(*) FROM resolutions r JOIN council_sessions s ON s.id = r.session_id
			WHERE (r.adopted_at AT TIME ZONE 'Europe/Warsaw')::date <> (s.starts_at AT TIME ZONE 'Europe/Warsaw')::date`},
		{"a resolution of a sitting that has not happened", `SELECT count(*) FROM resolutions r JOIN council_sessions s ON s.id = r.session_id
			WHERE s.state = 'planned' OR s.starts_at > now()`},
		{"a vote closed on another day than its sitting", `SELECT count(*) FROM votes v JOIN council_sessions s ON s.id = v.session_id
			WHERE v.closed_at IS NOT NULL AND (v.closed_at AT TIME ZONE 'Europe/Warsaw')::date <> (s.starts_at AT TIME ZONE 'Europe/Warsaw')::date`},
		{"a ballot cast by a councillor who was not yet a member", `SELECT count(*) FROM ballots b JOIN votes v ON v.id = b.vote_id JOIN council_sessions s ON s.id = v.session_id
			WHERE NOT EXISTS (SELECT 1 FROM council_memberships m WHERE m.councillor_id = b.councillor_id AND m.body_id = s.body_id AND m.starts_on <= (s.starts_at AT TIME ZONE 'Europe/Warsaw')::date)`},
		{"a resolution in BIP numbered after a sitting still to come", `SELECT count(*) FROM bip_publications p JOIN council_sessions s ON p.title ~ ('^Uchwała nr ' || (CASE s.number WHEN 12 THEN 'XII' WHEN 13 THEN 'XIII' END) || '/')
			WHERE s.state = 'planned'`},
		{"a sitting's timeline outside its day", `SELECT count(*) FROM session_timeline t JOIN council_sessions s ON s.id = t.session_id
			WHERE (t.at AT TIME ZONE 'Europe/Warsaw')::date <> (s.starts_at AT TIME ZONE 'Europe/Warsaw')::date`},
	} {
		var n int
		if err := pool.QueryRow(ctx, c.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n > 0 {
			t.Errorf("the demo has %d: %s", n, c.what)
		}
	}
}
