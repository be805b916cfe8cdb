package web

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
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
	r.Get("/budzet-obywatelski/{id}/karta-papierowa", s.page(s.pbVoteForm))
	r.Post("/budzet-obywatelski/{id}/karta-papierowa", s.page(s.pbVote))
	r.Get("/budzet-obywatelski/{id}/karty", s.page(s.pbBallots))
	r.Get("/budzet-obywatelski/{id}/wyniki", s.page(s.pbResults))
	r.Get("/budzet-obywatelski/{id}/pule/{district}.pb", s.page(s.pbExport))
	r.Get("/budzet-obywatelski/projekty/{id}", s.page(s.pbProject))
	r.Get("/budzet-obywatelski/pliki/{id}/{name}", s.page(s.pbFile))
	r.Post("/budzet-obywatelski/projekty/{id}/weryfikacja", s.page(s.pbVerify))
	r.Post("/budzet-obywatelski/projekty/{id}/odwolanie", s.page(s.pbAppeal))
}

func isPBOfficer(r *http.Request) bool {
	return ratusz.ActorFromContext(r.Context()).Has(ratusz.RolePBOfficer)
}

type pbHomePage struct {
	Page
	Editions []*participation.Edition
	Officer  bool
}

func (s *Server) pbHome(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Participation.Editions(r.Context())
	if err != nil {
		return err
	}
	p := &pbHomePage{Editions: list, Officer: isPBOfficer(r)}
	p.Title = "pb.title"
	p.Section = "budget"
	s.render(w, r, http.StatusOK, "pb_home", p)
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
}

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
		pool := pbPool{District: d}
		for _, p := range projects {
			if p.DistrictID == d.ID {
				pool.Projects = append(pool.Projects, p)
			}
		}
		out = append(out, pool)
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
	if p.HasVoted, err = s.Participation.HasVoted(r.Context(), e.ID); err != nil {
		return err
	}
	p.Title = "pb.edition.title"
	p.TitleArgs = []any{e.Name}
	p.Section = "budget"
	if notice != "" {
		p.Notice = p.T(notice)
	}
	s.render(w, r, code, "pb_edition", p)
	return nil
}

type pbBallotKeyPage struct {
	Page
	E   *participation.Edition
	Key string
}

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
		s.render(w, r, http.StatusOK, "pb_ballot_key", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/budzet-obywatelski/%d?zapisano=1", e.ID), http.StatusSeeOther)
	return nil
}

type pbEditionFormPage struct {
	Page
	Form map[string]string
}

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
	s.render(w, r, code, "pb_edition_new", p)
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
	s.render(w, r, code, "pb_submit", p)
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
	s.render(w, r, code, "pb_project", p)
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

func (s *Server) projectAction(act func(r *http.Request, id int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := act(r, id); err != nil {
			return s.showAgain(r, err, "form", func(errs map[string]string) error {
				proj, err2 := s.Participation.Project(r.Context(), id)
				if err2 != nil {
					return err2
				}
				return s.renderProject(w, r, httpx.Status(err), proj, errs)
			})
		}
		http.Redirect(w, r, fmt.Sprintf("/budzet-obywatelski/projekty/%d?zapisano=1", id), http.StatusSeeOther)
		return nil
	}
}

func (s *Server) pbVerify(w http.ResponseWriter, r *http.Request) error {
	return s.projectAction(func(r *http.Request, id int64) error {
		_, err := s.Participation.Verify(r.Context(), id, r.PostForm.Get("status"), r.PostForm.Get("justification"))
		return err
	})(w, r)
}

func (s *Server) pbAppeal(w http.ResponseWriter, r *http.Request) error {
	return s.projectAction(func(r *http.Request, id int64) error {
		_, err := s.Participation.Appeal(r.Context(), id, r.PostForm.Get("appeal"))
		return err
	})(w, r)
}

type pbVotePage struct {
	Page
	E        *participation.Edition
	Pools    []pbPool
	Paper    bool // an officer entering a paper ballot
	Chosen   map[int64]string
	Voter    string
	Receipt  string
	HasVoted bool
}

// Points reports whether the ballot gives points.
func (p *pbVotePage) Points() bool {
	return p.E.VoteType == pabulib.Cumulative || p.E.VoteType == pabulib.Scoring
}

