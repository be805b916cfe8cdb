package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

// The council office's pages to prepare a session: its details, its agenda
// with papers and files, and its announcement in BIP.

type sessionEditPage struct {
	Page
	*sessionView // nil while the session is being created
	Bodies       []*council.Body
	Form         map[string]string
	// What announcing would publish in BIP, to be read first.
	AnnounceTitle string
	AnnounceBody  template.HTML
}

func (*sessionEditPage) template() string { return "council_session_edit" }

// Editing: the session exists (else the page creates it).
func (p *sessionEditPage) Editing() bool { return p.sessionView != nil }

// KindValues are the session kinds for the select.
func (p *sessionEditPage) KindValues() []string {
	return []string{"ordinary", "extraordinary", "ceremonial"}
}

// KindLabels are their names in the page's language.
func (p *sessionEditPage) KindLabels() []string {
	var out []string
	for _, k := range p.KindValues() {
		out = append(out, p.T("council.kind."+k))
	}
	return out
}

// BodyValues and BodyLabels list the bodies for the select.
func (p *sessionEditPage) BodyValues() []string {
	var out []string
	for _, b := range p.Bodies {
		out = append(out, strconv.FormatInt(b.ID, 10))
	}
	return out
}

func (p *sessionEditPage) BodyLabels() []string {
	var out []string
	for _, b := range p.Bodies {
		out = append(out, b.Name)
	}
	return out
}

// ItemValues and ItemLabels list the agenda items for the upload's select.
func (p *sessionEditPage) ItemValues() []string {
	var out []string
	for _, it := range p.Agenda {
		out = append(out, strconv.FormatInt(it.ID, 10))
	}
	return out
}

func (p *sessionEditPage) ItemLabels() []string {
	var out []string
	for _, it := range p.Agenda {
		out = append(out, it.Label+". "+it.Title)
	}
	return out
}

func requireOffice(r *http.Request) error { return council.MayManage(r.Context()) }

func sessionForm(sess *council.Session) map[string]string {
	if sess == nil {
		return map[string]string{"kind": "ordinary", "time": "10:00"}
	}
	at := sess.StartsAt.In(warsaw)
	return map[string]string{"number": strconv.Itoa(sess.Number), "kind": sess.Kind, "title": sess.Title,
		"date": at.Format("2006-01-02"), "time": at.Format("15:04"), "place": sess.Place,
		"broadcast_url": sess.BroadcastURL, "recording_url": sess.RecordingURL, "protocol_url": sess.ProtocolURL}
}

// readSessionForm reads the session form into what it shows again and what
// the service takes.
func readSessionForm(r *http.Request) (map[string]string, council.SessionInput, error) {
	form := map[string]string{}
	for _, k := range []string{"body", "number", "kind", "title", "date", "time", "place", "broadcast_url", "recording_url", "protocol_url"} {
		form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	in := council.SessionInput{Kind: form["kind"], Title: form["title"], Place: form["place"],
		BroadcastURL: form["broadcast_url"], RecordingURL: form["recording_url"], ProtocolURL: form["protocol_url"]}
	n, err := strconv.Atoi(form["number"])
	if err != nil {
		return form, in, ratusz.Invalid("number", "err.number")
	}
	in.Number = n
	day, err := time.ParseInLocation("2006-01-02", form["date"], warsaw)
	if err != nil {
		return form, in, ratusz.Invalid("date", "err.date")
	}
	clock, err := time.Parse("15:04", form["time"])
	if err != nil {
		return form, in, ratusz.Invalid("time", "err.time")
	}
	in.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, warsaw)
	return form, in, nil
}

func (s *Server) renderSessionEdit(w http.ResponseWriter, r *http.Request, code int, v *sessionView, form map[string]string, errs map[string]string) error {
	p := &sessionEditPage{sessionView: v, Form: form}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Section = "council"
	p.Errors = errs
	if v == nil {
		var err error
		if p.Bodies, err = s.Council.Bodies(r.Context()); err != nil {
			return err
		}
		p.Title = "council.edit.new_title"
	} else {
		p.Title = "council.edit.title"
		p.TitleArgs = []any{v.Session.Roman()}
		if form == nil {
			p.Form = sessionForm(v.Session)
		}
		if v.Session.AgendaPublicationID == nil && v.Session.State != "closed" && len(v.Agenda) > 0 {
			d, err := s.Council.AnnouncementDraft(r.Context(), v.Session.ID)
			if err != nil {
				return err
			}
			p.AnnounceTitle, p.AnnounceBody = d.Title, template.HTML(bip.RenderMarkdown(d.Body))
		}
		switch r.URL.Query().Get("zapisano") {
		case "1":
			p.Notice = p.T("council.edit.saved")
		case "oglos":
			p.Notice = p.T("council.edit.announced")
		}
	}
	s.render(w, r, code, p)
	return nil
}

