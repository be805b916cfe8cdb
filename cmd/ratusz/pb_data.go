package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/participation"
)

// pbData runs the participatory budget's commands that use the database:
// `pb import FILE.pb` brings a pabulib file in as a finished edition, and
// `pb export --edition N --pool M` writes a pool's anonymised ballots as
// pabulib to standard output.
func pbData(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	sys := ratusz.NewContextWithActor(ctx, ratusz.System)
	switch args[0] {
	case "import":
		if len(args) != 2 {
			return fmt.Errorf("usage: ratusz pb import FILE.pb")
		}
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		return withDB(ctx, cfg, log, func(db *database) error {
			e, err := participation.NewService(db.Pool).ImportPabulib(sys, f)
			if err != nil {
				return err
			}
			fmt.Printf("Imported %q as edition %d with its results (pool %d).\n", e.Name, e.ID, e.Districts[0].ID)
			return nil
		})
	default: // export
		fs := newFlags("pb export")
		edition := fs.String("edition", "", "edition id")
		pool := fs.String("pool", "", "pool (district) id")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		e, err1 := strconv.ParseInt(*edition, 10, 64)
		p, err2 := strconv.ParseInt(*pool, 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("usage: ratusz pb export --edition N --pool M")
		}
		return withDB(ctx, cfg, log, func(db *database) error {
			return participation.NewService(db.Pool).ExportPabulib(sys, e, p, os.Stdout)
		})
	}
}
