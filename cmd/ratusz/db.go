package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/pg"
)

type database struct {
	Pool    *pgxpool.Pool
	cluster *pg.Cluster // nil with DATABASE_URL
}

// openDatabase connects to DATABASE_URL, or to the embedded cluster in the
// data directory (starting it unless a running server already did), and
// applies pending migrations.
func openDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger) (*database, error) {
	db := &database{}
	url := cfg.DatabaseURL
	if url == "" {
		db.cluster = &pg.Cluster{Dir: filepath.Join(cfg.DataDir, "postgres")}
		if err := db.cluster.Start(ctx); err != nil {
			return nil, err
		}
		switch {
		case db.cluster.Moved:
			log.Info("the postgres user cannot reach the data directory, so its PostgreSQL cluster is kept where it can, and reused from there",
				"data_dir", filepath.Dir(db.cluster.Relocated), "cluster", db.cluster.Dir)
		case db.cluster.Relocated != "":
			log.Debug("PostgreSQL cluster of this data directory", "cluster", db.cluster.Dir)
		}
		if db.cluster.Started() {
			log.Info("embedded PostgreSQL started", "dir", db.cluster.Dir)
		} else {
			log.Debug("embedded PostgreSQL already running", "dir", db.cluster.Dir)
		}
		var err error
		if url, err = db.cluster.EnsureDatabase(ctx, "ratusz"); err != nil {
			db.Close()
			return nil, err
		}
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.Pool = pool
	applied, err := pg.Migrate(ctx, pool)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied)
	}
	return db, nil
}

// Close closes the pool and stops the embedded cluster if this process
// started it.
func (db *database) Close() {
	if db.Pool != nil {
		db.Pool.Close()
	}
	if db.cluster != nil {
		if err := db.cluster.Stop(); err != nil {
			slog.Error("stopping embedded PostgreSQL", "err", err)
		}
	}
}

func withDB(ctx context.Context, cfg *config.Config, log *slog.Logger, fn func(*database) error) error {
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// checkSecret records the fingerprint of the server's secret in a database
// used for the first time, and refuses a secret other than the one it
// was used with.
func checkSecret(ctx context.Context, pool *pgxpool.Pool, cfg *config.Config) ([]byte, error) {
	secret, err := cfg.Secret()
	if err != nil {
		return nil, err
	}
	fp := config.SecretFingerprint(secret)
	var stored []byte
	err = pool.QueryRow(ctx, `WITH ins AS (INSERT INTO server_secret (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING RETURNING fingerprint)
		SELECT fingerprint FROM ins UNION ALL SELECT fingerprint FROM server_secret WHERE id = 1 LIMIT 1`, fp).Scan(&stored)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(stored, fp) {
		return nil, fmt.Errorf("RATUSZ_SECRET_FILE: %s is not the secret this database was used with; "+
			"restore the original file (every instance needs the same one), or paper voters could vote again", cfg.SecretFile)
	}
	return secret, nil
}
