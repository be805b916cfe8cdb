// Package web serves Ratusz over HTTP: the pages, the JSON API, OParl,
// resident login, the operations endpoints and the live websocket
// connections. Every route is in routes.go; handlers return errors and one
// function turns them into responses. It holds no SQL of the modules; the
// services it calls check permissions.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/live"
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/search"
)

// Server holds what the handlers need.
type Server struct {
	cfg      *config.Config
	pool     *pgxpool.Pool
	accounts *account.Service
	bip      *bip.Service
	council  *council.Service
	pb       *participation.Service
	log      *slog.Logger
	pages    *templates
	oidc     *oidcClient
	metrics  *metrics
	handler  http.Handler
	router   chi.Router

	mailer   *mail.Mailer
	saved    *search.SavedSearches
	live     *live.Hub
	stopLive func()
	search   *searchState // search.go

	mu       sync.Mutex
	shutdown []func(context.Context) // run on graceful shutdown (e.g. closing websockets)
}

// Deps are the services a Server is built on.
type Deps struct {
	Config *config.Config
	Pool   *pgxpool.Pool
	Secret []byte // the server's secret, kept outside the database (config.Secret)
	Log    *slog.Logger
}

// New builds a Server.
func New(d Deps) (*Server, error) {
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      d.Config,
		pool:     d.Pool,
		accounts: account.NewService(d.Pool),
		bip:      bip.NewService(d.Pool),
		council:  council.NewService(d.Pool),
		pb:       participation.NewService(d.Pool),
		saved:    search.NewSavedSearches(d.Pool),
		log:      d.Log,
		pages:    pages,
		metrics:  newMetrics(),
		live:     live.New(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if len(d.Secret) < 32 {
		return nil, errors.New("web: the server's secret is missing (config.Secret)")
	}
	s.pb.SetVoterKey(d.Secret)
	s.mailer = &mail.Mailer{URL: d.Config.SMTPURL, From: "ratusz@" + d.Config.BaseURL.Hostname(),
		Spool: filepath.Join(d.Config.DataDir, "mail"), Log: s.log}
	if d.Config.OIDCEnabled() {
		s.oidc = newOIDCClient(d.Config)
	}
	s.handler = s.routes()
	if err := s.startSearch(); err != nil { // search.go
		return nil, err
	}
	s.startLive()
	return s, nil
}

// Router returns the router, for tests that walk the routes.
func (s *Server) Router() chi.Router { return s.router }

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// OnShutdown registers fn to run when the server shuts down gracefully.
func (s *Server) OnShutdown(fn func(context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdown = append(s.shutdown, fn)
}

// Shutdown runs the registered shutdown hooks.
func (s *Server) Shutdown(ctx context.Context) {
	s.mu.Lock()
	hooks := s.shutdown
	s.mu.Unlock()
	for _, fn := range hooks {
		fn(ctx)
	}
}

// Close releases what the server holds once it no longer serves: it writes
// the BIP view counts still in memory and stops the live relay.
func (s *Server) Close() {
	s.stopSearch()
	s.live.Shutdown()
	s.stopLive()
	s.bip.Close()
}

// HTTPServer returns an http.Server for the handler with timeouts set.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ratusz_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ratusz_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration,
	)
	return m
}
