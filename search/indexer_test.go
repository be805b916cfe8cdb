package search_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratusz/ratusz/internal/demo"
	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/search"
)

// The demo municipality, indexed: every type of record is found by what a
// person would type, and a second sync sends nothing.
func TestIndexerDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	pg := search.NewPostgres(pool)
	ix := search.NewIndexer(pool, pg, nil)
	st, err := ix.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents == 0 || st.Upserted != st.Documents {
		t.Fatalf("first sync %+v", st)
	}
	res, err := pg.Search(ctx, search.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"bip", "resolution", "session", "agenda_item", "vote", "interpellation", "consultation", "project"} {
		if res.Facets["type"][typ] == 0 {
			t.Errorf("no %s indexed: %v", typ, res.Facets["type"])
		}
	}
	// A resolution is found under its number, its text read as text.
	if r, _ := pg.Search(ctx, search.Query{Types: []string{"resolution"}, Q: "statutu"}); len(r.Hits) == 0 ||
		!strings.HasPrefix(r.Hits[0].Title, "Uchwała nr ") || strings.Contains(string(r.Hits[0].Snippet), "#") {
		t.Errorf("resolution hit: %+v", r.Hits)
	}
	again, err := ix.Sync(ctx)
	if err != nil || again.Upserted != 0 || again.Deleted != 0 {
		t.Fatalf("second sync %+v %v", again, err)
	}

	// An answer given to one interpellation sends that one document.
	var iid int64
	pool.QueryRow(ctx, "SELECT id FROM interpellations ORDER BY id LIMIT 1").Scan(&iid)
	pool.Exec(ctx, "UPDATE interpellations SET answer = 'Odpowiedź: chodnik wyremontujemy w maju' WHERE id = $1", iid)
	st, err = ix.Sync(ctx)
	if err != nil || st.Upserted != 1 || st.Deleted != 0 {
		t.Fatalf("after one answer %+v %v", st, err)
	}
	if r, _ := pg.Search(ctx, search.Query{Q: "wyremontujemy"}); r.Total != 1 || r.Hits[0].ID != "interpellation:"+strconv.FormatInt(iid, 10) {
		t.Errorf("the new answer is not found: %+v", r)
	}
	// Renaming the council re-sends every document that names it.
	var carry int
	pool.QueryRow(ctx, "SELECT count(*) FROM search_documents WHERE body_name = (SELECT name FROM council_bodies ORDER BY id LIMIT 1)").Scan(&carry)
	pool.Exec(ctx, "UPDATE council_bodies SET name = 'Rada Miasta Zabrzeg' WHERE id = (SELECT min(id) FROM council_bodies)")
	st, err = ix.Sync(ctx)
	if err != nil || carry == 0 || st.Upserted != carry {
		t.Fatalf("after renaming the council %+v %v, want %d sent", st, err, carry)
	}
	if r, _ := pg.Search(ctx, search.Query{Body: "Rada Miasta Zabrzeg"}); r.Total != carry {
		t.Errorf("%d documents under the new name, want %d", r.Total, carry)
	}

	// A withdrawn BIP publication drops out at the next sync.
	var id int64
	pool.QueryRow(ctx, "SELECT id FROM bip_publications ORDER BY id LIMIT 1").Scan(&id)
	pool.Exec(ctx, "UPDATE bip_publications SET withdrawn = true WHERE id = $1", id)
	st, err = ix.Sync(ctx)
	if err != nil || st.Deleted != 1 {
		t.Fatalf("after a withdrawal %+v %v", st, err)
	}
	after, _ := pg.Search(ctx, search.Query{})
	if after.Total != res.Total-1 {
		t.Errorf("total %d after withdrawal, want %d", after.Total, res.Total-1)
	}

	// Reindex rebuilds the same index from PostgreSQL.
	st, err = ix.Reindex(ctx)
	if err != nil || st.Upserted != after.Total {
		t.Fatalf("reindex %+v %v, want %d", st, err, after.Total)
	}
}

// flaky fails while down is set, counting attempts.
type flaky struct {
	search.Index
	down     atomic.Bool
	attempts atomic.Int32
}

func (f *flaky) Upsert(ctx context.Context, docs []search.Document) error {
	f.attempts.Add(1)
	if f.down.Load() {
		return errors.New("engine down")
	}
	return f.Index.Upsert(ctx, docs)
}

// While the engine is down the indexer retries with backoff; nothing is
// recorded as sent, so everything arrives when it comes back.
func TestIndexerRetriesWhileEngineDown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := testdb.New(t)
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	f := &flaky{Index: search.NewPostgres(pool)}
	f.down.Store(true)
	ix := search.NewIndexer(pool, f, nil)
	ix.MinBackoff, ix.MaxBackoff = 10*time.Millisecond, 40*time.Millisecond
	synced := make(chan search.SyncStats, 10)
	ix.Synced = func(st search.SyncStats) { synced <- st }
	go ix.Run(ctx)
	time.Sleep(200 * time.Millisecond)
	if n := f.attempts.Load(); n < 3 || n > 30 {
		t.Fatalf("%d attempts in 200ms with backoff 10–40ms", n)
	}
	var sent int
	pool.QueryRow(ctx, "SELECT count(*) FROM search_synced").Scan(&sent)
	if sent != 0 {
		t.Fatalf("%d documents recorded as sent while the engine was down", sent)
	}
	f.down.Store(false)
	select {
	case st := <-synced:
		if st.Upserted == 0 || st.Upserted != st.Documents {
			t.Fatalf("after recovery %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no sync after the engine came back")
	}
	res, _ := f.Search(ctx, search.Query{Q: "sesja"})
	if res.Total == 0 {
		t.Error("nothing found after recovery")
	}
	if !strings.Contains(f.Name(), "postgres") {
		t.Error(f.Name())
	}
}

// Two instances of the site, each with its indexer, sync at once: one
// waits for the other, so every document is sent once, not twice.
func TestIndexersShareTheWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	counting := func() search.Index { return &countingIndex{Index: search.NewPostgres(pool), sent: &sent} }
	a, b := search.NewIndexer(pool, counting(), nil), search.NewIndexer(pool, counting(), nil)
	var sa, sb search.SyncStats
	var ea, eb error
	done := make(chan struct{})
	go func() { sa, ea = a.Sync(ctx); close(done) }()
	sb, eb = b.Sync(ctx)
	<-done
	if ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	if sa.Documents == 0 || sa.Upserted+sb.Upserted != sa.Documents || int(sent.Load()) != sa.Documents {
		t.Fatalf("%d documents; the instances sent %d and %d (%d in all)", sa.Documents, sa.Upserted, sb.Upserted, sent.Load())
	}
}

type countingIndex struct {
	search.Index
	sent *atomic.Int64
}

func (c *countingIndex) Upsert(ctx context.Context, docs []search.Document) error {
	c.sent.Add(int64(len(docs)))
	time.Sleep(20 * time.Millisecond) // a sync that takes a while, as at scale
	return c.Index.Upsert(ctx, docs)
}
