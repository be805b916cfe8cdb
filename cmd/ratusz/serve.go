package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/web"
)

// serve runs the web server until SIGINT or SIGTERM, then lets requests in
// flight finish, closes live connections, and stops the embedded cluster.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, err := checkSecret(ctx, db.Pool, cfg)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Deps{Config: cfg, Pool: db.Pool, Log: log, Secret: secret})
	if err != nil {
		return err
	}
	defer srv.Close()
	// The log's head is published in BIP once a day, for anyone to keep.
	heads := bip.NewService(db.Pool)
	defer heads.Close()
	go heads.PublishHeadsDaily(ctx, func(err error) { log.Error("publishing the BIP log's head", "err", err) })
	hs := srv.HTTPServer()
	hs.RegisterOnShutdown(func() { srv.Shutdown(context.Background()) })
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("Ratusz is ready", "url", cfg.BaseURL.String(), "addr", ln.Addr().String(), "municipality", cfg.Municipality)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 7*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown", "err", err)
	}
	return nil
}
