package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/participation/pabulib"
	"github.com/ratusz/ratusz/web/httpx"
)

// participationPages adds the participatory budget's pages.
func (s *Server) participationPages(r chi.Router) {
	r.Get("/budzet-obywatelski", s.page(s.pbHome))
	r.Get("/budzet-obywatelski/nowa", s.page(s.pbNewEditionForm))
	r.Post("/budzet-obywatelski/nowa", s.page(s.pbCreateEdition))
	r.Get("/budzet-obywatelski/{id}", s.page(s.pbEdition))
	r.Post("/budzet-obywatelski/{id}/etap", s.page(s.pbPhase))
	r.Get("/budzet-obywatelski/{id}/zglos", s.page(s.pbSubmitForm))
	r.Post("/budzet-obywatelski/{id}/zglos", s.page(s.pbSubmit))
	r.Get("/budzet-obywatelski/{id}/glosuj", s.page(s.pbVoteForm))
	r.Post("/budzet-obywatelski/{id}/glosuj", s.page(s.pbVote))
	r.Post("/budzet-obywatelski/{id}/potwierdzenie", s.page(s.pbReceiptFile))
	r.Get("/budzet-obywatelski/{id}/karta-papierowa", s.page(s.pbVoteForm))
	r.Post("/budzet-obywatelski/{id}/karta-papierowa", s.page(s.pbVote))
	r.Get("/budzet-obywatelski/{id}/karty", s.page(s.pbBallots))
	r.Get("/budzet-obywatelski/{id}/wyniki", s.page(s.pbResults))
	r.Get("/budzet-obywatelski/{id}/pule/{district}.pb", s.page(s.pbExport))
	r.Get("/budzet-obywatelski/projekty/{id}", s.page(s.pbProject))
	r.Get("/budzet-obywatelski/pliki/{id}/{name}", s.page(s.pbFile))
	r.Post("/budzet-obywatelski/projekty/{id}/weryfikacja", s.page(s.projectAction(s.pbVerify)))
	r.Post("/budzet-obywatelski/projekty/{id}/odwolanie", s.page(s.projectAction(s.pbAppeal)))
}

func isPBOfficer(r *http.Request) bool {
	return ratusz.ActorFromContext(r.Context()).Has(ratusz.RolePBOfficer)
}

type pbHomePage struct {
	Page
	Editions []*participation.Edition
	Officer  bool
}

func (*pbHomePage) template() string { return "pb_home" }

func (s *Server) pbHome(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Participation.Editions(r.Context())
	if err != nil {
		return err
	}
	p := &pbHomePage{Editions: list, Officer: isPBOfficer(r)}
	p.Title = "pb.title"
	p.Section = "budget"
	s.render(w, r, http.StatusOK, p)
	return nil
}

type pbEditionPage struct {
	Page
	E        *participation.Edition
	Pools    []pbPool
	Officer  bool
	HasVoted bool
	MayVote  bool   // a resident, or someone not signed in (asked to sign in)
	Chosen   string // the phase in the form: the edition's, or the one just refused
	Phases   []string
	Follow   *followBox
}

func (*pbEditionPage) template() string { return "pb_edition" }

type pbPool struct {
	District *participation.District
	Projects []*participation.PBProject
}

// PhaseDone reports whether a phase is behind the edition.
func (p *pbEditionPage) PhaseDone(phase string) bool {
	for _, x := range p.Phases {
		if x == p.E.Phase {
			return false
		}
		if x == phase {
			return true
		}
	}
	return false
}

func (s *Server) loadEdition(r *http.Request) (*participation.Edition, error) {
	return httpx.Load(r, "id", s.Participation.Edition)
}

// pools groups projects by pool; the public sees those on the ballot once
// verification is over, and every submitted one before (with its status).
func pools(e *participation.Edition, projects []*participation.PBProject) []pbPool {
	var out []pbPool
	for _, d := range e.Districts {
		bp := pbPool{District: d}
		for _, p := range projects {
			if p.DistrictID == d.ID {
				bp.Projects = append(bp.Projects, p)
			}
		}
		out = append(out, bp)
	}
	return out
}

func (s *Server) pbEdition(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	notice := ""
	if r.URL.Query().Get("zapisano") != "" {
		notice = "pb.saved"
	}
	return s.renderEdition(w, r, http.StatusOK, e, notice, nil)
}

