package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/web/httpx"
)

// The consultation officer's pages: create and edit a draft, add questions
// one at a time, upload documents, open it (announced in BIP), moderate
// text answers, answer remarks, and close it (the report goes to BIP).

type consultationEditPage struct {
	Page
	*consultationView // nil while the consultation is being created
	Form              map[string]string
	Documents         []*consultations.Document
	Remarks           []*consultations.Remark
	Texts             []*consultations.TextAnswer
}

func (*consultationEditPage) template() string { return "consultation_edit" }

// Editing: the consultation exists.
func (p *consultationEditPage) Editing() bool { return p.consultationView != nil }

// Draft: it can still change.
func (p *consultationEditPage) Draft() bool {
	return p.consultationView != nil && p.C.State == consultations.StateDraft
}

// EligibilityValues and EligibilityLabels are the select's options.
func (p *consultationEditPage) EligibilityValues() []string { return consultations.Eligibilities }

func (p *consultationEditPage) EligibilityLabels() []string {
	var out []string
	for _, e := range consultations.Eligibilities {
		out = append(out, p.T("consult.eligibility."+e))
	}
	return out
}

// TypeValues and TypeLabels are the question types.
func (p *consultationEditPage) TypeValues() []string { return consultations.QuestionTypes }

func (p *consultationEditPage) TypeLabels() []string {
	var out []string
	for _, t := range consultations.QuestionTypes {
		out = append(out, p.T("consult.qtype."+t))
	}
	return out
}

// ConditionValues and ConditionLabels are the earlier questions a new one
// may depend on.
func (p *consultationEditPage) ConditionValues() []string {
	out := []string{""}
	if p.consultationView != nil {
		for _, q := range p.C.Questions {
			out = append(out, q.ID)
		}
	}
	return out
}

func (p *consultationEditPage) ConditionLabels() []string {
	out := []string{p.T("consult.q.always")}
	if p.consultationView != nil {
		for i, q := range p.C.Questions {
			out = append(out, fmt.Sprintf("%d. %s", i+1, q.Text))
		}
	}
	return out
}

// VerdictValues and VerdictLabels are the answers to a remark.
func (p *consultationEditPage) VerdictValues() []string {
	return append([]string{""}, consultations.Verdicts...)
}

func (p *consultationEditPage) VerdictLabels() []string {
	out := []string{p.T("consult.edit.choose_verdict")}
	for _, v := range consultations.Verdicts {
		out = append(out, p.T("consult.verdict."+v))
	}
	return out
}

// Visibility is the catalogue key of a text answer's moderation.
func (p *consultationEditPage) Visibility(v *bool) string {
	switch {
	case v == nil:
		return "consult.edit.awaiting"
	case *v:
		return "consult.edit.shown"
	}
	return "consult.edit.hidden"
}

// RemarkField names a remark's answer control.
func (p *consultationEditPage) RemarkField(id int64, name string) string {
	return name + "-" + strconv.FormatInt(id, 10)
}

// Deref shows a remark's verdict for the select.
func (p *consultationEditPage) Deref(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}

func consultationForm(c *consultations.Consultation) map[string]string {
	if c == nil {
		now := time.Now().In(warsaw)
		return map[string]string{"eligibility": consultations.Residents, "starts_date": now.Format("2006-01-02"), "starts_time": "08:00",
			"ends_date": now.AddDate(0, 0, 21).Format("2006-01-02"), "ends_time": "23:59", "q_type": consultations.Single}
	}
	s, e := c.StartsAt.In(warsaw), c.EndsAt.In(warsaw)
	live := ""
	if c.ResultsLive {
		live = "1"
	}
	return map[string]string{"title": c.Title, "description": c.Description, "organiser": c.Organiser, "eligibility": c.Eligibility,
		"starts_date": s.Format("2006-01-02"), "starts_time": s.Format("15:04"), "ends_date": e.Format("2006-01-02"), "ends_time": e.Format("15:04"),
		"results_live": live, "q_type": consultations.Single}
}

