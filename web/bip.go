package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/web/httpx"
)

const bipPageSize = 20

// pagination is the page navigation of a listing.
type pagination struct {
	Page, Pages, Total int
	base               string // URL with the other query parameters
}

// pageNumber reads the page number of a listing (?strona=N, from 1).
func pageNumber(r *http.Request) (int, error) {
	v := r.URL.Query().Get("strona")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, ratusz.Invalid("strona", "err.page_number")
	}
	return n, nil
}

func newPagination(r *http.Request, page, total, size int) pagination {
	p := pagination{Page: page, Total: total, Pages: (total + size - 1) / size}
	if p.Pages == 0 {
		p.Pages = 1
	}
	q := r.URL.Query()
	q.Del("strona")
	p.base = r.URL.Path + "?"
	if len(q) > 0 {
		p.base += q.Encode() + "&"
	}
	return p
}

// URL returns the address of page n.
func (p pagination) URL(n int) string {
	return p.base + "strona=" + strconv.Itoa(n)
}

func (p pagination) Prev() int { return p.Page - 1 }
func (p pagination) Next() int {
	if p.Page < p.Pages {
		return p.Page + 1
	}
	return 0
}

type bipHomePage struct {
	Page
	Tree       []*bip.Category
	Latest     []*bip.Summary
	MayPublish bool
}

func (*bipHomePage) template() string { return "bip_home" }

func (s *Server) bipHome(w http.ResponseWriter, r *http.Request) error {
	all, err := s.BIP.Categories(r.Context())
	if err != nil {
		return err
	}
	latest, _, err := s.BIP.Find(r.Context(), bip.Filter{Limit: 10})
	if err != nil {
		return err
	}
	p := &bipHomePage{Tree: bip.Tree(all), Latest: latest, MayPublish: bip.MayPublish(ratusz.ActorFromContext(r.Context())) == nil}
	p.Title = "bip.title"
	p.Section = "bip"
	s.render(w, r, http.StatusOK, p)
	return nil
}

type bipCategoryPage struct {
	Page
	Category   *bip.Category
	Parent     *bip.Category
	Children   []*bip.Category
	List       []*bip.Summary
	Pagination pagination
	Follow     *followBox
}

func (*bipCategoryPage) template() string { return "bip_category" }

func (s *Server) bipCategory(w http.ResponseWriter, r *http.Request) error {
	c, err := s.BIP.CategoryBySlug(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	all, err := s.BIP.Categories(r.Context())
	if err != nil {
		return err
	}
	p := &bipCategoryPage{Category: c}
	for _, x := range all {
		if x.ParentID != nil && *x.ParentID == c.ID {
			p.Children = append(p.Children, x)
		}
		if c.ParentID != nil && x.ID == *c.ParentID {
			p.Parent = x
		}
	}
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	var total int
	if p.List, total, err = s.BIP.Find(r.Context(), bip.Filter{CategoryID: c.ID, Offset: (page - 1) * bipPageSize, Limit: bipPageSize}); err != nil {
		return err
	}
	p.Pagination = newPagination(r, page, total, bipPageSize)
	if p.Follow, err = s.followBox(r, &p.Page, notify.TargetBIPCategory, c.ID, c.Name(string(s.lang(r)))); err != nil {
		return err
	}
	p.Title = "bip.category.title"
	p.TitleArgs = []any{c.Name(string(s.lang(r)))}
	p.Section = "bip"
	s.render(w, r, http.StatusOK, p)
	return nil
}

type bipPublicationPage struct {
	Page
	Pub        *bip.Publication
	Body       template.HTML // sanitized when it was published
	Old        bool          // an older version than the newest
	MayPublish bool
}

func (*bipPublicationPage) template() string { return "bip_publication" }

// bipPrintPage is a publication as printed: the same data, a bare page.
type bipPrintPage struct{ *bipPublicationPage }

func (*bipPrintPage) template() string { return "bare_bip_print" }

func (s *Server) bipPublicationPage(r *http.Request, p *bip.Publication) *bipPublicationPage {
	page := &bipPublicationPage{Pub: p, Body: template.HTML(p.BodyHTML), Old: p.Version != p.Latest,
		MayPublish: bip.MayPublish(ratusz.ActorFromContext(r.Context())) == nil && !p.Withdrawn}
	page.Title = "bip.publication.title"
	page.TitleArgs = []any{p.Title}
	page.Section = "bip"
	return page
}

func (s *Server) bipPublication(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.BIP.FindByID(r.Context(), id)
	if err != nil {
		return err
	}
	page := s.bipPublicationPage(r, p)
	page.Lang = s.lang(r) // the handler translates messages before render
	if r.URL.Query().Get("zapisano") != "" {
		page.Notice = page.T("bip.saved")
	}
	s.render(w, r, http.StatusOK, page)
	return nil
}

func (s *Server) bipVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(chi.URLParam(r, "version"))
	if err != nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
	}
	p, err := s.BIP.FindVersion(r.Context(), id, v)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, s.bipPublicationPage(r, p))
	return nil
}