func (s *Server) renderEdition(w http.ResponseWriter, r *http.Request, code int, e *participation.Edition, notice string, errs map[string]string) error {
	projects, err := s.Participation.Projects(r.Context(), e.ID, e.OnlyAccepted(r.Context()))
	if err != nil {
		return err
	}
	a := ratusz.ActorFromContext(r.Context())
	p := &pbEditionPage{E: e, Pools: pools(e, projects), Officer: isPBOfficer(r), Phases: participation.Phases,
		MayVote: a.Anonymous() || a.Has(ratusz.RoleResident), Chosen: e.Phase}
	if errs != nil && r.PostForm.Get("phase") != "" {
		p.Chosen = r.PostForm.Get("phase")
	}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Errors = errs
	if p.Follow, err = s.followBox(r, &p.Page, notify.TargetEdition, e.ID, e.Name); err != nil {
		return err
	}
	if p.HasVoted, err = s.Participation.HasVoted(r.Context(), e.ID); err != nil {
		return err
	}
	p.Title = "pb.edition.title"
	p.TitleArgs = []any{e.Name}
	p.Section = "budget"
	if notice != "" {
		p.Notice = p.T(notice)
	}
	s.render(w, r, code, p)
	return nil
}

type pbBallotKeyPage struct {
	Page
	E   *participation.Edition
	Key string
}

func (*pbBallotKeyPage) template() string { return "pb_ballot_key" }

func (s *Server) pbPhase(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	key, err := s.Participation.SetPhase(r.Context(), e.ID, participation.PhaseChange{Phase: r.PostForm.Get("phase"), BallotKey: r.PostForm.Get("ballot_key")})
	if err != nil {
		return s.showAgain(r, err, "phase", func(errs map[string]string) error {
			return s.renderEdition(w, r, httpx.Status(err), e, "", errs)
		})
	}
	if key != "" {
		// Shown once: the page is not kept by the browser or any cache.
		w.Header().Set("Cache-Control", "no-store")
		p := &pbBallotKeyPage{E: e, Key: key}
		p.Title = "pb.key.title"
		p.Section = "budget"
		s.render(w, r, http.StatusOK, p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/budzet-obywatelski/%d?zapisano=1", e.ID), http.StatusSeeOther)
	return nil
}

type pbEditionFormPage struct {
	Page
	Form map[string]string
}

func (*pbEditionFormPage) template() string { return "pb_edition_new" }

func (p *pbEditionFormPage) VoteTypes() []string {
	return []string{"approval", "choose-1", "cumulative", "scoring", "ordinal"}
}

func (p *pbEditionFormPage) VoteTypeLabels() []string {
	var out []string
	for _, v := range p.VoteTypes() {
		out = append(out, p.T("pb.vote_type."+v))
	}
	return out
}

func (p *pbEditionFormPage) Rules() []string { return pabulib.Rules() }

func (p *pbEditionFormPage) RuleLabels() []string {
	var out []string
	for _, r := range p.Rules() {
		out = append(out, p.T("pb.rule."+strings.NewReplacer("/", "_", "-", "_").Replace(r)))
	}
	return out
}

// Phases lists the phases for the schedule's date fields.
func (p *pbEditionFormPage) Phases() []string { return participation.Phases }

func (s *Server) pbNewEditionForm(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RolePBOfficer); err != nil {
		return err
	}
	return s.renderEditionForm(w, r, http.StatusOK, map[string]string{"vote_type": "approval", "rule": "greedy", "min_length": "1"}, nil)
}

func (s *Server) renderEditionForm(w http.ResponseWriter, r *http.Request, code int, form, errs map[string]string) error {
	p := &pbEditionFormPage{Form: form}
	p.Title = "pb.new.title"
	p.Section = "budget"
	p.Errors = errs
	s.render(w, r, code, p)
	return nil
}

// readEditionForm reads the new edition's form; pools are lines of
// "name; amount", the first line's pool being the city-wide one when
// "citywide" is ticked.
func readEditionForm(r *http.Request) (map[string]string, participation.EditionInput, error) {
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	in := participation.EditionInput{Name: form["name"], VoteType: pabulib.VoteType(form["vote_type"]), Rule: form["rule"],
		RequireVerified: form["require_verified"] == "1", Schedule: map[string]string{}}
	num := func(field string, dst **int) error {
		if form[field] == "" {
			return nil
		}
		n, err := strconv.Atoi(form[field])
		if err != nil || n < 0 {
			return ratusz.Invalid(field, "err.number")
		}
		*dst = &n
		return nil
	}
	var err error
	if in.Year, err = strconv.Atoi(form["year"]); err != nil {
		return form, in, ratusz.Invalid("year", "err.number")
	}
	var minLen *int
	for field, dst := range map[string]**int{"min_length": &minLen, "max_length": &in.MaxLength, "max_points": &in.MaxPoints, "max_sum_points": &in.MaxSumPoints} {
		if err := num(field, dst); err != nil {
			return form, in, err
		}
	}
	if minLen != nil {
		in.MinLength = *minLen
	}
	if form["max_sum_cost"] != "" {
		v, ok := parseGrosze(form["max_sum_cost"])
		if !ok {
			return form, in, ratusz.Invalid("max_sum_cost", "err.number")
		}
		in.MaxSumCost = &v
	}
	for _, c := range strings.Split(form["categories"], ",") {
		if c = strings.TrimSpace(c); c != "" {
			in.Categories = append(in.Categories, c)
		}
	}
	for _, ph := range participation.Phases {
		if d := form["date_"+ph]; d != "" {
			in.Schedule[ph] = d
		}
	}
	for i, line := range strings.Split(form["pools"], "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		name, amount, ok := strings.Cut(line, ";")
		v, good := parseGrosze(amount)
		if !ok || !good {
			return form, in, ratusz.Invalid("pools", "err.pb.pool_line", line)
		}
		in.Districts = append(in.Districts, participation.DistrictInput{Name: name, Budget: v, Citywide: i == 0 && form["citywide"] == "1"})
	}
	return form, in, nil
}

func (s *Server) pbCreateEdition(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RolePBOfficer); err != nil {
		return err
	}
	form, in, err := readEditionForm(r)
	var e *participation.Edition
	if err == nil {
		e, err = s.Participation.CreateEdition(r.Context(), in)
	}
	if err != nil {
		if f := ratusz.ErrorField(err); f == "districts" {
			err.(*ratusz.Error).Field = "pools"
		} else if f == "schedule" {
			err.(*ratusz.Error).Field = "date_submission"
		}
		return s.showAgain(r, err, "name", func(errs map[string]string) error { return s.renderEditionForm(w, r, httpx.Status(err), form, errs) })
	}
	http.Redirect(w, r, fmt.Sprintf("/budzet-obywatelski/%d?zapisano=1", e.ID), http.StatusSeeOther)
	return nil
}