// readConsultationForm reads the details form.
func readConsultationForm(r *http.Request) (map[string]string, consultations.Input, error) {
	form := map[string]string{}
	for _, k := range []string{"title", "description", "organiser", "eligibility", "starts_date", "starts_time", "ends_date", "ends_time", "results_live"} {
		form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	in := consultations.Input{Title: form["title"], Description: form["description"], Organiser: form["organiser"], Eligibility: form["eligibility"],
		ResultsLive: form["results_live"] != ""}
	at := func(prefix string) (time.Time, error) {
		day, err := time.ParseInLocation("2006-01-02", form[prefix+"_date"], warsaw)
		if err != nil {
			return day, ratusz.Invalid(prefix+"_date", "err.date")
		}
		clock, err := time.Parse("15:04", form[prefix+"_time"])
		if err != nil {
			return day, ratusz.Invalid(prefix+"_time", "err.time")
		}
		return time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, warsaw), nil
	}
	var err error
	if in.StartsAt, err = at("starts"); err != nil {
		return form, in, err
	}
	in.EndsAt, err = at("ends")
	return form, in, err
}

// consultationFieldOf puts the service's fields on the form's controls.
func consultationFieldOf(err error) error {
	if e, ok := err.(*ratusz.Error); ok {
		switch e.Field {
		case "starts_at":
			e.Field = "starts_date"
		case "ends_at":
			e.Field = "ends_date"
		}
	}
	return err
}

func (s *Server) renderConsultationEdit(w http.ResponseWriter, r *http.Request, code int, c *consultations.Consultation, form, errs map[string]string) error {
	p := &consultationEditPage{Form: form}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Section = "consultations"
	p.Errors = errs
	if c == nil {
		p.Title = "consult.edit.new_title"
	} else {
		svc := s.Consultations
		p.consultationView = &consultationView{c, time.Now()}
		p.Title = "consult.edit.title"
		p.TitleArgs = []any{c.Title}
		base := consultationForm(c)
		for k, v := range form {
			base[k] = v
		}
		p.Form = base
		var err error
		if p.Documents, err = svc.Documents(r.Context(), c.ID); err != nil {
			return err
		}
		if p.Remarks, err = svc.Remarks(r.Context(), c.ID); err != nil {
			return err
		}
		if p.Texts, err = svc.TextAnswers(r.Context(), c); err != nil {
			return err
		}
		if n := r.URL.Query().Get("zapisano"); n != "" {
			switch n {
			case "otwarto":
				p.Notice = p.T("consult.edit.opened")
			case "zamknieto":
				p.Notice = p.T("consult.edit.closed")
			default:
				p.Notice = p.T("consult.edit.saved")
			}
		}
	}
	s.render(w, r, code, p)
	return nil
}

func (s *Server) consultationNewForm(w http.ResponseWriter, r *http.Request) error {
	if err := requireConsultationOfficer(r); err != nil {
		return err
	}
	return s.renderConsultationEdit(w, r, http.StatusOK, nil, consultationForm(nil), nil)
}

