package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/web/httpx"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
)

// The public pages of consultations: the list, a consultation with its
// documents and remarks, the survey, the results and the report.

func documentURL(d *consultations.Document) string {
	return httpx.DocumentPath(d.ID, d.Name)
}

// consultationView is what every consultation page shows about it.
type consultationView struct {
	C   *consultations.Consultation
	Now time.Time
}

// StateKey is the catalogue key of its state as people see it: upcoming,
// open, ended (awaiting the report), closed, or draft.
func (v consultationView) StateKey() string {
	switch {
	case v.C.State == consultations.StateDraft:
		return "consult.state.draft"
	case v.C.State == consultations.StateClosed:
		return "consult.state.closed"
	case v.C.Upcoming(v.Now):
		return "consult.state.upcoming"
	case v.C.Ended(v.Now):
		return "consult.state.ended"
	}
	return "consult.state.open"
}

// Accepting reports whether it takes responses and remarks now.
func (v consultationView) Accepting() bool { return v.C.AcceptsResponses(v.Now) }

// ResultsPublic reports whether its results may be shown.
func (v consultationView) ResultsPublic() bool { return v.C.ResultsPublic(v.Now) }

type consultationListPage struct {
	Page
	Current, Past []consultationView
	MayManage     bool
}

func (*consultationListPage) template() string { return "consultation_list" }

func (s *Server) consultationList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Consultations.List(r.Context())
	if err != nil {
		return err
	}
	p := &consultationListPage{MayManage: consultations.MayManage(r.Context())}
	now := time.Now()
	for _, c := range list {
		v := consultationView{c, now}
		if c.Ended(now) {
			p.Past = append(p.Past, v)
		} else {
			p.Current = append(p.Current, v)
		}
	}
	p.Title = "consult.title"
	p.Section = "consultations"
	s.render(w, r, http.StatusOK, p)
	return nil
}

type consultationShowPage struct {
	Page
	consultationView
	Description template.HTML
	Documents   []*consultations.Document
	Remarks     []*consultations.Remark
	Responded   bool
	MayManage   bool
	Form        map[string]string // the remark form, shown again
	Follow      *followBox
}

func (*consultationShowPage) template() string { return "consultation_show" }

// DocValues and DocLabels list the documents for the remark's select.
func (p *consultationShowPage) DocValues() []string {
	out := []string{""}
	for _, d := range p.Documents {
		out = append(out, strconv.FormatInt(d.ID, 10))
	}
	return out
}

func (p *consultationShowPage) DocLabels() []string {
	out := []string{p.T("consult.remark.whole")}
	for _, d := range p.Documents {
		out = append(out, d.Name)
	}
	return out
}

func (s *Server) consultationShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsultationShow(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderConsultationShow(w http.ResponseWriter, r *http.Request, code int, form, errs map[string]string) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	svc := s.Consultations
	p := &consultationShowPage{consultationView: consultationView{c, time.Now()}, Description: template.HTML(derefOf(c.DescriptionHTML)),
		MayManage: consultations.MayManage(r.Context()), Form: form}
	p.Lang = s.lang(r) // the handler translates messages before render
	if p.Follow, err = s.followBox(r, &p.Page, notify.TargetConsultation, c.ID, c.Title); err != nil {
		return err
	}
	if p.Documents, err = svc.Documents(r.Context(), c.ID); err != nil {
		return err
	}
	if p.Remarks, err = svc.Remarks(r.Context(), c.ID); err != nil {
		return err
	}
	mine, err := svc.Mine(r.Context(), c, s.respondent(w, r, false))
	if err != nil {
		return err
	}
	p.Responded = mine != nil
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	switch r.URL.Query().Get("zapisano") {
	case "uwaga":
		p.Notice = p.T("consult.remark.saved")
	case "ankieta":
		p.Notice = p.T("consult.survey.saved")
	}
	p.Errors = errs
	p.Title = "consult.page_title"
	p.TitleArgs = []any{c.Title}
	p.Section = "consultations"
	s.render(w, r, code, p)
	return nil
}

