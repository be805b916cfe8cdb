// Package api serves the JSON API under /api/v1, for the office's own tools
// and anyone's software: accounts, BIP and its log, the council's bodies,
// sessions and named votes, consultations, participatory budgeting and
// search. Every answer is a typed struct (module types where they already
// are what is answered), errors are httpx's JSON error body, and the
// services it calls check permissions. web/routes.go mounts it; it knows
// nothing of the pages. openapi.json documents every route and is served as
// it is; TestOpenAPIMatchesRoutes keeps the two in step.
package api

import (
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/search"
	"github.com/ratusz/ratusz/web/httpx"
)

// Services are the modules the API answers from.
type Services struct {
	Accounts      *account.Service
	BIP           *bip.Service
	Council       *council.Service
	Consultations *consultations.Service
	Participation *participation.Service
	Index         search.Index
	Notify        *notify.Service
}

// API serves the JSON API.
type API struct {
	Services
	base string // the site's base URL, for the links in answers
	log  *slog.Logger
}

// New returns the JSON API of a site at base; log takes its internal errors.
func New(s Services, base string, log *slog.Logger) *API {
	return &API{Services: s, base: base, log: log}
}

// Routes serves every route of the API under the router's prefix (/api/v1).
func (a *API) Routes(r chi.Router) {
	r.Get("/openapi.json", openAPI)
	// Accounts (users.go).
	r.Get("/me", a.json(a.me))
	r.Get("/users", a.json(a.users))
	r.Post("/users", a.json(a.createUser))
	r.Get("/users/{id}", a.json(a.user))
	// Follows and the phone for SMS (follows.go).
	r.Post("/follows", a.json(a.follow))
	r.Get("/follows", a.json(a.follows))
	r.Delete("/follows/{id}", a.json(a.unfollow))
	r.Put("/me/contact", a.json(a.contact))
	r.Post("/me/contact/verify", a.json(a.verifyContact))
	// BIP (bip.go).
	r.Get("/categories", a.json(a.categories))
	r.Post("/publications", a.json(a.createPublication))
	r.Get("/publications/{id}", a.json(a.publication))
	r.Put("/publications/{id}", a.json(a.revisePublication))
	r.Get("/publications/{id}/versions", a.json(a.publicationVersions))
	r.Post("/publications/{id}/withdraw", a.json(a.withdrawPublication))
	r.Get("/bip/log", a.json(a.bipLog))
	r.Get("/bip/log/check", a.json(a.bipLogCheck))
	// e-Rada (council.go).
	r.Post("/bodies", a.json(officeCreate(a.createBody)))
	r.Post("/bodies/{id}/councillors", a.json(officeCreate(a.addCouncillor)))
	r.Put("/councillors/{id}/gender", a.json(a.councillorGender))
	r.Post("/sessions", a.json(officeCreate(a.createSession)))
	r.Get("/sessions/{id}", a.json(a.session))
	r.Put("/sessions/{id}", a.json(a.updateSession))
	r.Post("/sessions/{id}/announce", a.json(a.announceSession))
	r.Post("/sessions/{id}/start", a.json(a.startSession))
	r.Post("/sessions/{id}/close", a.json(a.closeSession))
	r.Post("/sessions/{id}/current", a.json(a.currentItem))
	r.Post("/sessions/{id}/agenda", a.json(officeCreate(a.addAgendaItem)))
	r.Post("/sessions/{id}/agenda-changes", a.json(officeCreate(a.proposeAgendaChange)))
	r.Post("/agenda/{id}/files", a.json(a.agendaFile))
	r.Post("/bodies/{id}/terms", a.json(officeCreate(a.createTerm)))
	r.Post("/sessions/{id}/attendance", a.json(a.attendance))
	r.Post("/sessions/{id}/attendance/all", a.json(a.allPresent))
	// The running sitting (sitting.go).
	r.Get("/sessions/{id}/speakers", a.json(a.speakers))
	r.Post("/sessions/{id}/speakers", a.json(a.requestSpeech))
	r.Put("/sessions/{id}/speakers/order", a.json(a.orderSpeakers))
	r.Post("/sessions/{id}/speakers/{speech}/grant", a.json(a.grantFloor))
	r.Post("/sessions/{id}/speakers/{speech}/end", a.json(a.endSpeech))
	r.Post("/sessions/{id}/speakers/{speech}/time", a.json(a.addTime))
	r.Delete("/sessions/{id}/speakers/{speech}", a.json(a.withdrawSpeech))
	r.Put("/sessions/{id}/limits", a.json(a.limits))
	r.Post("/sessions/{id}/breaks", a.json(a.breaks))
	r.Get("/sessions/{id}/timeline", a.json(a.timeline))
	r.Post("/votes", a.json(officeCreate(a.createVote)))
	r.Get("/votes", a.json(a.votes))
	r.Get("/votes/{id}", a.json(a.vote))
	r.Post("/votes/{id}/open", a.json(a.openVote))
	r.Post("/votes/{id}/ballots", a.json(a.castBallot))
	r.Post("/votes/{id}/close", a.json(a.closeVote))
	r.Post("/votes/{id}/cancel", a.json(a.cancelVote))
	// Consultations (consultations.go).
	r.Get("/consultations", a.json(a.consultations))
	r.Post("/consultations", a.json(a.createConsultation))
	r.Get("/consultations/{id}", a.json(a.consultation))
	r.Put("/consultations/{id}", a.json(a.updateConsultation))
	r.Post("/consultations/{id}/open", a.json(a.consultationState(true)))
	r.Post("/consultations/{id}/close", a.json(a.consultationState(false)))
	r.Post("/consultations/{id}/documents", a.json(a.consultationDocument))
	r.Post("/consultations/{id}/responses", a.json(a.respond(false)))
	r.Put("/consultations/{id}/responses/mine", a.json(a.respond(true)))
	r.Get("/consultations/{id}/responses/mine", a.json(a.myResponse))
	r.Get("/consultations/{id}/results", a.json(a.consultationResults))
	r.Get("/consultations/{id}/remarks", a.json(a.remarks))
	r.Post("/consultations/{id}/remarks", a.json(a.addRemark))
	r.Put("/consultations/{id}/remarks/{remark}/answer", a.json(a.answerRemark))
	// Participatory budgeting (participation.go).
	r.Post("/pb/editions", a.json(a.createEdition))
	r.Get("/pb/editions/{id}", a.json(a.edition))
	r.Post("/pb/editions/{id}/phase", a.json(a.editionPhase))
	r.Post("/pb/editions/{id}/projects", a.json(a.submitProject))
	r.Post("/pb/projects/{id}/verification", a.json(a.verifyProject))
	r.Post("/pb/editions/{id}/ballots", a.json(a.castPBBallot))
	r.Get("/pb/editions/{id}/results", a.json(a.pbResults))
	// Search (search.go).
	r.Get("/search", a.json(a.search))

	r.NotFound(a.json(notFound))
	r.MethodNotAllowed(a.json(notFound))
}

// json adapts a handler: its errors are answered as JSON.
func (a *API) json(h httpx.Handler) http.HandlerFunc { return httpx.JSON(a.log, h) }

//go:embed openapi.json
var openAPIDoc []byte

func openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}

func notFound(w http.ResponseWriter, r *http.Request) error {
	return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
}

// Answers that several modules give.

// List is a list and its total.
type List[T any] struct {
	Data  []T `json:"data"`
	Total int `json:"total"`
}

// Items is a list without a total.
type Items[T any] struct {
	Data []T `json:"data"`
}

// Created answers a create with the new object's id.
type Created struct {
	ID int64 `json:"id"`
}

// Stored answers an upload with the file's id and its address.
type Stored struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// File is a stored file as lists show it.
type File struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// idAndBody reads, for a signed-in caller, the path's id and the JSON body:
// the start of every action on one object.
func idAndBody[T any](r *http.Request) (int64, T, error) {
	var in T
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return 0, in, err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, in, err
	}
	return id, in, httpx.DecodeJSON(r, &in)
}
