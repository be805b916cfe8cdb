package search_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/ratusz/ratusz/internal/morph"
	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/search"
)

var dictErr error

func TestMain(m *testing.M) {
	_, dictErr = search.LoadDictionary(morph.DefaultDir)
	testdb.Main(m)
}

// The Polish dictionary is there: without it search matches words only as
// written, and the relevance figures say nothing.
func TestDictionaryPresent(t *testing.T) {
	if dictErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Polish dictionary is required in CI (make test installs hunspell-pl): %v", dictErr)
		}
		t.Skipf("no Polish dictionary (%v); run make test to install hunspell-pl", dictErr)
	}
}

func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	conformance(t, func(t *testing.T) search.Index { return search.NewPostgres(testdb.New(t)) })
}

// Polish forms: base forms typed find inflected titles, the form typed
// ranks above other forms of the word, and Roman numbers match whole.
func TestPostgresPolishForms(t *testing.T) {
	t.Parallel()
	if dictErr != nil {
		TestDictionaryPresent(t)
		return
	}
	ctx := context.Background()
	idx := search.NewPostgres(testdb.New(t))
	docs := []search.Document{
		{ID: "interpellation:1", Type: "interpellation", Title: "odmalowania znaków poziomych na terenie dzielnicy Dąbrówka Mała", URL: "/1"},
		{ID: "interpellation:2", Type: "interpellation", Title: "nowo wykonanego przejścia dla pieszych przy ul. Radosnej w Giszowcu", URL: "/2"},
		{ID: "interpellation:3", Type: "interpellation", Title: "znak drogowy przy szkole", URL: "/3"},
		{ID: "interpellation:4", Type: "interpellation", Title: "znaków drogowych przy szkole", URL: "/4"},
		{ID: "session:12", Type: "session", Title: "Sesja XII Rady Miasta", URL: "/12"},
		{ID: "session:13", Type: "session", Title: "Sesja XIII Rady Miasta", URL: "/13"},
		{ID: "interpellation:5", Type: "interpellation", Title: "zgodnych z planem nasadzeń", URL: "/5"},
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	ids := func(q string) []string {
		t.Helper()
		res, err := idx.Search(ctx, search.Query{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	for q, want := range map[string]string{
		"znak poziomy dabrowka mala":           "interpellation:1",
		"oznakowanie poziome dąbrówka mała":    "interpellation:1", // all words but one
		"przejscie dla pieszych ulica radosna": "interpellation:2",
		"przejście radosna":                    "interpellation:2",
		"znak drogowy":                         "interpellation:3", // the form typed first
		"znaków drogowych":                     "interpellation:4",
		"xii":                                  "session:12",
	} {
		if got := ids(q); len(got) == 0 || got[0] != want {
			t.Errorf("%q: %v, want %s first", q, got, want)
		}
	}
	if got := ids("znak drogowy"); len(got) != 2 {
		t.Errorf("znak drogowy: %v, want both forms", got)
	}
	if got := ids("sesja xii"); slices.Contains(got, "session:13") {
		t.Errorf("sesja xii: %v: XIII matched XII", got)
	}
	if got := ids("niezgodnych"); len(got) != 0 {
		t.Errorf("niezgodnych: %v: the negation was dropped", got)
	}
}

// A surname the dictionary does not list, in another case: "radnej
// Lewandowskiej" finds Lewandowska's.
func TestPostgresSurnamesInOtherCases(t *testing.T) {
	t.Parallel()
	if dictErr != nil {
		TestDictionaryPresent(t)
		return
	}
	ctx := context.Background()
	idx := search.NewPostgres(testdb.New(t))
	if err := idx.Upsert(ctx, []search.Document{
		{ID: "interpellation:1", Type: "interpellation", Title: "remontu chodnika", Body: "radna Katarzyna Lewandowska", URL: "/1"},
		{ID: "interpellation:2", Type: "interpellation", Title: "chodnika przy ul. Bytkowskiej", URL: "/2"},
	}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"chodnik radnej lewandowskiej": "interpellation:1", "ulica bytkowska chodnik": "interpellation:2"} {
		res, err := idx.Search(ctx, search.Query{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != want {
			t.Errorf("%q: %v, want %s first", q, res.Hits, want)
		}
	}
}
