package search_test

import (
	"os"
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
