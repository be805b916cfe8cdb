// Package search finds BIP publications, council records and participation
// items. One Index interface has two engines: Postgres (the embedded
// default: unaccent, trigram typo tolerance, tsvector ranking) and
// Meilisearch (when MEILI_URL is set). The Indexer keeps an engine in step
// with PostgreSQL, the source of truth, from what each module selects of
// itself (sources.go). ParseQuery reads a query from a page's or the API's
// parameters. SavedSearches stores people's saved searches, and Alerts
// mails what they find that is new.
package search

import (
	"context"
	"html/template"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Document types.
const (
	TypeBIP            = "bip"
	TypeResolution     = "resolution"
	TypeSession        = "session"
	TypeAgendaItem     = "agenda_item"
	TypeVote           = "vote"
	TypeInterpellation = "interpellation"
	TypeConsultation   = "consultation"
	TypeProject        = "project"
	TypeAttachment     = "attachment" // a BIP publication's file, by its text
)

// Types lists every document type, in the order facets show them.
var Types = []string{TypeBIP, TypeResolution, TypeSession, TypeAgendaItem, TypeVote, TypeInterpellation, TypeConsultation, TypeProject, TypeAttachment}

// Document is one searchable item, built from PostgreSQL by Sources.
type Document struct {
	ID       string    `json:"id"` // type:id, e.g. resolution:12
	Type     string    `json:"type"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	URL      string    `json:"url"`
	Date     time.Time `json:"date"`
	Category string    `json:"category"`  // BIP category slug, interpellation or project category
	BodyName string    `json:"body_name"` // council body
	Term     string    `json:"term"`      // term of office
	Status   string    `json:"status"`
	Numbers  []string  `json:"numbers"` // identifiers such as XII/145/2024, DS-89/24
}

// Query is what a person asks for.
type Query struct {
	Q        string
	Types    []string
	Category string
	Body     string
	Term     string
	Status   string
	// Councillor narrows to one councillor's votes and interpellations.
	Councillor string
	From, To   time.Time // inclusive dates; zero for open
	Sort       string    // "" (relevance) or "date"
	Limit      int       // 1..100, default 20
	Offset     int
}

// Hit is one result.
type Hit struct {
	ID      string        `json:"id"`
	Type    string        `json:"type"`
	Title   string        `json:"title"`
	URL     string        `json:"url"`
	Snippet template.HTML `json:"snippet"` // escaped text with <mark> around matched words
	Date    time.Time     `json:"date"`
	Ballots []string      `json:"ballots,omitempty"` // a vote's: how the councillors named in the query voted, "Danuta Krawczyk: za"
}

// Result is a page of hits, the total and facet counts.
type Result struct {
	Total  int                       `json:"total"`
	Hits   []Hit                     `json:"hits"`
	Facets map[string]map[string]int `json:"facets"` // facet (type, category, body, status) → value → count
	// Relaxed: no document has every word, so these have all but one.
	Relaxed bool `json:"relaxed,omitempty"`
}

// Facet names.
var FacetNames = []string{"type", "category", "body", "status"}

// FacetCouncillor is the facet of the councillors a query names (from the
// PostgreSQL engine): "krawczyk budżet" offers "Danuta Krawczyk".
const FacetCouncillor = "councillor"

// Index is a search engine.
type Index interface {
	// Name identifies the engine ("postgres", "meilisearch").
	Name() string
	// Upsert adds or replaces documents; it is idempotent.
	Upsert(ctx context.Context, docs []Document) error
	// Delete removes documents by id; unknown ids are ignored.
	Delete(ctx context.Context, ids []string) error
	// Clear removes every document.
	Clear(ctx context.Context) error
	// Search answers a query.
	Search(ctx context.Context, q Query) (Result, error)
}

func (q *Query) normalize() {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	if q.Limit > 100 {
		q.Limit = 100
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
}

// Engine returns Meilisearch when meiliURL is set, otherwise the
// PostgreSQL engine.
func Engine(pool *pgxpool.Pool, meiliURL, meiliKey string) (Index, error) {
	if meiliURL != "" {
		return NewMeilisearch(meiliURL, meiliKey, "ratusz")
	}
	return NewPostgres(pool), nil
}
