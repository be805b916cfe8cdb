package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ratusz/ratusz"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// Meilisearch is the engine for larger cities, spoken to through the
// official client, meilisearch-go. Document ids such as resolution:12 are
// stored under the primary key "key" (resolution-12), since Meilisearch
// allows only letters, digits, - and _ in ids.
type Meilisearch struct {
	client meilisearch.ServiceManager
	index  meilisearch.IndexManager
	uid    string
	mu     sync.Mutex
	ready  bool

	// TaskWait bounds the wait for an asynchronous task.
	TaskWait time.Duration
}

// NewMeilisearch returns the engine for the server at rawURL and index uid.
func NewMeilisearch(rawURL, apiKey, uid string) (*Meilisearch, error) {
	u, err := url.Parse(strings.TrimRight(rawURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("MEILI_URL: want http(s)://host[:port]")
	}
	opts := []meilisearch.Option{meilisearch.WithCustomClient(&http.Client{Timeout: 30 * time.Second})}
	if apiKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(apiKey))
	}
	c := meilisearch.New(u.String(), opts...)
	return &Meilisearch{client: c, index: c.Index(uid), uid: uid, TaskWait: time.Minute}, nil
}

func (m *Meilisearch) Name() string { return "meilisearch" }

// MeiliSettings are applied before any document is sent: what is searched
// (numbers first, so a pasted number ranks its document first; lemmas
// last, below the words as written), filtered
// and sorted, one typo from five letters (none in numbers, none in the
// identifiers), and Polish word segmentation.
var MeiliSettings = &meilisearch.Settings{
	SearchableAttributes: []string{"numbers", "title", "body", "lemmas"},
	FilterableAttributes: []string{"type", "category", "body_name", "term", "status", "date_ts"},
	SortableAttributes:   []string{"date_ts"},
	TypoTolerance: &meilisearch.TypoTolerance{
		Enabled:             true,
		MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
		DisableOnWords:      []string{},
		DisableOnAttributes: []string{"numbers"},
		DisableOnNumbers:    true, // 2024 must not find 2025 (Meilisearch 1.15+)
	},
	LocalizedAttributes: []*meilisearch.LocalizedAttributes{{AttributePatterns: []string{"*"}, Locales: []string{"pol"}}},
	// The most frequent values first, as the PostgreSQL engine offers them.
	Faceting:   &meilisearch.Faceting{MaxValuesPerFacet: 100, SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount}},
	Pagination: &meilisearch.Pagination{MaxTotalHits: 10000},
}

// meiliErr shortens the client's errors to the call, the status and
// Meilisearch's code and message; the client's own text carries whole
// request bodies, which have no place in a log.
func meiliErr(err error) error {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		if me.MeilisearchApiError.Code != "" {
			return fmt.Errorf("meilisearch: %s %s: %d %s: %s", me.Method, me.Endpoint, me.StatusCode, me.MeilisearchApiError.Code, me.MeilisearchApiError.Message)
		}
		if me.OriginError != nil {
			return fmt.Errorf("meilisearch: %s %s: %w", me.Method, me.Endpoint, me.OriginError)
		}
		return fmt.Errorf("meilisearch: %s %s: status %d", me.Method, me.Endpoint, me.StatusCode)
	}
	return fmt.Errorf("meilisearch: %w", err)
}

// wait waits for an asynchronous task to succeed.
func (m *Meilisearch) wait(ctx context.Context, info *meilisearch.TaskInfo, err error) error {
	if err != nil {
		return meiliErr(err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.TaskWait)
	defer cancel()
	t, err := m.client.WaitForTaskWithContext(ctx, info.TaskUID, 10*time.Millisecond)
	if err != nil {
		return meiliErr(err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("meilisearch: task %d %s: %s: %s", info.TaskUID, t.Status, t.Error.Code, t.Error.Message)
	}
	return nil
}

// setup creates the index and applies its settings, once per process.
func (m *Meilisearch) setup(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ready {
		return nil
	}
	info, err := m.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: m.uid, PrimaryKey: "key"})
	if err := m.wait(ctx, info, err); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
		return err
	}
	info, err = m.index.UpdateSettingsWithContext(ctx, MeiliSettings)
	if err := m.wait(ctx, info, err); err != nil {
		return err
	}
	m.ready = true
	return nil
}

