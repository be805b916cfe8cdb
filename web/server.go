// Package web serves Ratusz over HTTP: the pages, resident login, the
// operations endpoints and the live websocket connections, and it mounts
// the JSON API (web/api) and OParl (web/oparl). Every route is in routes.go
// or, for those two, in their Routes; handlers return errors and one
// function turns them into responses. It holds no SQL of the modules; the
// services it calls check permissions.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/live"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/search"
)

// Server holds what the handlers need.
type Server struct {
	Deps
	pages   *templates
	oidc    *oidcClient
	metrics *metrics
	handler http.Handler
	router  chi.Router
}

// Deps are what a Server serves, built by the composition root
// (cmd/ratusz/serve.go), which also runs the goroutines behind them: the
// outbox relay that feeds Live and the indexer that feeds Index.
type Deps struct {
	Config        *config.Config
	Pool          *pgxpool.Pool // for the health checks only
	Log           *slog.Logger
	Accounts      *account.Service
	BIP           *bip.Service
	Council       *council.Service
	Consultations *consultations.Service
	Participation *participation.Service
	Saved         *search.SavedSearches
	Notify        *notify.Service // follows, contacts and unsubscribe links
	Index         search.Index
	Live          *live.Hub
	Replay        live.Replay // the events a reconnecting viewer missed
}

// New builds a Server.
func New(d Deps) (*Server, error) {
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{Deps: d, pages: pages, metrics: newMetrics()}
	if d.Config.OIDCEnabled() {
		s.oidc = newOIDCClient(d.Config)
	}
	s.handler = s.routes()
	return s, nil
}

// Router returns the router, for tests that walk the routes.
func (s *Server) Router() chi.Router { return s.router }

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for the handler with timeouts set.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              s.Config.Addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
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
