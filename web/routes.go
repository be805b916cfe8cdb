package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/web/api"
	"github.com/ratusz/ratusz/web/oparl"
)

// routes lists every route of the site in one place.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	s.router = r
	r.Use(middleware.RequestID, s.logRequests, middleware.Recoverer, s.securityHeaders, s.limitBodies, s.authenticate, s.readForms)

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
		if !sec.Built {
			r.Get(sec.Path, s.page(s.section(sec)))
		}
	}
	r.Get("/login", s.page(s.loginForm))
	r.Post("/login", s.page(s.login))
	r.Post("/logout", s.page(s.logout))
	r.Get("/auth/oidc/login", s.page(s.oidcLogin))
	r.Get("/auth/oidc/callback", s.page(s.oidcCallback))

	// BIP.
	r.Get("/bip", s.page(s.bipHome))
	r.Get("/bip/feed.atom", s.bipFeed)
	r.Get("/bip/kategoria/{slug}", s.page(s.bipCategory))
	r.Get("/bip/kategoria/{slug}/feed.atom", s.bipFeed)
	r.Get("/bip/rejestr-zmian", s.page(s.bipChanges))
	r.Get("/bip/publikacje/{id}", s.page(s.bipPublication))
	r.Get("/bip/publikacje/{id}/wersje", s.page(s.bipVersions))
	r.Get("/bip/publikacje/{id}/wersje/{version}", s.page(s.bipVersion))
	r.Get("/bip/publikacje/{id}/druk", s.page(s.bipPrint))
	r.Get("/bip/zalaczniki/{id}/{name}", s.page(s.bipAttachment))
	r.Get("/bip/redakcja/nowa", s.page(s.bipNewForm))
	r.Post("/bip/redakcja/nowa", s.page(s.bipCreate))
	r.Get("/bip/publikacje/{id}/edycja", s.page(s.bipEditForm))
	r.Post("/bip/publikacje/{id}/edycja", s.page(s.bipRevise))
	r.Get("/bip/publikacje/{id}/wycofanie", s.page(s.bipWithdrawForm))
	r.Post("/bip/publikacje/{id}/wycofanie", s.page(s.bipWithdraw))
	// e-Rada.
	r.Get("/rada", s.page(s.councilHome))
	r.Get("/rada/kalendarz.ics", s.page(s.councilCalendar))
	r.Get("/rada/kalendarz", s.page(s.councilCalendarPage))
	r.Get("/rada/uchwaly", s.page(s.councilResolutions))
	r.Get("/rada/kluby", s.page(s.councilClubs))
	r.Get("/rada/glosowania.csv", s.page(s.votesCSV))
	r.Get("/rada/glosowania/{id}.csv", s.page(s.voteCSV))
	r.Get("/rada/sesje/nowa", s.page(s.newSessionForm))
	r.Post("/rada/sesje/nowa", s.page(s.createSessionForm))
	r.Get("/rada/sesje/{id}", s.page(s.councilSession))
	r.Get("/rada/sesje/{id}/edycja", s.page(s.editSession))
	r.Post("/rada/sesje/{id}/edycja", s.page(s.sessionEditAction("form", s.updateSessionForm)))
	r.Post("/rada/sesje/{id}/porzadek", s.page(s.sessionEditAction("item_title", s.addItemForm)))
	r.Post("/rada/sesje/{id}/pliki", s.page(s.sessionEditAction("file", s.addFileForm)))
	r.Post("/rada/sesje/{id}/oglos", s.page(s.sessionEditAction("announce", s.announceForm)))
	r.Get("/rada/pliki/{id}/{name}", s.page(s.agendaFile))
	r.Get("/rada/radni/{id}", s.page(s.councillorProfile))
	r.Get("/rada/interpelacje", s.page(s.interpellations))
	r.Get("/rada/interpelacje/nowa", s.page(s.fileInterpellationForm))
	r.Post("/rada/interpelacje/nowa", s.page(s.fileInterpellation))
	r.Get("/rada/interpelacje/{id}", s.page(s.interpellation))
	r.Post("/rada/interpelacje/{id}/odpowiedz", s.page(s.answerInterpellation))
	r.Get("/rada/glosowania/{id}", s.page(s.councilVote))
	r.Get("/rada/sesje/{id}/urzadzenie", s.page(s.councilDevice))
	r.Post("/rada/sesje/{id}/urzadzenie", s.page(s.deviceAction))
	r.Get("/rada/sesje/{id}/prowadzenie", s.page(s.councilConsole))
	r.Post("/rada/sesje/{id}/obecnosc", s.page(s.consoleAction(s.consoleAttendance)))
	r.Post("/rada/sesje/{id}/glosowania", s.page(s.consoleAction(s.consoleCreateVote)))
	r.Post("/rada/sesje/{id}/otworz", s.page(s.consoleAction(s.consoleOpenVote)))
	r.Post("/rada/sesje/{id}/stan", s.page(s.consoleAction(s.consoleState)))
	r.Post("/rada/sesje/{id}/biezacy", s.page(s.consoleAction(s.consoleCurrent)))
	r.Post("/rada/sesje/{id}/wyczytanie", s.page(s.consoleAction(s.consoleRollCall)))
	r.Post("/rada/sesje/{id}/zmiana-porzadku", s.page(s.consoleAction(s.consoleAgendaChange)))
	r.Post("/rada/sesje/{id}/zamknij", s.page(s.consoleAction(s.consoleCloseVote)))
	r.Post("/rada/sesje/{id}/uniewaznij", s.page(s.consoleAction(s.consoleCancelVote)))
	r.Post("/rada/sesje/{id}/obecnosc/wszyscy", s.page(s.consoleAction(s.consoleAllPresent)))
	r.Post("/rada/sesje/{id}/mowcy", s.page(s.consoleAction(s.consoleSpeakers)))
	r.Post("/rada/sesje/{id}/czasy", s.page(s.consoleAction(s.consoleLimits)))
	r.Post("/rada/sesje/{id}/przerwa", s.page(s.consoleAction(s.consoleBreak)))
	r.Get("/rada/sesje/{id}/ekran", s.page(s.councilScreen))
	r.Get("/live/sessions/{id}", s.page(s.liveSession))
	s.consultationPages(r)  // consultations.go
	s.participationPages(r) // participation.go
	s.searchPages(r)        // search.go
	s.notifyPages(r)        // notify.go
	// Open data: OParl 1.1 and the vote-event extension.
	r.Route("/oparl/v1", oparl.New(s.Council, s.Config.BaseURL.String(), s.Config.Municipality, s.Log).Routes)
	r.Get("/sitemap.xml", s.sitemap)
	r.Get("/sitemap/{part}.xml", s.sitemapPart)

	// Admins only: the group refuses everyone else (401 or 403) before any
	// handler runs; the services check again.
	r.Route("/admin", func(r chi.Router) {
		r.Use(s.require(ratusz.RoleAdmin))
		r.Get("/bip/kategorie", s.page(s.adminCategories))
		r.Get("/bip/kategorie/nowa", s.page(s.adminCategoryForm))
		r.Post("/bip/kategorie/nowa", s.page(s.adminCategorySave))
		r.Get("/bip/kategorie/{slug}", s.page(s.adminCategoryForm))
		r.Post("/bip/kategorie/{slug}", s.page(s.adminCategorySave))
		r.Get("/users", s.page(s.adminUsers))
		r.Get("/users/new", s.page(s.adminUserNew))
		r.Post("/users", s.page(s.adminUserCreate))
		r.Get("/users/{id}", s.page(s.adminUserEdit))
		r.Post("/users/{id}", s.page(s.adminUserUpdate))
	})

	// JSON API. Keep api/openapi.json in step (TestOpenAPIMatchesRoutes).
	r.Route("/api/v1", api.New(api.Services{Accounts: s.Accounts, BIP: s.BIP, Council: s.Council, Consultations: s.Consultations,
		Participation: s.Participation, Index: s.Index, Notify: s.Notify}, s.Config.BaseURL.String(), s.Log).Routes)

	r.NotFound(s.page(s.notFound))
	r.MethodNotAllowed(s.page(s.methodNotAllowed))

	// Every state-changing request must come from our own pages: browsers
	// say where a request comes from (Sec-Fetch-Site, Origin) and
	// cross-site ones are refused.
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(s.Config.BaseURL.Scheme + "://" + s.Config.BaseURL.Host); err != nil {
		s.Log.Warn("origin check: base URL not trusted", "err", err)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errCrossOrigin)
	}))
	return cop.Handler(r)
}
