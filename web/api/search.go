package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/search"
	"github.com/ratusz/ratusz/web/httpx"
)

// SearchHit is one hit.
type SearchHit struct {
	ID      string  `json:"id"`
	Type    string  `json:"type"`
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Snippet string  `json:"snippet"`
	Date    *string `json:"date"`
	// A vote's: how the councillors the query names voted ("Danuta Krawczyk: za").
	Ballots []string `json:"ballots,omitempty"`
}

// SearchResults are a page of hits with the facets of all of them;
// NextCursor, when there are more, asks for the next page.
type SearchResults struct {
	Total      int                       `json:"total"`
	Hits       []SearchHit               `json:"hits"`
	Facets     map[string]map[string]int `json:"facets"`
	NextCursor string                    `json:"next_cursor,omitempty"`
	// Relaxed: no document has every word; these have all but one.
	Relaxed bool `json:"relaxed,omitempty"`
}

// search is GET /api/v1/search?q=&type=&limit=&cursor=.
func (a *API) search(w http.ResponseWriter, r *http.Request) error {
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
	res, err := a.Index.Search(r.Context(), q)
	if err != nil {
		return err
	}
	out := SearchResults{Total: res.Total, Hits: []SearchHit{}, Facets: res.Facets, Relaxed: res.Relaxed}
	for _, h := range res.Hits {
		hit := SearchHit{ID: h.ID, Type: h.Type, Title: h.Title, URL: a.base + h.URL, Snippet: string(h.Snippet), Ballots: h.Ballots}
		if !h.Date.IsZero() {
			d := h.Date.UTC().Format(time.RFC3339)
			hit.Date = &d
		}
		out.Hits = append(out.Hits, hit)
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