type pbSubmitPage struct {
	Page
	E    *participation.Edition
	Form map[string]string
}

func (*pbSubmitPage) template() string { return "pb_submit" }

// DistrictValues and DistrictLabels list the pools for the select.
func (p *pbSubmitPage) DistrictValues() []string {
	var out []string
	for _, d := range p.E.Districts {
		out = append(out, strconv.FormatInt(d.ID, 10))
	}
	return out
}

func (p *pbSubmitPage) DistrictLabels() []string {
	var out []string
	for _, d := range p.E.Districts {
		out = append(out, d.Name+" ("+participation.FormatPLN(d.Budget)+")")
	}
	return out
}

// CategoryValues lists the edition's categories, with "none" first.
func (p *pbSubmitPage) CategoryValues() []string { return append([]string{""}, p.E.Categories...) }

func (p *pbSubmitPage) CategoryLabels() []string {
	return append([]string{p.T("pb.no_category")}, p.E.Categories...)
}

func (s *Server) pbSubmitForm(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	return s.renderSubmit(w, r, http.StatusOK, e, map[string]string{}, nil)
}

func (s *Server) renderSubmit(w http.ResponseWriter, r *http.Request, code int, e *participation.Edition, form, errs map[string]string) error {
	p := &pbSubmitPage{E: e, Form: form}
	p.Title = "pb.submit.title"
	p.Section = "budget"
	p.Errors = errs
	s.render(w, r, code, p)
	return nil
}

// parseGrosze reads an amount in złoty as people type it: "12 500,50".
func parseGrosze(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "zł", "").Replace(strings.TrimSpace(s))
	v, err := pabulib.ParseAmount(strings.Replace(s, ",", ".", 1), 2)
	return v, err == nil && v > 0
}