type meiliDoc struct {
	Key string `json:"key"`
	Document
	DateTS *int64 `json:"date_ts"`
	// Lemmas are the words' base forms, searched after the words as
	// written: "znak poziomy" finds "znaków poziomych" here too.
	Lemmas string `json:"lemmas"`
}

func meiliKey(id string) string { return strings.ReplaceAll(id, ":", "-") }

func (m *Meilisearch) Upsert(ctx context.Context, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	if err := m.setup(ctx); err != nil {
		return err
	}
	out := make([]meiliDoc, len(docs))
	for i, d := range docs {
		// Our highlight marks must not come from the text itself.
		d.Body = strings.NewReplacer(markOpen, "", markClose, "").Replace(d.Body)
		out[i] = meiliDoc{Key: meiliKey(d.ID), Document: d, Lemmas: strings.TrimSpace(lemmasOf(d.Title) + " " + lemmasOf(cutBody(d.Body)))}
		if !d.Date.IsZero() {
			ts := d.Date.Unix()
			out[i].DateTS = &ts
		}
	}
	key := "key"
	info, err := m.index.AddDocumentsWithContext(ctx, out, &meilisearch.DocumentOptions{PrimaryKey: &key})
	return m.wait(ctx, info, err)
}

func (m *Meilisearch) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := m.setup(ctx); err != nil {
		return err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = meiliKey(id)
	}
	info, err := m.index.DeleteDocumentsWithContext(ctx, keys, nil)
	return m.wait(ctx, info, err)
}

func (m *Meilisearch) Clear(ctx context.Context) error {
	if err := m.setup(ctx); err != nil {
		return err
	}
	info, err := m.index.DeleteAllDocumentsWithContext(ctx, nil)
	return m.wait(ctx, info, err)
}

// filterString quotes a value for a Meilisearch filter expression.
func filterString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Marks around highlighted words: private-use characters nobody types,
// replaced by <mark> after the text is escaped.
const markOpen, markClose = "\uE000", "\uE001"

// meiliFacet maps a facet name to its attribute.
func meiliFacet(f string) string {
	if f == "body" {
		return "body_name"
	}
	return f
}

