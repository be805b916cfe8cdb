package search_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz/search"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// corpus is what the conformance suite indexes.
var corpus = []search.Document{
	{ID: "resolution:1", Type: "resolution", Title: "w sprawie budżetu obywatelskiego Miasta Łodzi na rok 2025", Body: "Uchwała nr XII/145/2024 Rady Miejskiej", URL: "/bip/publikacje/1", Date: day("2024-05-10"), Category: "uchwaly", BodyName: "Rada Miejska", Term: "2024–2029", Numbers: []string{"XII/145/2024"}},
	{ID: "resolution:2", Type: "resolution", Title: "w sprawie zmiany uchwały nr XII/145/2024", Body: "Uchwała nr XIV/201/2024", URL: "/bip/publikacje/2", Date: day("2024-09-01"), Category: "uchwaly", BodyName: "Rada Miejska", Term: "2024–2029", Numbers: []string{"XIV/201/2024"}},
	{ID: "vote:1", Type: "vote", Title: "Głosowanie nad projektem uchwały w sprawie nadania nazwy ulicy Żółwiej", Body: "druk DS-89/24 za 15 przeciw 3", URL: "/rada/glosowania/1", Date: day("2024-06-20"), Category: "glosowania", BodyName: "Rada Miejska", Status: "adopted", Numbers: []string{"DS-89/24"}},
	{ID: "vote:2", Type: "vote", Title: "Głosowanie nad wnioskiem o zamknięcie dyskusji", Body: "druk DS-90/24", URL: "/rada/glosowania/2", Date: day("2024-06-21"), Category: "glosowania", BodyName: "Komisja Budżetowa", Status: "rejected", Numbers: []string{"DS-90/24"}},
	{ID: "interpellation:1", Type: "interpellation", Title: "remontu chodnika przy ulicy Kościuszki", Body: "Interpelacja radnej Anny Nowak w sprawie remontu chodnika <script>alert(1)</script>", URL: "/rada/interpelacje/1", Date: day("2025-01-15"), Category: "drogi", BodyName: "Rada Miejska", Status: "answered"},
	{ID: "bip:1", Type: "bip", Title: "Ogłoszenie o przetargu na dostawę węgla", Body: "Zamawiający ogłasza przetarg nieograniczony na dostawę węgla do szkół.", URL: "/bip/publikacje/9", Date: day("2025-02-01"), Category: "ogloszenia"},
	{ID: "consultation:1", Type: "consultation", Title: "Konsultacje w sprawie parku na Zaborowie", Body: "Zapraszamy mieszkańców do wyrażenia opinii.", URL: "/konsultacje/1", Date: day("2025-03-01"), Category: "konsultacje", Status: "open"},
	{ID: "project:1", Type: "project", Title: "Ścieżka rowerowa wzdłuż rzeki", Body: "Budżet obywatelski 2026, Śródmieście", URL: "/budzet-obywatelski/projekty/1", Date: day("2025-04-01"), Status: "accepted"},
}