func (s *Server) newSessionForm(w http.ResponseWriter, r *http.Request) error {
	if err := requireOffice(r); err != nil {
		return err
	}
	return s.renderSessionEdit(w, r, http.StatusOK, nil, sessionForm(nil), nil)
}

func (s *Server) createSessionForm(w http.ResponseWriter, r *http.Request) error {
	if err := requireOffice(r); err != nil {
		return err
	}
	form, in, err := readSessionForm(r)
	var sess *council.Session
	if err == nil {
		var body int64
		if body, err = strconv.ParseInt(form["body"], 10, 64); err != nil {
			err = ratusz.Invalid("body", "err.council.body_not_found")
		} else {
			sess, err = s.Council.NewSession(r.Context(), body, in)
		}
	}
	if err != nil {
		return s.showAgain(r, sessionFieldOf(err), "number", func(errs map[string]string) error {
			return s.renderSessionEdit(w, r, httpx.Status(err), nil, form, errs)
		})
	}
	http.Redirect(w, r, fmt.Sprintf("/rada/sesje/%d/edycja?zapisano=1", sess.ID), http.StatusSeeOther)
	return nil
}

// sessionFieldOf puts the service's starts_at on the form's date field.
func sessionFieldOf(err error) error {
	if e, ok := err.(*ratusz.Error); ok && e.Field == "starts_at" {
		e.Field = "date"
	}
	return err
}

func (s *Server) editSession(w http.ResponseWriter, r *http.Request) error {
	if err := requireOffice(r); err != nil {
		return err
	}
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	return s.renderSessionEdit(w, r, http.StatusOK, v, nil, nil)
}

// sessionEditAction runs one of the edit page's forms; a refusal shows the
// page again with the message beside the field (or `fallback`), and with
// what was typed over the session as saved.
func (s *Server) sessionEditAction(fallback string, act formAction[*sessionView]) handlerFunc {
	return editPage[*sessionView]{
		allow: requireOffice,
		load:  s.loadSessionView,
		fieldOf: func(err error) error {
			if e, ok := err.(*ratusz.Error); ok && e.Field == "attachments" {
				e.Field = "" // BIP's limit on the announcement's files: the form's fallback
			}
			return sessionFieldOf(err)
		},
		render: func(w http.ResponseWriter, r *http.Request, code int, v *sessionView, form, errs map[string]string) error {
			if form != nil {
				f := sessionForm(v.Session)
				maps.Copy(f, form)
				form = f
			}
			return s.renderSessionEdit(w, r, code, v, form, errs)
		},
		saved: func(v *sessionView, notice string) string {
			return fmt.Sprintf("/rada/sesje/%d/edycja?zapisano=%s", v.Session.ID, notice)
		},
	}.action(s, fallback, act)
}

func (s *Server) updateSessionForm(r *http.Request, v *sessionView) (map[string]string, string, error) {
	form, in, err := readSessionForm(r)
	if err == nil {
		_, err = s.Council.UpdateSession(r.Context(), v.Session.ID, in)
	}
	return form, "1", err
}

func (s *Server) addItemForm(r *http.Request, v *sessionView) (map[string]string, string, error) {
	form := map[string]string{"item_label": r.PostForm.Get("item_label"), "item_title": r.PostForm.Get("item_title"), "item_papers": r.PostForm.Get("item_papers")}
	_, err := s.Council.AddItem(r.Context(), v.Session.ID, council.AgendaInput{Label: form["item_label"], Title: form["item_title"], Papers: []string{form["item_papers"]}})
	if e, ok := err.(*ratusz.Error); ok && e.Field != "" {
		e.Field = "item_" + e.Field
	}
	return form, "1", err
}

func (s *Server) addFileForm(r *http.Request, v *sessionView) (map[string]string, string, error) {
	name, data, err := httpx.FormFile(r, "file")
	if err != nil {
		return nil, "", err
	}
	item, err := strconv.ParseInt(r.PostForm.Get("file_item"), 10, 64)
	if err != nil {
		return nil, "", ratusz.Invalid("file_item", "err.council.item_not_found")
	}
	for _, it := range v.Agenda {
		if it.ID == item {
			_, err = s.Council.AddAgendaFile(r.Context(), item, name, data)
			return nil, "1", err
		}
	}
	return nil, "", ratusz.Invalid("file_item", "err.council.item_not_found")
}

// announceForm publishes the notice once the office has read what will be
// published and said so.
func (s *Server) announceForm(r *http.Request, v *sessionView) (map[string]string, string, error) {
	if r.PostForm.Get("confirm") != "1" {
		return nil, "", ratusz.Invalid("announce", "err.council.announce_confirm")
	}
	_, err := s.Council.AnnounceSession(r.Context(), v.Session.ID)
	return nil, "oglos", err
}
