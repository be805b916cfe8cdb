package search_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"
	"github.com/ratusz/ratusz/search"
)

type exchange struct {
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Body     json.RawMessage `json:"body"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
}

// replay serves the recorded exchanges in order, failing the test on any
// request that differs from the next one expected.
func replay(t *testing.T, key string) (*httptest.Server, func() int) {
	b, err := os.ReadFile("testdata/meilisearch.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Exchanges []exchange }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	next := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(f.Exchanges) {
			t.Errorf("unexpected %s %s", r.Method, r.URL.RequestURI())
			http.Error(w, "{}", 500)
			return
		}
		x := f.Exchanges[next]
		next++
		if r.Method != x.Method || r.URL.RequestURI() != x.Path {
			t.Errorf("exchange %d: got %s %s, want %s %s", next, r.Method, r.URL.RequestURI(), x.Method, x.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+key {
			t.Errorf("exchange %d: Authorization %q", next, got)
		}
		body, _ := io.ReadAll(r.Body)
		if len(x.Body) > 0 {
			want := x.Body
			var g, w2 any
			json.Unmarshal(body, &g)
			json.Unmarshal(want, &w2)
			if dictErr != nil { // lemmas come from the dictionary, absent here
				g, w2 = withoutLemmas(g), withoutLemmas(w2)
			}
			if !reflect.DeepEqual(g, w2) {
				t.Errorf("exchange %d %s %s: body\n%s\nwant\n%s", next, x.Method, x.Path, body, want)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(x.Status)
		w.Write(x.Response)
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return next }
}

// The adapter, through meilisearch-go, against Meilisearch's documented
// API: the index and its settings come before any document, tasks are
// awaited, documents carry a key Meilisearch accepts, filters are quoted,
// one multi-search brings the hits, the exact total and the facets,
// snippets are escaped and errors reported.
func TestMeilisearchAdapter(t *testing.T) {
	srv, done := replay(t, "secret")
	m, err := search.NewMeilisearch(srv.URL, "secret", "ratusz")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	doc := search.Document{ID: "resolution:1", Type: "resolution", Title: "w sprawie budżetu obywatelskiego", Body: "Uchwała nr XII/145/2024 <script>",
		URL: "/bip/publikacje/1", Date: day("2024-05-10"), Category: "uchwaly", BodyName: "Rada Miejska", Numbers: []string{"XII/145/2024"}}
	if err := m.Upsert(ctx, []search.Document{doc}); err != nil {
		t.Fatal(err)
	}
	res, err := m.Search(ctx, search.Query{Q: "budzetu", Types: []string{"resolution"}, Category: `uch"waly`})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != "resolution:1" || !res.Hits[0].Date.Equal(day("2024-05-10")) {
		t.Fatalf("%+v", res)
	}
	if s := string(res.Hits[0].Snippet); s != "…w sprawie <mark>budżetu</mark> &lt;script&gt;alert(1)&lt;/script&gt;…" {
		t.Errorf("snippet %q", s)
	}
	// The chosen facets are counted under the other choice only.
	want := map[string]map[string]int{
		"type":     {"resolution": 1, "vote": 1},
		"category": {`uch"waly`: 1, "uchwaly": 3},
		"body":     {"Rada Miejska": 1},
		"status":   {},
	}
	if !reflect.DeepEqual(res.Facets, want) {
		t.Errorf("facets %v", res.Facets)
	}
	if err := m.Delete(ctx, []string{"resolution:1", "vote:2"}); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrFailedTask", func(t *testing.T) {
		err := m.Upsert(ctx, []search.Document{doc})
		if err == nil || !strings.Contains(err.Error(), "invalid_document_id") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrInvalidKey", func(t *testing.T) {
		_, err := m.Search(ctx, search.Query{Q: "x"})
		if err == nil || !strings.Contains(err.Error(), "invalid_api_key") {
			t.Fatalf("%v", err)
		}
	})
	if n := done(); n != 13 {
		t.Errorf("%d of 13 exchanges", n)
	}
}

func TestMeilisearchDown(t *testing.T) {
	m, _ := search.NewMeilisearch("http://127.0.0.1:1", "", "ratusz")
	if err := m.Upsert(context.Background(), []search.Document{{ID: "bip:1"}}); err == nil {
		t.Fatal("no error from an engine that is down")
	}
	if _, err := search.NewMeilisearch("ftp://x", "", "ratusz"); err == nil {
		t.Fatal("bad URL accepted")
	}
}

// The conformance suite against a real Meilisearch, when MEILI_URL is set.
func TestMeilisearchConformance(t *testing.T) {
	u := os.Getenv("MEILI_URL")
	if u == "" {
		t.Skip("MEILI_URL not set: the conformance suite runs against a real Meilisearch only when it is (see README, Search)")
	}
	conformance(t, func(t *testing.T) search.Index {
		uid := "ratusz_test_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		m, err := search.NewMeilisearch(u, os.Getenv("MEILI_API_KEY"), uid)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			var opts []meilisearch.Option
			if k := os.Getenv("MEILI_API_KEY"); k != "" {
				opts = append(opts, meilisearch.WithAPIKey(k))
			}
			meilisearch.New(u, opts...).DeleteIndex(uid)
		})
		return m
	})
}

// withoutLemmas is a request body without its documents' lemmas.
func withoutLemmas(v any) any {
	switch v := v.(type) {
	case []any:
		for i := range v {
			v[i] = withoutLemmas(v[i])
		}
	case map[string]any:
		delete(v, "lemmas")
	}
	return v
}