func (s *Server) pbVoteForm(w http.ResponseWriter, r *http.Request) error {
	paper := strings.HasSuffix(r.URL.Path, "/karta-papierowa")
	if paper && !isPBOfficer(r) {
		return ratusz.ActorFromContext(r.Context()).Require(ratusz.RolePBOfficer)
	}
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	return s.renderVote(w, r, http.StatusOK, e, paper, map[int64]string{}, "", nil)
}

func (s *Server) renderVote(w http.ResponseWriter, r *http.Request, code int, e *participation.Edition, paper bool, chosen map[int64]string, voter string, errs map[string]string) error {
	projects, err := s.Participation.Projects(r.Context(), e.ID, true)
	if err != nil {
		return err
	}
	p := &pbVotePage{E: e, Pools: pools(e, projects), Paper: paper, Chosen: chosen, Voter: voter}
	if !paper {
		if p.HasVoted, err = s.Participation.HasVoted(r.Context(), e.ID); err != nil {
			return err
		}
	}
	p.Title = "pb.vote.title"
	if paper {
		p.Title = "pb.paper.title"
	}
	p.Section = "budget"
	p.Errors = errs
	s.render(w, r, code, "pb_vote", p)
	return nil
}

// readBallot reads the voting form: ticked projects ("p" for approval, one
// radio group "p<pool>" per pool for choose-1), or a number per project
// ("n<ID>": points, or the place in order of preference).
func readBallot(r *http.Request, e *participation.Edition, projects map[int64]*participation.PBProject) (participation.BallotInput, map[int64]string, error) {
	var in participation.BallotInput
	chosen := map[int64]string{}
	switch e.VoteType {
	case pabulib.Approval, pabulib.Choose1:
		for k, vs := range r.PostForm {
			if k != "p" && !(e.VoteType == pabulib.Choose1 && strings.HasPrefix(k, "p")) {
				continue
			}
			for _, v := range vs {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					in.Projects = append(in.Projects, id)
					chosen[id] = "1"
				}
			}
		}
		sort.Slice(in.Projects, func(i, j int) bool { return in.Projects[i] < in.Projects[j] })
	default:
		type pick struct {
			id int64
			n  int
		}
		var picks []pick
		for k, v := range r.PostForm {
			id, err := strconv.ParseInt(strings.TrimPrefix(k, "n"), 10, 64)
			if !strings.HasPrefix(k, "n") || err != nil || strings.TrimSpace(v[0]) == "" {
				continue
			}
			chosen[id] = v[0]
			code := strconv.FormatInt(id, 10)
			if p := projects[id]; p != nil {
				code = p.Code
			}
			n, err := strconv.Atoi(strings.TrimSpace(v[0]))
			if err != nil || n < 1 {
				field := "points"
				if e.VoteType == pabulib.Ordinal {
					field = "projects"
				}
				return in, chosen, ratusz.Invalid(field, "err.pb.rank", code)
			}
			picks = append(picks, pick{id, n})
		}
		sort.Slice(picks, func(i, j int) bool {
			return picks[i].n < picks[j].n || (picks[i].n == picks[j].n && picks[i].id < picks[j].id)
		})
		for i, pk := range picks {
			if e.VoteType == pabulib.Ordinal && i > 0 && picks[i-1].n == pk.n {
				return in, chosen, ratusz.Invalid("projects", "err.pb.rank_twice", pk.n)
			}
			in.Projects = append(in.Projects, pk.id)
			if e.VoteType != pabulib.Ordinal {
				in.Points = append(in.Points, pk.n)
			}
		}
	}
	return in, chosen, nil
}

type pbReceiptPage struct {
	Page
	E       *participation.Edition
	Receipt string
	Tag     string
	Paper   bool
}

