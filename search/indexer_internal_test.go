package search

import (
	"context"
	"io"
	"testing"

	"github.com/ratusz/ratusz/internal/demo"
	"github.com/ratusz/ratusz/internal/testdb"
)

// A vote's event syncs the council's documents only, and a sync of some
// sources never deletes the others' documents.
func TestSyncOfSomeSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := demo.Seed(ctx, pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	ix := NewIndexer(pool, NewPostgres(pool), nil)
	all, err := ix.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A consultation's title changed behind search's back, and a vote's subject.
	if _, err := pool.Exec(ctx, "UPDATE consultations SET title = title || ' (poprawione)'"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "UPDATE votes SET subject = subject || ' (poprawione)' WHERE state = 'closed'"); err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, typ := range typesChangedBy("vote.closed") {
		types[typ] = true
	}
	some, err := ix.sync(ctx, types)
	if err != nil {
		t.Fatal(err)
	}
	if some.Deleted != 0 || some.Upserted == 0 || some.Documents >= all.Documents {
		t.Fatalf("a vote's sync: %+v (all: %+v)", some, all)
	}
	var bipSynced, changed int
	pool.QueryRow(ctx, "SELECT count(*) FROM search_documents WHERE type = 'consultation'").Scan(&bipSynced)
	pool.QueryRow(ctx, "SELECT count(*) FROM search_documents WHERE type = 'consultation' AND title LIKE '%(poprawione)'").Scan(&changed)
	if bipSynced == 0 || changed != 0 {
		t.Fatalf("consultations after a vote's sync: %d, %d of them changed", bipSynced, changed)
	}
	// The full sync (every minute) catches what no event said.
	rest, err := ix.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool.QueryRow(ctx, "SELECT count(*) FROM search_documents WHERE type = 'consultation' AND title LIKE '%(poprawione)'").Scan(&changed)
	if rest.Upserted == 0 || changed != bipSynced {
		t.Fatalf("the full sync: %+v, %d of %d consultations changed", rest, changed, bipSynced)
	}
	if typesChangedBy("something.new") != nil || typesChangedBy("") != nil {
		t.Fatal("an event nobody listed must sync everything")
	}
}
