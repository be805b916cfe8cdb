package web

import (
	"context"
	"encoding/xml"
	"html"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/search"
)

type searchPageData struct {
	Page
	Q          string
	Query      search.Query
	Form       url.Values
	Result     search.Result
	Facets     []searchFacet
	Pagination pagination
	FeedURL    string
	Terms      []string     // the councils' terms of office, newest first
	Saved      bool         // a saved search was just created
	Editing    *savedSearch // the saved search that saving replaces
	Ignored    []string     // parameters the page does not know, shown as ignored
}

// ignoredParams are the parameters of a search address that nothing reads.
func ignoredParams(v url.Values) []string {
	var out []string
	for k := range v {
		if _, alias := search.Aliases[k]; alias || slices.Contains(searchPageParams, k) || slices.Contains(queryParams, k) {
			continue
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// queryParams are the names of a query's parameters.
var queryParams = func() []string {
	n := search.APIParams
	return []string{n.Q, n.Type, n.Category, n.Body, n.Term, n.Status, n.From, n.To, n.Sort, n.Councillor}
}()

func (*searchPageData) template() string { return "search" }

// SaveParams are the form's parameters a saved search keeps.
func (p *searchPageData) SaveParams() url.Values { return savedParams(p.Form) }

// Saveable says whether the query narrows anything, so may be saved.
func (p *searchPageData) Saveable() bool {
	q := p.Query
	return q.Q != "" || len(q.Types) > 0 || q.Category != "" || q.Body != "" || q.Status != "" || q.Councillor != ""
}

type searchFacet struct {
	Name, Param, Label string
	Values             []searchFacetValue
}

type searchFacetValue struct {
	Label    string
	Count    int
	URL      string
	Selected bool
}

// TypeLabel translates a document type.
func (p *searchPageData) TypeLabel(t string) string { return p.T("search.type." + t) }

// Date formats a hit's date, as in a dense list: "3.12.2026".
func (p *searchPageData) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.Short(t)
}

// Value returns the form's value of a parameter.
func (p *searchPageData) Value(name string) string { return p.Form.Get(name) }

// SortField is the sort select.
func (p *searchPageData) SortField() fieldArgs {
	cur := p.Value("sort")
	if cur == "data" || cur == "trafnosc" { // the old values
		cur = map[string]string{"data": "date", "trafnosc": "relevance"}[cur]
	}
	return p.Field("sort", "search.sort", "select", cur).
		WithOptions([]string{"relevance", "date"}, []string{p.T("search.sort.relevance"), p.T("search.sort.date")})
}

// TermField is the term-of-office select: the terms there are, so that
// the filter matches (it compares whole names).
func (p *searchPageData) TermField() fieldArgs {
	v, l := []string{""}, []string{p.T("search.term.all")}
	cur := p.Value("term")
	for _, t := range p.Terms {
		v, l = append(v, t), append(l, t)
	}
	if cur != "" && !slices.Contains(p.Terms, cur) {
		v, l = append(v, cur), append(l, cur)
	}
	return p.Field("term", "search.term", "select", cur).WithOptions(v, l)
}

// TypeField is the type select.
func (p *searchPageData) TypeField() fieldArgs {
	v, l := []string{""}, []string{p.T("search.type.all")}
	for _, t := range search.Types {
		v = append(v, t)
		l = append(l, p.T("search.type."+t))
	}
	return p.Field("type", "search.facet.type", "select", p.Value("type")).WithOptions(v, l)
}

// Start is the number of the page's first hit.
func (p *searchPageData) Start() int { return p.Query.Offset + 1 }

// Ballot is a hit's "Name: choice" in the page's language (the index
// holds the Polish words).
func (p *searchPageData) Ballot(b string) string {
	name, choice, ok := strings.Cut(b, ": ")
	if !ok || p.Lang != i18n.EN {
		return b
	}
	if en, ok := ballotEN[choice]; ok {
		choice = en
	}
	return name + ": " + choice
}

var ballotEN = map[string]string{"za": "for", "przeciw": "against", "wstrzymała się": "abstained", "wstrzymał się": "abstained",
	"wstrzymał(a) się": "abstained", "nieobecna": "absent", "nieobecny": "absent", "nieobecny(a)": "absent",
	"nie głosowała": "did not vote", "nie głosował": "did not vote", "nie głosował(a)": "did not vote"}

// Highlight is a hit's snippet: HTML the engine built from escaped text.
func (p *searchPageData) Highlight(h search.Hit) template.HTML { return h.Snippet }

const searchPageSize = 20

// searchPageParams are the page's own parameters besides the query's.
var searchPageParams = []string{"strona", "zapisano", "zapisane"}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query()
	v := search.Canonical(raw)
	p := &searchPageData{Form: v, Q: v.Get("q"), Ignored: ignoredParams(raw)}
	p.Lang = s.lang(r) // the handler translates facet labels before render
	p.Title = "search.title"
	p.Section = "search"
	p.Saved = v.Get("zapisano") == "1"
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	q, err := search.ParseQuery(v, search.APIParams)
	if err != nil {
		// The form again, with the message beside the field and what was
		// typed kept, not a bare error page.
		return s.showAgain(r, err, "q", func(errs map[string]string) error {
			p.Errors = errs
			if p.Terms, err = s.Council.TermNames(r.Context()); err != nil {
				return err
			}
			s.render(w, r, http.StatusBadRequest, p)
			return nil
		})
	}
	q.Limit = searchPageSize
	q.Offset = (page - 1) * searchPageSize
	if q.Offset > 10000 {
		q.Offset = 10000
	}
	p.Query = q
	if id := v.Get("zapisane"); id != "" {
		a := ratusz.ActorFromContext(r.Context())
		if err := a.Require(); err != nil {
			return err
		}
		if p.Editing, err = s.savedSearchOf(r.Context(), a.UserID, id); err != nil {
			return err
		}
	}
	if p.Result, err = s.Index.Search(r.Context(), q); err != nil {
		return err
	}
	p.Pagination = newPagination(r, page, p.Result.Total, searchPageSize)
	p.FeedURL = "/szukaj/feed.atom?" + feedQuery(v).Encode()
	p.Feed = p.FeedURL
	if p.Terms, err = s.Council.TermNames(r.Context()); err != nil {
		return err
	}
	names, err := s.categoryNames(r.Context(), p.Lang)
	if err != nil {
		return err
	}
	p.Facets = s.searchFacets(p, v, names)
	s.render(w, r, http.StatusOK, p)
	return nil
}

func feedQuery(v url.Values) url.Values {
	f := url.Values{}
	for k, vs := range v {
		if slices.Contains(queryParams, k) && k != "sort" {
			f[k] = vs
		}
	}
	return f
}

// categoryNames maps BIP category slugs to their names in a language, so
// that the category facet reads "Uchwały" rather than "uchwaly".
func (s *Server) categoryNames(ctx context.Context, lang i18n.Lang) (map[string]string, error) {
	cats, err := s.BIP.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		out[c.Slug] = c.NamePL
		if lang == i18n.EN && c.NameEN != "" {
			out[c.Slug] = c.NameEN
		}
	}
	return out, nil
}

