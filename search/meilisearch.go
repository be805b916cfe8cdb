package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Meilisearch is the engine for larger cities, spoken to over its
// documented HTTP API (https://www.meilisearch.com/docs/reference/api).
// Document ids such as resolution:12 are stored as the primary key "key"
// (resolution-12), since Meilisearch allows only letters, digits, - and _.
type Meilisearch struct {
	base   *url.URL
	key    string
	uid    string
	client *http.Client
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
	return &Meilisearch{base: u, key: apiKey, uid: uid, client: &http.Client{Timeout: 30 * time.Second}, TaskWait: time.Minute}, nil
}

func (m *Meilisearch) Name() string { return "meilisearch" }

// MeiliSettings are applied before any document is sent.
var MeiliSettings = map[string]any{
	"searchableAttributes": []string{"numbers", "title", "body"},
	"filterableAttributes": []string{"type", "category", "body_name", "term", "status", "date_ts"},
	"sortableAttributes":   []string{"date_ts"},
	"typoTolerance": map[string]any{
		"enabled":             true,
		"minWordSizeForTypos": map[string]int{"oneTypo": 5, "twoTypos": 9},
		"disableOnAttributes": []string{"numbers"},
	},
	"localizedAttributes": []map[string]any{{"attributePatterns": []string{"*"}, "locales": []string{"pol"}}},
	"faceting":            map[string]any{"maxValuesPerFacet": 100},
	"pagination":          map[string]any{"maxTotalHits": 10000},
}

type meiliError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
}

