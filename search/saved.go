package search

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// SaveWithin refuses, inside the transaction about to save a search, when
// the person already has max saved searches. It counts under a lock per
// person, held until the transaction ends, so that saves sent at once are
// counted one after another (60 concurrent saves used to pass a limit of
// 50).
func SaveWithin(ctx context.Context, tx pgx.Tx, userID int64, max int) error {
	if err := pg.LockXact(ctx, tx, "saved-search", userID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM search_saved WHERE user_id = $1 AND active", userID).Scan(&n); err != nil {
		return err
	}
	if n >= max {
		return ratusz.Invalid("q", "err.search.too_many", max)
	}
	return nil
}