// searchFacets are links that add (or remove) one filter each, so that the
// page narrows results without JavaScript.
func (s *Server) searchFacets(p *searchPageData, v url.Values, categories map[string]string) []searchFacet {
	var out []searchFacet
	for _, name := range append(slices.Clone(search.FacetNames), search.FacetCouncillor) {
		param := name // a facet's parameter has its name
		counts := p.Result.Facets[name]
		if chosen := v.Get(param); chosen != "" && !strings.Contains(chosen, ",") {
			if _, ok := counts[chosen]; !ok {
				// Chosen but matching nothing now: still listed, so it can
				// be taken off.
				counts = maps.Clone(counts)
				if counts == nil {
					counts = map[string]int{}
				}
				counts[chosen] = 0
			}
		}
		if len(counts) == 0 {
			continue
		}
		f := searchFacet{Name: name, Param: param, Label: p.T("search.facet." + name)}
		for i, val := range search.FacetValues(counts) {
			if i >= 12 && v.Get(param) != val {
				continue
			}
			u := url.Values{}
			for k, vs := range v {
				if k != "strona" && k != "zapisano" && !slices.Contains(p.Ignored, k) {
					u[k] = vs
				}
			}
			selected := u.Get(param) == val
			if selected {
				u.Del(param)
			} else {
				u.Set(param, val)
			}
			label := val
			switch name {
			case "type":
				label = p.T("search.type." + val)
			case "status":
				label = p.T("search.status." + val)
			case "category":
				if n, ok := categories[val]; ok {
					label = n
				}
			}
			f.Values = append(f.Values, searchFacetValue{Label: label, Count: counts[val], URL: "/szukaj?" + u.Encode(), Selected: selected})
		}
		out = append(out, f)
	}
	return out
}

// searchFeed is the Atom feed of a query's newest results.
func (s *Server) searchFeed(w http.ResponseWriter, r *http.Request) {
	v := search.Canonical(r.URL.Query())
	q, err := search.ParseQuery(v, search.APIParams)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q.Sort, q.Limit = "date", 50
	res, err := s.Index.Search(r.Context(), q)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	base := s.Config.BaseURL.String()
	lang := s.lang(r)
	title := s.Config.Municipality + " — " + i18n.T(lang, "search.title")
	if q.Q != "" {
		title += ": " + q.Q
	}
	self := base + "/szukaj/feed.atom?" + feedQuery(v).Encode()
	feed := atomFeed{Title: title, ID: self, Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: base + "/szukaj?" + feedQuery(v).Encode()}},
		Author: atomAuthor{Name: s.Config.Municipality}}
	for i, h := range res.Hits {
		d := h.Date
		if d.IsZero() {
			d = time.Unix(0, 0)
		}
		if i == 0 {
			feed.Updated = d.UTC().Format(time.RFC3339)
		}
		feed.Entries = append(feed.Entries, atomEntry{
			Title: h.Title, ID: base + h.URL + "#" + h.ID, Updated: d.UTC().Format(time.RFC3339),
			Link:     atomLink{Rel: "alternate", Type: "text/html", Href: base + h.URL},
			Category: atomCategory{Term: h.Type, Label: i18n.T(lang, "search.type."+h.Type)},
			Summary:  plainSnippet(string(h.Snippet)),
		})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	enc.Encode(feed)
}

// plainSnippet turns a snippet back into plain text (the feed's summary is text).
func plainSnippet(s string) string {
	s = strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	return html.UnescapeString(s)
}
