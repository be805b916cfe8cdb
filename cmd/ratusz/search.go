package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/search"
)

// searchCmd runs `ratusz search reindex` (rebuild the engine's index from
// PostgreSQL) and `ratusz search sync` (send only what changed).
func searchCmd(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) != 1 || (args[0] != "reindex" && args[0] != "sync") {
		return fmt.Errorf("usage: ratusz search reindex|sync")
	}
	return withDB(ctx, cfg, log, func(db *database) error {
		idx, err := search.Engine(db.Pool, cfg.MeiliURL, cfg.MeiliAPIKey)
		if err != nil {
			return err
		}
		ix := search.NewIndexer(db.Pool, idx, log)
		start := time.Now()
		var st search.SyncStats
		if args[0] == "reindex" {
			st, err = ix.Reindex(ctx)
		} else {
			st, err = ix.Sync(ctx)
		}
		if err != nil {
			return err
		}
		fmt.Printf("search (%s): %d documents, %d sent, %d removed in %s\n", idx.Name(), st.Documents, st.Upserted, st.Deleted, time.Since(start).Round(time.Millisecond))
		return nil
	})
}