// conformance is the behaviour both engines share.
func conformance(t *testing.T, newIndex func(t *testing.T) search.Index) {
	ctx := context.Background()
	idx := newIndex(t)
	if err := idx.Upsert(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	if err := idx.Upsert(ctx, corpus[:2]); err != nil { // idempotent
		t.Fatal(err)
	}
	find := func(t *testing.T, q search.Query) search.Result {
		t.Helper()
		res, err := idx.Search(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		return res
	}
	ids := func(r search.Result) []string {
		var out []string
		for _, h := range r.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	first := func(t *testing.T, q string, want string) {
		t.Helper()
		r := find(t, search.Query{Q: q})
		if len(r.Hits) == 0 || r.Hits[0].ID != want {
			t.Errorf("%q: got %v, want %s first", q, ids(r), want)
		}
	}
	t.Run("DiacriticsIgnoredBothWays", func(t *testing.T) {
		first(t, "budzetu lodzi", "resolution:1")
		first(t, "Żółwiej", "vote:1")
		first(t, "zolwiej", "vote:1")
		first(t, "wegla", "bip:1")
	})
	t.Run("OneTypoInLongWords", func(t *testing.T) {
		first(t, "chodnkia", "interpellation:1") // transposition
		first(t, "kosciuszky", "interpellation:1")
		first(t, "przetrag wegla", "bip:1")
		r := find(t, search.Query{Q: "chdnka"}) // two edits: no
		if r.Total != 0 {
			t.Errorf("two typos matched %v", ids(r))
		}
	})
	t.Run("PrefixOfTheLastWord", func(t *testing.T) {
		first(t, "ścieżka rower", "project:1")
	})
	t.Run("NumbersExactFirst", func(t *testing.T) {
		first(t, "XII/145/2024", "resolution:1")
		first(t, "uchwała nr XII/145/2024", "resolution:1")
		first(t, "xiv/201/2024", "resolution:2")
		first(t, "DS-89/24", "vote:1")
		first(t, "ds-90/24", "vote:2")
	})
	t.Run("Filters", func(t *testing.T) {
		r := find(t, search.Query{Q: "uchwaly", Types: []string{"vote"}})
		if len(r.Hits) != 1 || r.Hits[0].ID != "vote:1" {
			t.Errorf("type filter: %v", ids(r))
		}
		r = find(t, search.Query{Types: []string{"vote"}, Status: "rejected"})
		if len(r.Hits) != 1 || r.Hits[0].ID != "vote:2" {
			t.Errorf("status filter: %v", ids(r))
		}
		r = find(t, search.Query{Body: "Komisja Budżetowa"})
		if len(r.Hits) != 1 || r.Hits[0].ID != "vote:2" {
			t.Errorf("body filter: %v", ids(r))
		}
		r = find(t, search.Query{Category: "ogloszenia"})
		if len(r.Hits) != 1 || r.Hits[0].ID != "bip:1" {
			t.Errorf("category filter: %v", ids(r))
		}
		r = find(t, search.Query{From: day("2024-06-20"), To: day("2024-06-20")})
		if len(r.Hits) != 1 || r.Hits[0].ID != "vote:1" {
			t.Errorf("date filter (one day, inclusive): %v", ids(r))
		}
	})
	t.Run("Facets", func(t *testing.T) {
		r := find(t, search.Query{Q: "uchwaly"})
		if r.Facets["type"]["resolution"] != 2 || r.Facets["type"]["vote"] != 1 || r.Facets["category"]["glosowania"] != 1 {
			t.Errorf("facets %v", r.Facets)
		}
		r = find(t, search.Query{})
		if r.Total != len(corpus) || r.Facets["type"]["vote"] != 2 || r.Facets["status"]["adopted"] != 1 {
			t.Errorf("total %d facets %v", r.Total, r.Facets)
		}
	})
	// A chosen facet keeps showing its other values, counted under the
	// other choices, so a person can switch; the other facets narrow.
	t.Run("FacetsCountOtherChoices", func(t *testing.T) {
		r := find(t, search.Query{Types: []string{"vote"}, Status: "rejected"})
		want := map[string]map[string]int{
			"type":     {"vote": 1},
			"status":   {"adopted": 1, "rejected": 1},
			"body":     {"Komisja Budżetowa": 1},
			"category": {"glosowania": 1},
		}
		if r.Total != 1 || !reflect.DeepEqual(r.Facets, want) {
			t.Errorf("total %d facets\n%v\nwant\n%v", r.Total, r.Facets, want)
		}
		r = find(t, search.Query{Body: "Rada Miejska"})
		want = map[string]map[string]int{
			"type":     {"resolution": 2, "vote": 1, "interpellation": 1},
			"status":   {"adopted": 1, "answered": 1},
			"body":     {"Rada Miejska": 4, "Komisja Budżetowa": 1},
			"category": {"uchwaly": 2, "glosowania": 1, "drogi": 1},
		}
		if r.Total != 4 || !reflect.DeepEqual(r.Facets, want) {
			t.Errorf("total %d facets\n%v\nwant\n%v", r.Total, r.Facets, want)
		}
	})
	t.Run("SortAndPagination", func(t *testing.T) {
		r := find(t, search.Query{Sort: "date", Limit: 3})
		if got := ids(r); r.Total != len(corpus) || strings.Join(got, " ") != "project:1 consultation:1 bip:1" {
			t.Errorf("newest first: %v (total %d)", got, r.Total)
		}
		r2 := find(t, search.Query{Sort: "date", Limit: 3, Offset: 3})
		if got := ids(r2); len(got) != 3 || got[0] != "interpellation:1" {
			t.Errorf("second page: %v", got)
		}
		r3 := find(t, search.Query{Sort: "date", Limit: 3, Offset: 300})
		if len(r3.Hits) != 0 || r3.Total != len(corpus) {
			t.Errorf("past the end: %v total %d", ids(r3), r3.Total)
		}
	})
	t.Run("SnippetsEscapedAndMarked", func(t *testing.T) {
		r := find(t, search.Query{Q: "chodnika"})
		if len(r.Hits) == 0 {
			t.Fatal("no hit")
		}
		s := string(r.Hits[0].Snippet)
		if strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") || !strings.Contains(s, "<mark>chodnika</mark>") {
			t.Errorf("snippet %q", s)
		}
	})
	t.Run("DeleteAndClear", func(t *testing.T) {
		if err := idx.Delete(ctx, []string{"bip:1", "nope:1"}); err != nil {
			t.Fatal(err)
		}
		if r := find(t, search.Query{Q: "wegla"}); r.Total != 0 {
			t.Errorf("deleted still found: %v", ids(r))
		}
		if err := idx.Clear(ctx); err != nil {
			t.Fatal(err)
		}
		if r := find(t, search.Query{}); r.Total != 0 {
			t.Errorf("cleared index has %d", r.Total)
		}
	})
}
