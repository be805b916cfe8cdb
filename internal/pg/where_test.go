package pg_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"
)

func TestWhere(t *testing.T) {
	var w pg.Where
	if w.SQL() != "" {
		t.Fatal("no filter, no WHERE")
	}
	w.Add("kind = ?", "revise")
	w.Add("answered_on IS NOT NULL")
	w.Add("at >= ? AND at < ?", 1, 2)
	if got := w.SQL(); got != " WHERE kind = $1 AND answered_on IS NOT NULL AND at >= $2 AND at < $3" {
		t.Fatalf("SQL %q", got)
	}
	page, args := w.Page(40, 20)
	if page != " OFFSET $4 LIMIT $5" || len(args) != 6 || args[0] != pgx.QueryExecModeExec || args[4] != 40 || args[5] != 20 {
		t.Fatalf("page %q %v", page, args)
	}
}