func (m *Meilisearch) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base.String()+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if m.key != "" {
		req.Header.Set("Authorization", "Bearer "+m.key)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return fmt.Errorf("meilisearch: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("meilisearch: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e meiliError
		json.Unmarshal(b, &e)
		return fmt.Errorf("meilisearch: %s %s: %d %s %s", method, path, resp.StatusCode, e.Code, e.Message)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type meiliTask struct {
	TaskUID int64  `json:"taskUid"`
	Status  string `json:"status"`
	Error   *meiliError
}

// wait polls a task until it has succeeded or failed.
func (m *Meilisearch) wait(ctx context.Context, t meiliTask) error {
	deadline := time.Now().Add(m.TaskWait)
	delay := 5 * time.Millisecond
	for {
		var st meiliTask
		if err := m.do(ctx, "GET", "/tasks/"+strconv.FormatInt(t.TaskUID, 10), nil, &st); err != nil {
			return err
		}
		switch st.Status {
		case "succeeded":
			return nil
		case "failed", "canceled":
			msg := st.Status
			if st.Error != nil {
				msg = st.Error.Code + ": " + st.Error.Message
			}
			return fmt.Errorf("meilisearch: task %d %s", t.TaskUID, msg)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("meilisearch: task %d still %s", t.TaskUID, st.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
}

// setup creates the index and applies its settings, once per process.
func (m *Meilisearch) setup(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ready {
		return nil
	}
	var t meiliTask
	if err := m.do(ctx, "POST", "/indexes", map[string]string{"uid": m.uid, "primaryKey": "key"}, &t); err != nil {
		return err
	}
	if err := m.wait(ctx, t); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
		return err
	}
	if err := m.do(ctx, "PATCH", "/indexes/"+m.uid+"/settings", MeiliSettings, &t); err != nil {
		return err
	}
	if err := m.wait(ctx, t); err != nil {
		return err
	}
	m.ready = true
	return nil
}

type meiliDoc struct {
	Key string `json:"key"`
	Document
	DateTS *int64 `json:"date_ts"`
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
		out[i] = meiliDoc{Key: meiliKey(d.ID), Document: d}
		if !d.Date.IsZero() {
			ts := d.Date.Unix()
			out[i].DateTS = &ts
		}
	}
	var t meiliTask
	if err := m.do(ctx, "POST", "/indexes/"+m.uid+"/documents?primaryKey=key", out, &t); err != nil {
		return err
	}
	return m.wait(ctx, t)
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
	var t meiliTask
	if err := m.do(ctx, "POST", "/indexes/"+m.uid+"/documents/delete-batch", keys, &t); err != nil {
		return err
	}
	return m.wait(ctx, t)
}

func (m *Meilisearch) Clear(ctx context.Context) error {
	if err := m.setup(ctx); err != nil {
		return err
	}
	var t meiliTask
	if err := m.do(ctx, "DELETE", "/indexes/"+m.uid+"/documents", nil, &t); err != nil {
		return err
	}
	return m.wait(ctx, t)
}

// filterString quotes a value for a Meilisearch filter expression.
func filterString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Marks around highlighted words: private-use characters nobody types,
// replaced by <mark> after the text is escaped.
const markOpen, markClose = "\uE000", "\uE001"

func (m *Meilisearch) Search(ctx context.Context, q Query) (Result, error) {
	q.normalize()
	res := Result{Hits: []Hit{}, Facets: map[string]map[string]int{}}
	if err := m.setup(ctx); err != nil {
		return res, err
	}
	common, facet := []string{}, []string{}
	if q.Term != "" {
		common = append(common, "term = "+filterString(q.Term))
	}
	if !q.From.IsZero() {
		common = append(common, "date_ts >= "+strconv.FormatInt(q.From.Unix(), 10))
	}
	if !q.To.IsZero() {
		common = append(common, "date_ts < "+strconv.FormatInt(q.To.AddDate(0, 0, 1).Unix(), 10))
	}
	if len(q.Types) > 0 {
		var t []string
		for _, ty := range q.Types {
			t = append(t, filterString(ty))
		}
		facet = append(facet, "type IN ["+strings.Join(t, ", ")+"]")
	}
	for _, f := range []struct{ attr, v string }{{"category", q.Category}, {"body_name", q.Body}, {"status", q.Status}} {
		if f.v != "" {
			facet = append(facet, f.attr+" = "+filterString(f.v))
		}
	}
	body := map[string]any{
		"q":                     q.Q,
		"limit":                 q.Limit,
		"offset":                q.Offset,
		"filter":                append(append([]string{}, common...), facet...),
		"attributesToRetrieve":  []string{"id", "type", "title", "url", "date"},
		"attributesToCrop":      []string{"body"},
		"cropLength":            30,
		"attributesToHighlight": []string{"body"},
		"highlightPreTag":       markOpen,
		"highlightPostTag":      markClose,
	}
	if q.Sort == "date" || q.Q == "" {
		body["sort"] = []string{"date_ts:desc"}
	}
	var out struct {
		Hits []struct {
			ID        string    `json:"id"`
			Type      string    `json:"type"`
			Title     string    `json:"title"`
			URL       string    `json:"url"`
			Date      time.Time `json:"date"`
			Formatted struct {
				Body string `json:"body"`
			} `json:"_formatted"`
		} `json:"hits"`
		EstimatedTotalHits int `json:"estimatedTotalHits"`
	}
	if err := m.do(ctx, "POST", "/indexes/"+m.uid+"/search", body, &out); err != nil {
		return res, err
	}
	res.Total = out.EstimatedTotalHits
	for _, h := range out.Hits {
		res.Hits = append(res.Hits, Hit{ID: h.ID, Type: h.Type, Title: h.Title, URL: h.URL, Date: h.Date, Snippet: meiliSnippet(h.Formatted.Body)})
	}
	// Facets: the words and dates only, as the PostgreSQL engine counts them.
	var fout struct {
		FacetDistribution map[string]map[string]int `json:"facetDistribution"`
	}
	if err := m.do(ctx, "POST", "/indexes/"+m.uid+"/search", map[string]any{
		"q": q.Q, "limit": 0, "filter": common, "facets": []string{"type", "category", "body_name", "status"},
	}, &fout); err != nil {
		return res, err
	}
	for _, f := range FacetNames {
		attr := f
		if f == "body" {
			attr = "body_name"
		}
		res.Facets[f] = map[string]int{}
		for k, v := range fout.FacetDistribution[attr] {
			if k != "" {
				res.Facets[f][k] = v
			}
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