func (s *Server) consultationRemarkForm(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"document": r.PostForm.Get("document"), "section": r.PostForm.Get("section"), "body": r.PostForm.Get("body")}
	in := consultations.RemarkInput{Section: form["section"], Body: form["body"]}
	if form["document"] != "" {
		if in.Document, err = strconv.ParseInt(form["document"], 10, 64); err != nil {
			in.Document = -1
		}
	}
	if _, err = s.Consultations.AddRemark(r.Context(), id, s.respondent(w, r, true), in); err != nil {
		return s.showAgain(r, err, "body", func(errs map[string]string) error {
			return s.renderConsultationShow(w, r, httpx.Status(err), form, errs)
		})
	}
	http.Redirect(w, r, fmt.Sprintf("/konsultacje/%d?zapisano=uwaga#uwagi", id), http.StatusSeeOther)
	return nil
}

func (s *Server) consultationDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	d, data, err := s.Consultations.DocumentData(r.Context(), id)
	if err != nil {
		return err
	}
	serveFile(w, &bip.Attachment{Name: d.Name, ContentType: d.ContentType, SHA256: d.SHA256}, data)
	return nil
}

// surveyPage is the survey: one form, every question, values and errors
// beside the questions when it comes back.
type surveyPage struct {
	Page
	consultationView
	Values   url.Values
	Changing bool // the respondent has a response and is changing it
}

func (*surveyPage) template() string { return "consultation_survey" }

// NeedsSignIn: the visitor must sign in before answering.
func (p *surveyPage) NeedsSignIn() bool {
	return p.Actor.Anonymous() && p.C.Eligibility != consultations.Open
}

// Unverified: the survey is for verified residents and the signed-in
// visitor is not one.
func (p *surveyPage) Unverified() bool {
	return !p.Actor.Anonymous() && p.C.Eligibility == consultations.Verified && !p.Actor.Verified
}

// Val is a question's (or a matrix row's, a ranking place's) value.
func (p *surveyPage) Val(name string) string { return p.Values.Get(name) }

// Checked reports whether the option is among the values of the control.
func (p *surveyPage) Checked(name, option string) bool {
	return slices.Contains(p.Values[name], option)
}

// Sub names a matrix row's or ranking option's control.
func (p *surveyPage) Sub(id string, i int) string { return id + "." + strconv.Itoa(i) }

// Places are the places of a ranking: 1..n.
func (p *surveyPage) Places(q consultations.Question) []string {
	var out []string
	for i := range q.Options {
		out = append(out, strconv.Itoa(i+1))
	}
	return out
}