func (s *Server) pbVote(w http.ResponseWriter, r *http.Request) error {
	paper := strings.HasSuffix(r.URL.Path, "/karta-papierowa")
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	projects, err := s.Participation.Projects(r.Context(), e.ID, true)
	if err != nil {
		return err
	}
	byID := map[int64]*participation.PBProject{}
	for _, p := range projects {
		byID[p.ID] = p
	}
	in, chosen, err := readBallot(r, e, byID)
	var code string
	if err != nil {
		// refused below, with the form shown again
	} else if paper {
		code, err = s.Participation.PaperBallot(r.Context(), e.ID, r.PostForm.Get("voter"), in)
	} else {
		code, err = s.Participation.CastBallot(r.Context(), e.ID, in)
	}
	if err != nil {
		return s.showAgain(r, err, "projects", func(errs map[string]string) error {
			return s.renderVote(w, r, httpx.Status(err), e, paper, chosen, r.PostForm.Get("voter"), errs)
		})
	}
	p := &pbReceiptPage{E: e, Receipt: code, Tag: participation.ReceiptTag(code), Paper: paper}
	p.Title = "pb.receipt.title"
	p.Section = "budget"
	s.render(w, r, http.StatusCreated, "pb_receipt", p)
	return nil
}

type pbBallotsPage struct {
	Page
	E          *participation.Edition
	List       []*participation.PublishedBallot
	Found      *participation.PublishedBallot
	Code       string
	Pagination pagination
}

func (s *Server) pbBallots(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	const size = 100
	list, total, err := s.Participation.Ballots(r.Context(), e.ID, (page-1)*size, size)
	if err != nil {
		return err
	}
	p := &pbBallotsPage{E: e, List: list, Pagination: newPagination(r, page, total, size), Code: r.URL.Query().Get("kod")}
	code := http.StatusOK
	if p.Code != "" {
		if p.Found, err = s.Participation.FindBallot(r.Context(), e.ID, p.Code); err != nil {
			if ratusz.ErrorCode(err) != ratusz.EINVALID {
				return err
			}
			p.Errors = map[string]string{"kod": httpx.Message(s.lang(r), err)}
			code = http.StatusNotFound
		}
	}
	p.Title = "pb.ballots.title"
	p.Section = "budget"
	s.render(w, r, code, "pb_ballots", p)
	return nil
}

type pbResultsPage struct {
	Page
	E       *participation.Edition
	Results []*participation.DistrictResult
	Charts  map[int64]template.HTML
}

func (s *Server) pbResults(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	results, err := s.Participation.Results(r.Context(), e.ID)
	if err != nil {
		return err
	}
	p := &pbResultsPage{E: e, Results: results, Charts: map[int64]template.HTML{}}
	p.Lang = s.lang(r)
	for _, res := range results {
		p.Charts[res.District.ID] = resultsChart(&p.Page, res)
	}
	p.Title = "pb.results.title"
	p.TitleArgs = []any{e.Name}
	p.Section = "budget"
	s.render(w, r, http.StatusOK, "pb_results", p)
	return nil
}

// resultsChart draws each project's votes as a bar, the winners dark; the
// same numbers are in the table under it.
func resultsChart(p *Page, res *participation.DistrictResult) template.HTML {
	var top int64 = 1
	for _, row := range res.Rows {
		top = max(top, row.Score)
	}
	var b strings.Builder
	var summary []string
	for _, row := range res.Rows {
		summary = append(summary, fmt.Sprintf("%s: %d", row.Project.Title, row.Score))
	}
	label := p.T("pb.results.chart", res.District.Name) + ": " + strings.Join(summary, "; ")
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 560 %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, len(res.Rows)*30+4, template.HTMLEscapeString(label))
	for i, row := range res.Rows {
		y := i * 30
		w := int(300 * row.Score / top)
		color := "#8aa4c2"
		if row.Selected {
			color = "#0b5394"
		}
		title := []rune(row.Project.Title)
		if len(title) > 28 {
			title = append(title[:27], '…')
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13" fill="#1b1f24">%s</text>`, y+19, template.HTMLEscapeString(string(title)))
		fmt.Fprintf(&b, `<rect x="200" y="%d" width="%d" height="22" fill="%s"></rect>`, y+4, w, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#1b1f24">%d</text>`, 206+w, y+19, row.Score)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func (s *Server) pbExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	d, err := strconv.ParseInt(strings.TrimSuffix(chi.URLParam(r, "district"), ".pb"), 10, 64)
	if err != nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.district")
	}
	var buf strings.Builder
	if err := s.Participation.ExportPabulib(r.Context(), e.ID, d, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="budzet-%d-%d.pb"`, e.ID, d))
	w.Write([]byte(buf.String()))
	return nil
}