// Search sends one multi-search: the page of hits with every filter; the
// exact total with the facets nobody has chosen from; and, for each facet
// chosen from, its counts under the other filters only, so that a person
// sees what choosing another value of it would give.
func (m *Meilisearch) Search(ctx context.Context, q Query) (Result, error) {
	if q.Councillor != "" { // not indexed there yet: refused, not ignored
		return Result{}, ratusz.Invalid("councillor", "err.search.councillor_engine")
	}
	q.normalize()
	res := Result{Hits: []Hit{}, Facets: map[string]map[string]int{}}
	if err := m.setup(ctx); err != nil {
		return res, err
	}
	var common []string
	if q.Term != "" {
		common = append(common, "term = "+filterString(q.Term))
	}
	if !q.From.IsZero() {
		common = append(common, "date_ts >= "+strconv.FormatInt(q.From.Unix(), 10))
	}
	if !q.To.IsZero() {
		common = append(common, "date_ts < "+strconv.FormatInt(q.To.AddDate(0, 0, 1).Unix(), 10))
	}
	chosen := map[string]string{} // facet → its filter
	if len(q.Types) > 0 {
		var t []string
		for _, ty := range q.Types {
			t = append(t, filterString(ty))
		}
		chosen["type"] = "type IN [" + strings.Join(t, ", ") + "]"
	}
	for f, v := range map[string]string{"category": q.Category, "body": q.Body, "status": q.Status} {
		if v != "" {
			chosen[f] = meiliFacet(f) + " = " + filterString(v)
		}
	}
	filter := func(except string) any {
		out := append([]string{}, common...)
		for _, f := range FacetNames {
			if c, ok := chosen[f]; ok && f != except {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	none := int64(0)
	main := &meilisearch.SearchRequest{
		IndexUID: m.uid, Query: q.Q, Limit: int64(q.Limit), Offset: int64(q.Offset), Filter: filter(""),
		AttributesToRetrieve: []string{"id", "type", "title", "url", "date"},
		AttributesToCrop:     []string{"body"}, CropLength: 30,
		AttributesToHighlight: []string{"body"}, HighlightPreTag: markOpen, HighlightPostTag: markClose,
	}
	if q.Sort == "date" || q.Q == "" {
		main.Sort = []string{"date_ts:desc"}
	}
	count := &meilisearch.SearchRequest{IndexUID: m.uid, Query: q.Q, HitsPerPage: &none, Filter: filter("")}
	queries := []*meilisearch.SearchRequest{main, count}
	var own []string // facets chosen from, in the order of their queries
	for _, f := range FacetNames {
		if _, ok := chosen[f]; ok {
			own = append(own, f)
			queries = append(queries, &meilisearch.SearchRequest{IndexUID: m.uid, Query: q.Q, HitsPerPage: &none, Filter: filter(f), Facets: []string{meiliFacet(f)}})
		} else {
			count.Facets = append(count.Facets, meiliFacet(f))
		}
	}
	out, err := m.client.MultiSearchWithContext(ctx, &meilisearch.MultiSearchRequest{Queries: queries})
	if err != nil {
		return res, meiliErr(err)
	}
	if len(out.Results) != len(queries) {
		return res, fmt.Errorf("meilisearch: %d results for %d queries", len(out.Results), len(queries))
	}
	for _, raw := range out.Results[0].Hits {
		var h struct {
			ID        string    `json:"id"`
			Type      string    `json:"type"`
			Title     string    `json:"title"`
			URL       string    `json:"url"`
			Date      time.Time `json:"date"`
			Formatted struct {
				Body string `json:"body"`
			} `json:"_formatted"`
		}
		if err := raw.DecodeInto(&h); err != nil {
			return res, fmt.Errorf("meilisearch: hit: %w", err)
		}
		res.Hits = append(res.Hits, Hit{ID: h.ID, Type: h.Type, Title: h.Title, URL: h.URL, Date: h.Date, Snippet: meiliSnippet(h.Formatted.Body)})
	}
	res.Total = int(out.Results[1].TotalHits)
	for _, f := range FacetNames {
		res.Facets[f] = map[string]int{}
	}
	take := func(r meilisearch.SearchResponse, facets []string) error {
		var dist map[string]map[string]int
		if len(r.FacetDistribution) > 0 {
			if err := json.Unmarshal(r.FacetDistribution, &dist); err != nil {
				return fmt.Errorf("meilisearch: facets: %w", err)
			}
		}
		for _, f := range facets {
			for k, v := range dist[meiliFacet(f)] {
				if k != "" {
					res.Facets[f][k] = v
				}
			}
		}
		return nil
	}
	if err := take(out.Results[1], FacetNames); err != nil {
		return res, err
	}
	for i, f := range own {
		if err := take(out.Results[2+i], []string{f}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// meiliSnippet escapes Meilisearch's cropped text and turns its marks into <mark>.
func meiliSnippet(s string) template.HTML {
	s = html.EscapeString(strings.Join(strings.Fields(s), " "))
	s = strings.ReplaceAll(s, markOpen, "<mark>")
	s = strings.ReplaceAll(s, markClose, "</mark>")
	return template.HTML(s)
}
