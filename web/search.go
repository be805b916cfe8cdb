package web

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/search"
	"github.com/ratusz/ratusz/web/httpx"
)

// searchPages adds the search pages.
func (s *Server) searchPages(r chi.Router) {
	r.Get("/szukaj", s.page(s.searchPage))
	r.Get("/szukaj/feed.atom", s.searchFeed)
	r.Get("/szukaj/zapisane", s.page(s.savedSearchesPage))
	r.Post("/szukaj/zapisane", s.page(s.saveSearch))
	r.Post("/szukaj/zapisane/{id}/usun", s.page(s.deleteSavedSearch))
	r.Get("/szukaj/wypisz/{token}", s.page(s.unsubscribeForm))
	r.Post("/szukaj/wypisz/{token}", s.page(s.unsubscribe))
}

// searchAPI adds the search API under /api/v1.
func (s *Server) searchAPI(r chi.Router) {
	r.Get("/search", s.api(s.apiSearch))
}

// apiSearchHit is one hit in the API.
type apiSearchHit struct {
	ID      string  `json:"id"`
	Type    string  `json:"type"`
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Snippet string  `json:"snippet"`
	Date    *string `json:"date"`
}

// apiSearch is GET /api/v1/search?q=&type=&limit=&cursor=.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, err := search.ParseQuery(v, search.APIParams)
	if err != nil {
		return err
	}
	q.Limit = 20
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > 100 {
			return ratusz.Invalid("limit", "err.range", 1, 100)
		}
	}
	if c := v.Get("cursor"); c != "" {
		if q.Offset, err = decodeCursor(c); err != nil {
			return ratusz.Invalid("cursor", "err.search.cursor")
		}
	}
	res, err := s.Index.Search(r.Context(), q)
	if err != nil {
		return err
	}
	out := struct {
		Total      int                       `json:"total"`
		Hits       []apiSearchHit            `json:"hits"`
		Facets     map[string]map[string]int `json:"facets"`
		NextCursor string                    `json:"next_cursor,omitempty"`
	}{Total: res.Total, Hits: []apiSearchHit{}, Facets: res.Facets}
	for _, h := range res.Hits {
		a := apiSearchHit{ID: h.ID, Type: h.Type, Title: h.Title, URL: s.Config.BaseURL.String() + h.URL, Snippet: string(h.Snippet)}
		if !h.Date.IsZero() {
			d := h.Date.UTC().Format(time.RFC3339)
			a.Date = &d
		}
		out.Hits = append(out.Hits, a)
	}
	if next := q.Offset + len(res.Hits); len(res.Hits) > 0 && next < res.Total {
		out.NextCursor = encodeCursor(next)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// A cursor is an opaque position in the results.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.Atoi(string(b[1:]))
	if err != nil || n < 0 || n > 10000 {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}