func (s *Server) pbSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"district", "title", "description", "place", "category", "cost_items"} {
		form[k] = r.PostForm.Get(k)
	}
	var files []participation.File
	uploaded, err := httpx.Uploads(r, "files")
	if err != nil {
		return s.showAgain(r, err, "files", func(errs map[string]string) error {
			return s.renderSubmit(w, r, httpx.Status(err), e, form, errs)
		})
	}
	for _, a := range uploaded {
		files = append(files, participation.File{Name: a.Name, Data: a.Data})
	}
	in := participation.ProjectInput{Title: form["title"], Description: form["description"], Place: form["place"], Category: form["category"], Files: files}
	in.District, _ = strconv.ParseInt(form["district"], 10, 64)
	// The estimate: one line per item, "item; amount".
	for _, line := range strings.Split(form["cost_items"], "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		item, amount, ok := strings.Cut(line, ";")
		cost, good := parseGrosze(amount)
		if !ok || !good {
			return s.renderSubmit(w, r, http.StatusBadRequest, e, form, map[string]string{"cost_items": p(s, r, "pb.submit.cost_line", line)})
		}
		in.CostItems = append(in.CostItems, participation.CostItem{Item: item, Cost: cost})
	}
	proj, err := s.Participation.SubmitProject(r.Context(), e.ID, in)
	if err != nil {
		return s.showAgain(r, err, "title", func(errs map[string]string) error { return s.renderSubmit(w, r, httpx.Status(err), e, form, errs) })
	}
	http.Redirect(w, r, fmt.Sprintf("/budzet-obywatelski/projekty/%d?zapisano=1", proj.ID), http.StatusSeeOther)
	return nil
}

// p translates a message for the request's reader.
func p(s *Server, r *http.Request, key string, args ...any) string {
	pg := &Page{Lang: s.lang(r)}
	return pg.T(key, args...)
}

type pbProjectPage struct {
	Page
	P        *participation.PBProject
	Files    []*participation.File
	E        *participation.Edition
	District *participation.District
	Officer  bool
	Author   bool
}

func (*pbProjectPage) template() string { return "pb_project" }

func (s *Server) pbProject(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	proj, err := s.Participation.Project(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderProject(w, r, http.StatusOK, proj, nil)
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, code int, proj *participation.PBProject, errs map[string]string) error {
	e, err := s.Participation.Edition(r.Context(), proj.EditionID)
	if err != nil {
		return err
	}
	a := ratusz.ActorFromContext(r.Context())
	p := &pbProjectPage{P: proj, E: e, District: e.District(proj.DistrictID), Officer: isPBOfficer(r),
		Author: proj.SubmittedBy != nil && *proj.SubmittedBy == a.UserID}
	p.Lang = s.lang(r) // the handler translates messages before render
	if p.Files, err = s.Participation.Files(r.Context(), proj.ID); err != nil {
		return err
	}
	p.Title = "pb.project.title"
	p.TitleArgs = []any{proj.Title}
	p.Section = "budget"
	p.Errors = errs
	if r.URL.Query().Get("zapisano") != "" {
		p.Notice = p.T("pb.saved")
	}
	s.render(w, r, code, p)
	return nil
}

// pbFile serves a project's attachment, as BIP serves its own.
func (s *Server) pbFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.Participation.FileData(r.Context(), id)
	if err != nil {
		return err
	}
	serveFile(w, &bip.Attachment{Name: f.Name, ContentType: f.ContentType, SHA256: f.SHA256}, f.Data)
	return nil
}

// projectAction runs one of a project page's forms (verification, an
// appeal); the service decides who may.
func (s *Server) projectAction(act formAction[*participation.PBProject]) handlerFunc {
	return editPage[*participation.PBProject]{
		allow: func(*http.Request) error { return nil },
		load: func(r *http.Request) (*participation.PBProject, error) {
			return httpx.Load(r, "id", s.Participation.Project)
		},
		fieldOf: func(err error) error { return err },
		render: func(w http.ResponseWriter, r *http.Request, code int, proj *participation.PBProject, _, errs map[string]string) error {
			return s.renderProject(w, r, code, proj, errs)
		},
		saved: func(proj *participation.PBProject, _ string) string {
			return fmt.Sprintf("/budzet-obywatelski/projekty/%d?zapisano=1", proj.ID)
		},
	}.action(s, "form", act)
}

func (s *Server) pbVerify(r *http.Request, proj *participation.PBProject) (map[string]string, string, error) {
	_, err := s.Participation.Verify(r.Context(), proj.ID, r.PostForm.Get("status"), r.PostForm.Get("justification"))
	return nil, "", err
}

func (s *Server) pbAppeal(r *http.Request, proj *participation.PBProject) (map[string]string, string, error) {
	_, err := s.Participation.Appeal(r.Context(), proj.ID, r.PostForm.Get("appeal"))
	return nil, "", err
}
