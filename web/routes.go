package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the site in one place.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	s.router = r
	r.Use(middleware.RequestID, s.logRequests, middleware.Recoverer, securityHeaders, s.limitBodies, s.authenticate)

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	r.Handle("/static/*", staticHandler())
	r.Get("/favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently).ServeHTTP)

	// Pages.
	r.Get("/", s.page(s.home))
	r.Get("/lang/{lang}", s.page(s.switchLanguage))
	r.Get("/deklaracja-dostepnosci", s.page(s.accessibilityStatement))
	for _, sec := range sections {
		r.Get(sec.Path, s.page(s.section(sec)))
	}
	r.Get("/login", s.page(s.loginForm))
	r.Post("/login", s.page(s.login))
	r.Post("/logout", s.page(s.logout))
	r.Get("/auth/oidc/login", s.page(s.oidcLogin))
	r.Get("/auth/oidc/callback", s.page(s.oidcCallback))

	r.Get("/admin/users", s.page(s.adminUsers))
	r.Get("/admin/users/new", s.page(s.adminUserNew))
	r.Post("/admin/users", s.page(s.adminUserCreate))
	r.Get("/admin/users/{id}", s.page(s.adminUserEdit))
	r.Post("/admin/users/{id}", s.page(s.adminUserUpdate))

	// JSON API. Keep api/openapi.json in step (TestOpenAPIMatchesRoutes).
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/openapi.json", s.openAPI)
		r.Get("/me", s.api(s.apiMe))
		r.Get("/users", s.api(s.apiUsers))
		r.Post("/users", s.api(s.apiCreateUser))
		r.Get("/users/{id}", s.api(s.apiUser))
		r.NotFound(s.api(s.apiNotFound))
		r.MethodNotAllowed(s.api(s.apiMethodNotAllowed))
	})

	r.NotFound(s.page(s.notFound))
	r.MethodNotAllowed(s.page(s.methodNotAllowed))

	// Every state-changing request must come from our own pages: browsers
	// say where a request comes from (Sec-Fetch-Site, Origin) and
	// cross-site ones are refused.
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host); err != nil {
		s.log.Warn("origin check: base URL not trusted", "err", err)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errCrossOrigin)
	}))
	return cop.Handler(r)
}