// Described is a question's aria-describedby: its hints and its error.
func (p *surveyPage) Described(q consultations.Question) string {
	var ids []string
	if p.Hint(q) != "" {
		ids = append(ids, q.ID+"-hint")
	}
	if p.Err(q.ID) != "" {
		ids = append(ids, q.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// Hint explains how to answer the question: its display condition, the
// number of choices, the ranking, the scale.
func (p *surveyPage) Hint(q consultations.Question) string {
	var parts []string
	if c := q.ShowIf; c != nil {
		parts = append(parts, p.T("consult.hint.condition", p.Number(c.Question), c.Equals))
	}
	switch q.Type {
	case consultations.Multiple:
		switch {
		case q.MinChoices > 0 && q.MaxChoices > 0:
			parts = append(parts, p.T("consult.hint.choices_between", q.MinChoices, q.MaxChoices))
		case q.MaxChoices > 0:
			parts = append(parts, p.T("consult.hint.choices_max", q.MaxChoices))
		case q.MinChoices > 0:
			parts = append(parts, p.T("consult.hint.choices_min", q.MinChoices))
		}
	case consultations.Ranking:
		parts = append(parts, p.T("consult.hint.ranking"))
	case consultations.Scale:
		parts = append(parts, p.T("consult.hint.scale", q.Min, q.Max))
	}
	return strings.Join(parts, " ")
}

// Number is the question's position, 1-based, by id.
func (p *surveyPage) Number(id string) int {
	for i, q := range p.C.Questions {
		if q.ID == id {
			return i + 1
		}
	}
	return 0
}

// formAnswers reads the survey form into answers as the service takes them.
func formAnswers(qs []consultations.Question, f url.Values) map[string]any {
	out := map[string]any{}
	for _, q := range qs {
		switch q.Type {
		case consultations.Multiple:
			if v := f[q.ID]; len(v) > 0 {
				out[q.ID] = v
			}
		case consultations.Ranking:
			slots := make([]string, len(q.Options))
			given, dup := false, false
			var list []string
			for i, o := range q.Options {
				n, err := strconv.Atoi(f.Get(q.ID + "." + strconv.Itoa(i)))
				if err != nil || n < 1 || n > len(slots) {
					continue
				}
				given = true
				if slots[n-1] != "" {
					dup = true
				}
				slots[n-1] = o
			}
			if !given {
				continue
			}
			for _, o := range slots {
				if o != "" {
					list = append(list, o)
				}
			}
			if dup { // two options in one place: refused as an option given twice
				list = append(list, list[0])
			}
			out[q.ID] = list
		case consultations.Matrix:
			m := map[string]any{}
			for i, row := range q.Rows {
				if v := f.Get(q.ID + "." + strconv.Itoa(i)); v != "" {
					m[row] = v
				}
			}
			if len(m) > 0 {
				out[q.ID] = m
			}
		default:
			if v := f.Get(q.ID); v != "" {
				out[q.ID] = v
			}
		}
	}
	return out
}

// answersForm writes stored answers as the survey form's values.
func answersForm(qs []consultations.Question, a consultations.Answers) url.Values {
	f := url.Values{}
	for _, q := range qs {
		switch v := a[q.ID].(type) {
		case string:
			f.Set(q.ID, v)
		case int:
			f.Set(q.ID, strconv.Itoa(v))
		case []string:
			if q.Type == consultations.Ranking {
				for pos, o := range v {
					f.Set(q.ID+"."+strconv.Itoa(slices.Index(q.Options, o)), strconv.Itoa(pos+1))
				}
			} else {
				f[q.ID] = v
			}
		case map[string]string:
			for i, row := range q.Rows {
				if x := v[row]; x != "" {
					f.Set(q.ID+"."+strconv.Itoa(i), x)
				}
			}
		}
	}
	return f
}

func (s *Server) consultationSurvey(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	p := &surveyPage{consultationView: consultationView{c, time.Now()}}
	mine, err := s.Consultations.Mine(r.Context(), c, s.respondent(w, r, false))
	if err != nil {
		return err
	}
	p.Changing = mine != nil
	p.Values = answersForm(c.Questions, mine)
	return s.renderSurvey(w, r, http.StatusOK, p)
}

func (s *Server) renderSurvey(w http.ResponseWriter, r *http.Request, code int, p *surveyPage) error {
	p.Title = "consult.survey.title"
	p.TitleArgs = []any{p.C.Title}
	p.Section = "consultations"
	s.render(w, r, code, p)
	return nil
}

func (s *Server) consultationSurveySubmit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	svc := s.Consultations
	who := s.respondent(w, r, true)
	mine, err := svc.Mine(r.Context(), c, who)
	if err != nil {
		return err
	}
	if _, err = svc.Respond(r.Context(), c.ID, who, formAnswers(c.Questions, r.PostForm), mine != nil); err != nil {
		p := &surveyPage{consultationView: consultationView{c, time.Now()}, Values: r.PostForm, Changing: mine != nil}
		return s.showAgain(r, err, "survey", func(errs map[string]string) error {
			p.Errors = errs
			return s.renderSurvey(w, r, httpx.Status(err), p)
		})
	}
	http.Redirect(w, r, fmt.Sprintf("/konsultacje/%d?zapisano=ankieta", c.ID), http.StatusSeeOther)
	return nil
}

// resultsPage shows the results; as the report (raport z konsultacji) it
// adds the participation and every remark with its answer.
type resultsPage struct {
	Page
	consultationView
	R      *consultations.Results
	Charts map[string]template.HTML
	Report *consultations.Report // nil: the results page
}

func (*resultsPage) template() string { return "consultation_results" }

func (s *Server) consultationResults(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	res, err := s.Consultations.Results(r.Context(), c)
	if err != nil {
		return err
	}
	p := &resultsPage{consultationView: consultationView{c, time.Now()}, R: res}
	p.Lang = s.lang(r)
	p.Charts = resultCharts(&p.Page, res)
	p.Title = "consult.results.title"
	p.TitleArgs = []any{c.Title}
	p.Section = "consultations"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// resultCharts draws each counted question as horizontal bars, labelled
// for screen readers with the same figures as the table beside it.
func resultCharts(p *Page, res *consultations.Results) map[string]template.HTML {
	out := map[string]template.HTML{}
	for _, q := range res.Questions {
		if len(q.Options) == 0 {
			continue
		}
		max := 1
		var summary []string
		for _, o := range q.Options {
			if o.Count > max {
				max = o.Count
			}
			summary = append(summary, fmt.Sprintf("%s: %d (%s)", o.Label, o.Count, percent(p.Lang, o.Percent)))
		}
		var b strings.Builder
		label := p.T("consult.results.chart", strings.TrimRight(q.Text, ".?!:;")) + " " + strings.Join(summary, "; ")
		fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 580 %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, len(q.Options)*34, template.HTMLEscapeString(label))
		for i, o := range q.Options {
			y := i * 34
			w := 260 * o.Count / max
			name := o.Label
			if r := []rune(name); len(r) > 22 {
				name = string(r[:21]) + "…"
			}
			fmt.Fprintf(&b, `<text x="0" y="%d" font-size="14" fill="#1b1f24">%s</text>`, y+21, template.HTMLEscapeString(name))
			fmt.Fprintf(&b, `<rect x="180" y="%d" width="%d" height="24" fill="#1f4e8c"></rect>`, y+4, w)
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#1b1f24">%d (%s)</text>`, 186+w, y+21, o.Count, percent(p.Lang, o.Percent))
		}
		b.WriteString("</svg>")
		out[q.ID] = template.HTML(b.String())
	}
	return out
}

func (s *Server) consultationResultsCSV(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	res, err := s.Consultations.Results(r.Context(), c)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="konsultacje-%d-wyniki.csv"`, c.ID))
	cw := csv.NewWriter(w)
	cw.Write([]string{"question", "question_text", "row", "option", "count", "percent", "answered", "responses"})
	for _, q := range res.Questions {
		for _, o := range q.Options {
			cw.Write([]string{q.ID, csvCell(q.Text), "", csvCell(o.Label), strconv.Itoa(o.Count), strconv.FormatFloat(o.Percent, 'f', 1, 64), strconv.Itoa(q.Answered), strconv.Itoa(res.Responses)})
		}
		for _, row := range q.Rows {
			for _, o := range row.Options {
				cw.Write([]string{q.ID, csvCell(q.Text), csvCell(row.Label), csvCell(o.Label), strconv.Itoa(o.Count), strconv.FormatFloat(o.Percent, 'f', 1, 64), strconv.Itoa(q.Answered), strconv.Itoa(res.Responses)})
			}
		}
		for _, t := range q.Texts {
			cw.Write([]string{q.ID, csvCell(q.Text), "", csvCell(t), "", "", strconv.Itoa(q.Answered), strconv.Itoa(res.Responses)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) consultationReport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	rep, err := s.Consultations.Report(r.Context(), c)
	if err != nil {
		return err
	}
	p := &resultsPage{consultationView: consultationView{c, time.Now()}, R: rep.Results, Report: rep}
	p.Lang = s.lang(r)
	p.Charts = resultCharts(&p.Page, rep.Results)
	p.Title = "consult.report.title"
	p.TitleArgs = []any{c.Title}
	p.Section = "consultations"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// requireConsultationOfficer guards the office's pages.
func requireConsultationOfficer(r *http.Request) error {
	return ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer)
}

// percent writes a share with one decimal, with a decimal comma in Polish.
func percent(lang i18n.Lang, f float64) string {
	return i18n.Number(lang, f, 1) + "%"
}

// decimal writes a mean (up to two decimals), with a decimal comma in
// Polish; a pointer (an optional average) is followed.
func decimal(lang i18n.Lang, v any) string {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case *float64:
		if x == nil {
			return ""
		}
		f = *x
	}
	return i18n.Number(lang, f, -1)
}
