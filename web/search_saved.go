package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/search"
)

// A saved search: a signed-in person's query whose new results are sent
// to their e-mail address. Each e-mail carries a fresh random unsubscribe
// link that works without signing in; only its hash is stored.

type savedSearch struct {
	*search.Saved
	Follow *followBox // digests and SMS of its new results
}

// URL is the search page of the saved query.
func (s savedSearch) URL() string { return "/szukaj?" + s.Filters.Encode() }

// EditURL opens the saved query on the search page, where saving replaces it.
func (s savedSearch) EditURL() string {
	v := url.Values{}
	for k, vs := range s.Filters {
		v[k] = vs
	}
	v.Set("zapisane", strconv.FormatInt(s.ID, 10))
	return "/szukaj?" + v.Encode()
}

// savedFilters are a saved search's parameters besides the words, in the
// order they are described, with their labels.
var savedFilters = []struct{ param, label string }{
	{"type", "search.facet.type"}, {"category", "search.facet.category"}, {"body", "search.facet.body"},
	{"status", "search.facet.status"}, {"councillor", "search.facet.councillor"}, {"term", "search.term"}, {"from", "search.from"}, {"to", "search.to"},
}

// Describe names a saved search's filters, e.g. "Rodzaj: głosowania · Od dnia: 2024-01-01".
func (p *savedSearchesPageData) Describe(ss savedSearch) string {
	var parts []string
	for _, f := range savedFilters {
		v := ss.Filters.Get(f.param)
		if v == "" {
			continue
		}
		switch f.param {
		case "type":
			var names []string
			for _, t := range strings.Split(v, ",") {
				names = append(names, p.T("search.type."+t))
			}
			v = strings.Join(names, ", ")
		case "status":
			v = p.T("search.status." + v)
		case "category":
			if n, ok := p.Categories[v]; ok {
				v = n
			}
		}
		parts = append(parts, p.T(f.label)+": "+v)
	}
	return strings.Join(parts, " · ")
}

type savedSearchesPageData struct {
	Page
	List       []savedSearch
	Categories map[string]string // BIP category slug → name
}

func (*savedSearchesPageData) template() string { return "search_saved" }

func (s *Server) savedSearchesPage(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	p := &savedSearchesPageData{}
	p.Lang = s.lang(r) // the handler translates messages before render
	var err error
	if p.Categories, err = s.categoryNames(r.Context(), p.Lang); err != nil {
		return err
	}
	p.Title = "search.saved.title"
	p.Section = "search"
	switch {
	case r.URL.Query().Get("usunieto") == "1":
		p.Notice = p.T("search.saved.deleted")
	case r.URL.Query().Get("zmieniono") == "1":
		p.Notice = p.T("search.saved.changed")
	}
	list, err := s.Saved.List(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	for _, sv := range list {
		label := sv.Query
		if label == "" {
			label = p.T("search.saved.filters_only")
		}
		fb, err := s.followBox(r, &p.Page, notify.TargetSavedSearch, sv.ID, label)
		if err != nil {
			return err
		}
		p.List = append(p.List, savedSearch{sv, fb})
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

// saveSearch stores the query of the page's form; what it finds now is
// taken as already seen, so alerts announce only what is new.
func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	if a.Email == "" {
		return ratusz.Invalid("q", "err.search.no_email")
	}
	f := savedParams(r.PostForm)
	q, err := search.ParseQuery(f, search.APIParams)
	if err != nil {
		return err
	}
	if q.Q == "" && len(q.Types) == 0 && q.Category == "" && q.Body == "" && q.Status == "" {
		return ratusz.Invalid("q", "err.search.empty")
	}
	// Editing: the search replaces one of the person's own saved searches.
	var replace int64
	if _, ok := r.PostForm["zastap"]; ok {
		if replace, err = strconv.ParseInt(r.PostForm.Get("zastap"), 10, 64); err != nil || replace <= 0 {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
		}
	}
	q.Sort, q.Limit = "date", 100
	res, err := s.Index.Search(r.Context(), q)
	if err != nil {
		return err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	// What it finds now counts as seen: alerts announce only what is new.
	if _, err := s.Saved.Save(r.Context(), search.Saved{UserID: a.UserID, Email: a.Email, Query: q.Q, Filters: f, Lang: string(s.lang(r))}, replace, ids); err != nil {
		return err
	}
	if replace != 0 {
		http.Redirect(w, r, "/szukaj/zapisane?zmieniono=1", http.StatusSeeOther)
		return nil
	}
	f.Set("zapisano", "1")
	http.Redirect(w, r, "/szukaj?"+f.Encode(), http.StatusSeeOther)
	return nil
}

// savedKeys are the parameters a saved search keeps.
var savedKeys = []string{"q", "type", "category", "body", "term", "status", "councillor", "from", "to"}

// savedParams picks a saved search's parameters from a form or a query.
func savedParams(v url.Values) url.Values {
	v = search.Canonical(v)
	f := url.Values{}
	for _, k := range savedKeys {
		if x := strings.TrimSpace(v.Get(k)); x != "" {
			f.Set(k, x)
		}
	}
	return f
}

// savedSearchOf returns one of the actor's active saved searches, by the
// id in a page's "zapisane" parameter.
func (s *Server) savedSearchOf(ctx context.Context, userID int64, param string) (*savedSearch, error) {
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
	}
	sv, err := s.Saved.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	return &savedSearch{Saved: sv}, nil
}

func (s *Server) deleteSavedSearch(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
	}
	if err := s.Saved.Delete(r.Context(), a.UserID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/szukaj/zapisane?usunieto=1", http.StatusSeeOther)
	return nil
}

type unsubscribePage struct {
	Page
	Token string
	Query string
	Done  bool
}

func (*unsubscribePage) template() string { return "search_unsubscribe" }

// unsubscribeForm asks to confirm (a link opened by a mail scanner changes nothing).
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	sv, active, err := s.Saved.ByToken(r.Context(), token)
	if err != nil {
		return err
	}
	p := &unsubscribePage{Token: token, Query: sv.Query, Done: !active}
	p.Title = "search.unsubscribe.title"
	p.Section = "search"
	s.render(w, r, http.StatusOK, p)
	return nil
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	sv, err := s.Saved.Unsubscribe(r.Context(), token)
	if err != nil {
		return err
	}
	p := &unsubscribePage{Token: token, Query: sv.Query, Done: true}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "search.unsubscribe.title"
	p.Section = "search"
	p.Notice = p.T("search.unsubscribe.done")
	s.render(w, r, http.StatusOK, p)
	return nil
}