func (s *Server) bipPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var p *bip.Publication
	if v := r.URL.Query().Get("wersja"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
		}
		p, err = s.BIP.FindVersion(r.Context(), id, n)
	} else {
		p, err = s.BIP.FindByID(r.Context(), id)
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, &bipPrintPage{s.bipPublicationPage(r, p)})
	return nil
}

type bipVersionsPage struct {
	Page
	Pub       *bip.Publication
	Versions  []*bip.VersionSummary
	From, To  int
	Diff      []bip.DiffOp
	TitleDiff []bip.DiffOp
}

func (*bipVersionsPage) template() string { return "bip_versions" }

func (s *Server) bipVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	versions, err := s.BIP.FindVersions(r.Context(), id)
	if err != nil {
		return err
	}
	latest, err := s.BIP.FindVersion(r.Context(), id, len(versions))
	if err != nil {
		return err
	}
	p := &bipVersionsPage{Pub: latest, Versions: versions, From: max(1, len(versions)-1), To: len(versions)}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "bip.versions.title"
	p.TitleArgs = []any{latest.Title}
	p.Section = "bip"
	q := r.URL.Query()
	if q.Has("od") || q.Has("do") {
		from, err1 := strconv.Atoi(q.Get("od"))
		to, err2 := strconv.Atoi(q.Get("do"))
		p.Errors = map[string]string{}
		if err1 != nil || from < 1 || from > len(versions) {
			p.Errors["od"] = p.T("err.range", 1, len(versions))
		}
		if err2 != nil || to < 1 || to > len(versions) {
			p.Errors["do"] = p.T("err.range", 1, len(versions))
		}
		if len(p.Errors) > 0 {
			s.render(w, r, http.StatusBadRequest, p)
			return nil
		}
		c, err := s.BIP.Compare(r.Context(), id, from, to)
		if err != nil {
			return err
		}
		p.From, p.To = from, to
		p.TitleDiff, p.Diff = c.Title, c.Body
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

type bipChangesPage struct {
	Page
	Changes     []*bip.Change
	Head        bip.Head
	Pagination  pagination
	Publication string
	Kind        string
	From, To    string
}

func (*bipChangesPage) template() string { return "bip_changes" }

func (s *Server) bipChanges(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &bipChangesPage{Publication: q.Get("publikacja"), Kind: q.Get("rodzaj"), From: q.Get("od"), To: q.Get("do")}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "bip.changes.title"
	p.Section = "bip"
	f := bip.ChangeFilter{Kind: p.Kind}
	p.Errors = map[string]string{}
	if p.Publication != "" {
		id, err := strconv.ParseInt(p.Publication, 10, 64)
		if err != nil || id < 1 {
			p.Errors["publikacja"] = p.T("err.bip.publication_number")
		}
		f.PublicationID = id
	}
	switch p.Kind {
	case "", "publish", "revise", "withdraw":
	default:
		p.Errors["rodzaj"] = p.T("err.bip.kind")
	}
	for field, dst := range map[string]*time.Time{"od": &f.From, "do": &f.To} {
		v := q.Get(field)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, warsaw)
		if err != nil {
			p.Errors[field] = p.T("err.date")
			continue
		}
		if field == "do" {
			t = t.AddDate(0, 0, 1) // the whole day
		}
		*dst = t
	}
	var err error
	if p.Head, err = s.BIP.LogHead(r.Context()); err != nil {
		return err
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, p)
		return nil
	}
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*50, 50
	var total int
	if p.Changes, total, err = s.BIP.Changes(r.Context(), f); err != nil {
		return err
	}
	p.Pagination = newPagination(r, page, total, 50)
	s.render(w, r, http.StatusOK, p)
	return nil
}

// bipAttachment serves a file with the type sniffed when it was stored, as
// a download unless it is a type a browser shows safely, and sandboxed.
func (s *Server) bipAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	a, data, err := s.BIP.Attachment(r.Context(), id)
	if err != nil {
		return err
	}
	serveFile(w, a, data)
	return nil
}

// publicationURL is a publication's public address.
func (s *Server) publicationURL(id int64) string {
	return s.Config.BaseURL.String() + httpx.PublicationPath(id)
}

func attachmentURL(a *bip.Attachment) string {
	return httpx.AttachmentPath(a.ID, a.Name)
}