func (s *Server) consultationCreateForm(w http.ResponseWriter, r *http.Request) error {
	if err := requireConsultationOfficer(r); err != nil {
		return err
	}
	form, in, err := readConsultationForm(r)
	var c *consultations.Consultation
	if err == nil {
		c, err = s.Consultations.Create(r.Context(), in)
	}
	if err != nil {
		return s.showAgain(r, consultationFieldOf(err), "title", func(errs map[string]string) error {
			return s.renderConsultationEdit(w, r, httpx.Status(err), nil, form, errs)
		})
	}
	http.Redirect(w, r, fmt.Sprintf("/konsultacje/%d/edycja?zapisano=1", c.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) consultationEdit(w http.ResponseWriter, r *http.Request) error {
	if err := requireConsultationOfficer(r); err != nil {
		return err
	}
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	return s.renderConsultationEdit(w, r, http.StatusOK, c, nil, nil)
}

// consultationAction runs one of the edit page's forms; a refusal shows
// the page again with the message beside the field (or `fallback`).
func (s *Server) consultationAction(fallback string, act formAction[*consultations.Consultation]) handlerFunc {
	return editPage[*consultations.Consultation]{
		allow:   requireConsultationOfficer,
		load:    s.loadConsultation,
		fieldOf: consultationFieldOf,
		render: func(w http.ResponseWriter, r *http.Request, code int, c *consultations.Consultation, form, errs map[string]string) error {
			return s.renderConsultationEdit(w, r, code, c, form, errs)
		},
		saved: func(c *consultations.Consultation, notice string) string {
			return fmt.Sprintf("/konsultacje/%d/edycja?zapisano=%s", c.ID, notice)
		},
	}.action(s, fallback, act)
}

func (s *Server) consultationUpdateForm(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	form, in, err := readConsultationForm(r)
	if err == nil {
		in.Questions = c.Questions
		_, err = s.Consultations.Update(r.Context(), c.ID, in)
	}
	return form, "1", err
}

func (s *Server) consultationAddQuestion(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	form := map[string]string{}
	for _, k := range []string{"q_type", "q_text", "q_options", "q_rows", "q_required", "q_min", "q_max", "q_min_choices", "q_max_choices", "q_show_if", "q_equals"} {
		form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	lines := func(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") }
	num := func(k string) (int, error) {
		if form[k] == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(form[k])
		if err != nil {
			return 0, ratusz.Invalid(k, "err.number")
		}
		return n, nil
	}
	q := consultations.Question{Type: form["q_type"], Text: form["q_text"], Options: lines(form["q_options"]), Rows: lines(form["q_rows"]), Required: form["q_required"] != ""}
	var err error
	for k, dst := range map[string]*int{"q_min": &q.Min, "q_max": &q.Max, "q_min_choices": &q.MinChoices, "q_max_choices": &q.MaxChoices} {
		if *dst, err = num(k); err != nil {
			return form, "", err
		}
	}
	if form["q_show_if"] != "" {
		q.ShowIf = &consultations.Condition{Question: form["q_show_if"], Equals: form["q_equals"]}
	}
	// The next free id: q1, q2, …
	for n := len(c.Questions) + 1; ; n++ {
		q.ID = "q" + strconv.Itoa(n)
		if c.Question(q.ID) == nil {
			break
		}
	}
	qs := append(append([]consultations.Question{}, c.Questions...), q)
	_, err = s.Consultations.SetQuestions(r.Context(), c.ID, qs)
	if e, ok := err.(*ratusz.Error); ok && e.Field == q.ID {
		e.Field = "q_text"
		switch e.Message {
		case "err.consult.options_needed", "err.consult.option_duplicate":
			e.Field = "q_options"
		case "err.consult.rows_needed":
			e.Field = "q_rows"
		case "err.consult.scale_range":
			e.Field = "q_min"
		case "err.consult.choices_range":
			e.Field = "q_max_choices"
		case "err.consult.condition_earlier", "err.consult.condition_value":
			e.Field = "q_equals"
		case "err.consult.question_type":
			e.Field = "q_type"
		}
	}
	return form, "1", err
}

func (s *Server) consultationRemoveQuestion(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	id := r.PostForm.Get("question")
	var qs []consultations.Question
	for _, q := range c.Questions {
		if q.ID != id && (q.ShowIf == nil || q.ShowIf.Question != id) {
			qs = append(qs, q)
		}
	}
	_, err := s.Consultations.SetQuestions(r.Context(), c.ID, qs)
	return nil, "1", err
}

func (s *Server) consultationUpload(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	name, data, err := httpx.FormFile(r, "file")
	if err != nil {
		return nil, "", err
	}
	_, err = s.Consultations.AddDocument(r.Context(), c.ID, name, data)
	return nil, "1", err
}

func (s *Server) consultationOpenForm(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	_, err := s.Consultations.Open(r.Context(), c.ID)
	if e, ok := err.(*ratusz.Error); ok && e.Field == "ends_at" {
		e.Field = "open"
	}
	return nil, "otwarto", err
}

func (s *Server) consultationCloseForm(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	_, err := s.Consultations.Close(r.Context(), c.ID)
	return nil, "zamknieto", err
}

func (s *Server) consultationLiveForm(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	return nil, "1", s.Consultations.SetResultsLive(r.Context(), c.ID, r.PostForm.Get("live") == "1")
}

func (s *Server) consultationModerate(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	rid, err := strconv.ParseInt(r.PostForm.Get("response"), 10, 64)
	if err != nil {
		return nil, "", ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.no_response")
	}
	return nil, "1", s.Consultations.Moderate(r.Context(), c.ID, rid, r.PostForm.Get("question"), r.PostForm.Get("visible") == "1")
}

func (s *Server) consultationAnswerRemark(r *http.Request, c *consultations.Consultation) (map[string]string, string, error) {
	rid, err := httpx.PathID(r, "remark")
	if err != nil {
		return nil, "", ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.remark_not_found")
	}
	sfx := "-" + strconv.FormatInt(rid, 10)
	form := map[string]string{"verdict" + sfx: r.PostForm.Get("verdict"), "justification" + sfx: r.PostForm.Get("justification")}
	_, err = s.Consultations.AnswerRemark(r.Context(), c.ID, rid, r.PostForm.Get("verdict"), r.PostForm.Get("justification"))
	if e, ok := err.(*ratusz.Error); ok && e.Field != "" {
		e.Field += sfx
	}
	return form, "1", err
}
