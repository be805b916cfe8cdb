package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/extract"
	"github.com/ratusz/ratusz/internal/live"
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/internal/oidctest"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/search"
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
	if cfg.DemoLogin && !cfg.OIDCEnabled() {
		op, err := demoLogin(cfg)
		if err != nil {
			return err
		}
		defer op.Close()
		log.Info("demo: residents sign in through a stand-in for login.gov.pl (never for production)", "issuer", op.URL)
	}
	sys, err := assemble(cfg, db.Pool, secret, log)
	if err != nil {
		return err
	}
	defer sys.stop()
	srv, err := web.New(sys.deps)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	hs.RegisterOnShutdown(sys.deps.Live.Shutdown) // close frames to live viewers
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

// system is what serve builds before it listens: the services and engines
// web serves, and the goroutines that run beside it.
type system struct {
	deps web.Deps
	stop func() // stops the goroutines, then writes what the services hold in memory
}

// assemble is the composition root. It builds the modules' services, the
// search engine and its indexer, the mailer and the saved-search alerts,
// the notifier of follows (with the modules' targets and sources) and the
// live hub, and starts the goroutines: the outbox relay (whose handlers
// are the hub, the indexer and the notifier's wake-up), the indexer, the
// alerts, the notifier and the daily publication of the BIP log's head.
func assemble(cfg *config.Config, pool *pgxpool.Pool, secret []byte, log *slog.Logger) (*system, error) {
	t0 := time.Now()
	if d, err := search.LoadDictionary(cfg.Dictionary); err != nil {
		log.Warn("search: no Polish dictionary, so words match only as written (install hunspell-pl, or set RATUSZ_DICTIONARY)", "err", err)
	} else {
		log.Info("search: Polish dictionary loaded", "entries", d.Size(), "took", time.Since(t0).Round(time.Millisecond))
	}
	idx, err := search.Engine(pool, cfg.MeiliURL, cfg.MeiliAPIKey)
	if err != nil {
		return nil, err
	}
	if len(secret) < 32 {
		return nil, errors.New("the server's secret is missing (config.Secret)")
	}
	pb := participation.NewService(pool)
	pb.SetVoterKey(secret)
	d := web.Deps{
		Config:        cfg,
		Pool:          pool,
		Log:           log,
		Accounts:      account.NewService(pool),
		BIP:           bip.NewService(pool),
		Council:       council.NewService(pool),
		Consultations: consultations.NewService(pool),
		Participation: pb,
		Saved:         search.NewSavedSearches(pool),
		Index:         idx,
		Live:          live.New(),
		Replay:        outbox.Reader(pool),
	}
	mailer := &mail.Mailer{URL: cfg.SMTPURL, From: "ratusz@" + cfg.BaseURL.Hostname(),
		Spool: filepath.Join(cfg.DataDir, "mail"), Log: log}
	sms, err := notify.NewSMS(cfg.SMSURL, notify.SpoolDir(cfg.DataDir))
	if err != nil {
		return nil, err
	}
	d.Notify = notify.NewService(pool, log)
	d.Notify.Mail, d.Notify.SMS, d.Notify.BaseURL, d.Notify.Municipality = mailer, sms, cfg.BaseURL.String(), cfg.Municipality
	d.Notify.Register(d.Council, d.Consultations, d.Participation, d.BIP, d.Saved)
	indexer := search.NewIndexer(pool, idx, log)
	alerts := search.NewAlerts(d.Saved, idx, mailer, cfg.BaseURL.String(), cfg.Municipality, log)
	alerts.DeliverTo(d.Notify)
	indexer.Synced = func(search.SyncStats) { alerts.Wake() }
	texts := &extract.Worker{Pool: pool, Log: log, Pending: []string{bip.FilesWithoutText}, Extracted: func() { indexer.NotifyEvent("bip.text") }}
	relay := outbox.NewRelay(pool, log)
	relay.Poll = 500 * time.Millisecond
	relay.Handle(d.Live.Publish)
	relay.Handle(func(ev ratusz.Event) {
		if !ev.LiveOnly {
			indexer.NotifyEvent(ev.Type)
			d.Notify.Wake()
			texts.Wake()
		}
	})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context){relay.Run, indexer.Run, alerts.Run, d.Notify.Run, texts.Run,
		func(ctx context.Context) {
			d.BIP.PublishHeadsDaily(ctx, func(err error) { log.Error("publishing the BIP log's head", "err", err) })
		}} {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	return &system{deps: d, stop: func() {
		d.Live.Shutdown()
		cancel()
		wg.Wait()
		d.BIP.Close()
	}}, nil
}

// demoLogin starts the stand-in identity provider on the port after the
// server's, on loopback only, and points the resident sign-in at it.
func demoLogin(cfg *config.Config) (*oidctest.Provider, error) {
	host, port, _ := net.SplitHostPort(cfg.Addr)
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("RATUSZ_DEMO_LOGIN: the stand-in identity provider runs on loopback only, not on %s", cfg.Addr)
	}
	n, _ := strconv.Atoi(port)
	op, err := oidctest.NewDemo(net.JoinHostPort(host, strconv.Itoa(n+1)), cfg.Municipality)
	if err != nil {
		return nil, fmt.Errorf("RATUSZ_DEMO_LOGIN: starting the stand-in identity provider: %w", err)
	}
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = op.URL, op.ClientID, op.ClientSecret
	cfg.OIDCVerifiedClaim = "resident_of=" + cfg.Municipality
	cfg.OIDCName = "login.gov.pl (demo)" // one name for both languages
	return op, nil
}
