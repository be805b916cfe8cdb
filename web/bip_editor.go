package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/web/httpx"
)

// catOption is a category in the editor's list, indented by depth.
type catOption struct {
	Slug, Name string
	Depth      int
}

func (o catOption) Label() string { return strings.Repeat("— ", o.Depth) + o.Name }

type bipForm struct {
	Category, Title, Body, ProducedBy, Responsible, ProducedAt, Reason string
	Keep                                                               map[int64]bool
	Staged                                                             []bip.Staged // files chosen before, kept by the server
	fresh                                                              []bip.NewAttachment
}

type bipEditorPage struct {
	Page
	Pub        *bip.Publication // nil for a new publication
	Categories []catOption
	Form       bipForm
	Preview    template.HTML
}

func (*bipEditorPage) template() string { return "bip_editor" }

func (s *Server) categoryOptions(r *http.Request) ([]catOption, error) {
	all, err := s.BIP.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	lang := string(s.lang(r))
	var out []catOption
	var walk func([]*bip.Category, int)
	walk = func(cs []*bip.Category, depth int) {
		for _, c := range cs {
			out = append(out, catOption{c.Slug, c.Name(lang), depth})
			walk(c.Children, depth+1)
		}
	}
	walk(bip.Tree(all), 0)
	return out, nil
}

func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, code int, p *bipEditorPage) error {
	var err error
	if p.Categories, err = s.categoryOptions(r); err != nil {
		return err
	}
	p.Section = "bip"
	p.Title = "bip.editor.new"
	if p.Pub != nil {
		p.Title = "bip.editor.revise"
	}
	s.render(w, r, code, p)
	return nil
}

func (s *Server) bipNewForm(w http.ResponseWriter, r *http.Request) error {
	actor := ratusz.ActorFromContext(r.Context())
	if err := bip.MayPublish(actor); err != nil {
		return err
	}
	p := &bipEditorPage{Form: bipForm{Category: r.URL.Query().Get("kategoria"), ProducedAt: time.Now().In(warsaw).Format("2006-01-02"), Responsible: actor.Name}}
	return s.renderEditor(w, r, http.StatusOK, p)
}

func (s *Server) bipEditForm(w http.ResponseWriter, r *http.Request) error {
	pub, err := s.editablePublication(r)
	if err != nil {
		return err
	}
	if pub.Withdrawn {
		return ratusz.Errorf(ratusz.ECONFLICT, "err.bip.withdrawn")
	}
	p := &bipEditorPage{Pub: pub, Form: bipForm{Category: pub.Category.Slug, Title: pub.Title, Body: pub.Body,
		ProducedBy: pub.Metadata.ProducedBy, Responsible: pub.Metadata.Responsible,
		ProducedAt: pub.Metadata.ProducedAt.In(warsaw).Format("2006-01-02"), Keep: map[int64]bool{}}}
	for _, a := range pub.Attachments {
		p.Form.Keep[a.ID] = true
	}
	return s.renderEditor(w, r, http.StatusOK, p)
}

// parseDate reads a yyyy-mm-dd date as midnight in Warsaw.
func parseDate(field, v string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), warsaw)
	if err != nil {
		return time.Time{}, ratusz.Invalid(field, "err.date")
	}
	return t, nil
}

// readEditorForm reads the editor's multipart form into a form (to show
// again) and a draft (to publish).
func (s *Server) readEditorForm(r *http.Request) (bipForm, bip.Draft, error) {
	var f bipForm
	var d bip.Draft
	v := r.PostForm
	f = bipForm{Category: v.Get("category"), Title: v.Get("title"), Body: v.Get("body"), ProducedBy: v.Get("produced_by"),
		Responsible: v.Get("responsible"), ProducedAt: v.Get("produced_at"), Reason: v.Get("change_reason"), Keep: map[int64]bool{}}
	d = bip.Draft{Category: f.Category, Title: f.Title, Body: f.Body, ProducedBy: f.ProducedBy, Responsible: f.Responsible}
	for _, k := range v["keep"] {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil {
			f.Keep[id] = true
			d.Keep = append(d.Keep, id)
		}
	}
	if f.ProducedAt != "" {
		t, err := parseDate("produced_at", f.ProducedAt)
		if err != nil {
			return f, d, err
		}
		d.ProducedAt = t
	}
	// Files chosen before this form was shown again, kept by the server.
	var staged []int64
	for _, k := range v["staged"] {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil {
			staged = append(staged, id)
		}
	}
	var kept []bip.NewAttachment
	var err error
	if f.Staged, kept, err = s.BIP.StagedFiles(r.Context(), staged); err != nil {
		return f, d, err
	}
	files, err := httpx.Uploads(r, "attachments")
	if err != nil {
		return f, d, err
	}
	f.fresh = files
	d.Attachments = append(kept, files...)
	return f, d, nil
}

