package search_test

import (
	"testing"

	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/search"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	conformance(t, func(t *testing.T) search.Index { return search.NewPostgres(testdb.New(t)) })
}