// stageFresh keeps the files just chosen, so that the form shown again
// (a preview, a refusal) still has them; a file that cannot be kept is
// said beside the field.
func (s *Server) stageFresh(r *http.Request, p *bipEditorPage) error {
	if len(p.Form.fresh) == 0 {
		return nil
	}
	st, err := s.BIP.Stage(r.Context(), p.Form.fresh)
	if err != nil {
		return err
	}
	p.Form.Staged = append(p.Form.Staged, st...)
	p.Form.fresh = nil
	return nil
}

// editorError shows the form again with the message next to its field, or
// returns errors that are not about the input.
func (s *Server) editorError(w http.ResponseWriter, r *http.Request, err error, p *bipEditorPage) error {
	switch ratusz.ErrorCode(err) {
	case ratusz.EINVALID, ratusz.ECONFLICT, ratusz.ETOOLARGE:
		if ratusz.ErrorField(err) != "attachments" { // the files were fine: keep them
			if err2 := s.stageFresh(r, p); err2 != nil {
				err = err2
			}
		}
		field := ratusz.ErrorField(err)
		if field == "" || field == "keep" || field == "staged" {
			field = "attachments"
		}
		p.Errors = map[string]string{field: httpx.Message(s.lang(r), err)}
		return s.renderEditor(w, r, httpx.Status(err), p)
	}
	return err
}

// editablePublication is the newest version of the publication in the
// path, for someone who may publish.
func (s *Server) editablePublication(r *http.Request) (*bip.Publication, error) {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return nil, err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.BIP.Current(r.Context(), id)
}

// bipSave is the editor's submit for a new publication (cur nil) or a new
// version: it shows a preview, or saves and goes to the publication, or
// shows the form again with the message next to the field.
func (s *Server) bipSave(w http.ResponseWriter, r *http.Request, cur *bip.Publication) error {
	f, d, err := s.readEditorForm(r)
	p := &bipEditorPage{Pub: cur, Form: f}
	if err != nil {
		return s.editorError(w, r, err, p)
	}
	if r.PostForm.Get("action") == "preview" {
		if len(f.Body) > bip.MaxBody { // the preview takes no more than a publication may hold
			return s.editorError(w, r, ratusz.Invalid("body", "err.too_long", bip.MaxBody), p)
		}
		p.Preview = template.HTML(bip.RenderMarkdown(f.Body))
		if err := s.stageFresh(r, p); err != nil {
			return s.editorError(w, r, err, p)
		}
		return s.renderEditor(w, r, http.StatusOK, p)
	}
	var pub *bip.Publication
	if cur == nil {
		pub, err = s.BIP.Create(r.Context(), d)
	} else {
		pub, err = s.BIP.Update(r.Context(), cur.ID, d, f.Reason)
	}
	if err != nil {
		return s.editorError(w, r, err, p)
	}
	ids := make([]int64, len(f.Staged))
	for i, st := range f.Staged {
		ids[i] = st.ID
	}
	if err := s.BIP.Unstage(r.Context(), ids); err != nil {
		s.Log.Warn("bip: forgetting staged files", "err", err)
	}
	http.Redirect(w, r, "/bip/publikacje/"+strconv.FormatInt(pub.ID, 10)+"?zapisano=1", http.StatusSeeOther)
	return nil
}

func (s *Server) bipCreate(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	return s.bipSave(w, r, nil)
}

func (s *Server) bipRevise(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.editablePublication(r)
	if err != nil {
		return err
	}
	return s.bipSave(w, r, cur)
}

type bipWithdrawPage struct {
	Page
	Pub    *bip.Publication
	Reason string
}

func (*bipWithdrawPage) template() string { return "bip_withdraw" }

func (s *Server) bipWithdrawForm(w http.ResponseWriter, r *http.Request) error {
	pub, err := s.editablePublication(r)
	if err != nil {
		return err
	}
	p := &bipWithdrawPage{Pub: pub}
	p.Title = "bip.withdraw.title"
	p.TitleArgs = []any{pub.Title}
	p.Section = "bip"
	s.render(w, r, http.StatusOK, p)
	return nil
}

func (s *Server) bipWithdraw(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	reason := r.PostForm.Get("change_reason")
	if _, err := s.BIP.Remove(r.Context(), id, reason); err != nil {
		code := ratusz.ErrorCode(err)
		if code != ratusz.EINVALID && code != ratusz.ECONFLICT {
			return err
		}
		pub, ferr := s.BIP.Current(r.Context(), id)
		if ferr != nil {
			return ferr
		}
		p := &bipWithdrawPage{Pub: pub, Reason: reason}
		p.Title = "bip.withdraw.title"
		p.TitleArgs = []any{pub.Title}
		p.Section = "bip"
		p.Errors = map[string]string{"change_reason": httpx.Message(s.lang(r), err)}
		s.render(w, r, httpx.Status(err), p)
		return nil
	}
	http.Redirect(w, r, "/bip/publikacje/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
