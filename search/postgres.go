package search

import (
	"context"
	"fmt"
	"github.com/ratusz/ratusz/council"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the embedded engine: documents in search_documents, folded
// with unaccent, words matched through a tsvector, typos through the nearest
// words of search_lexicon by trigrams, identifiers through an exact array.
type Postgres struct {
	pool  *pgxpool.Pool
	known sync.Map // words already in search_lexicon
}

// NewPostgres returns the PostgreSQL engine.
func NewPostgres(pool *pgxpool.Pool) *Postgres { return &Postgres{pool: pool} }

func (p *Postgres) Name() string { return "postgres" }

func (p *Postgres) Upsert(ctx context.Context, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, d := range docs {
		nums := foldAll(d.Numbers)
		var date *time.Time
		if !d.Date.IsZero() {
			date = &d.Date
		}
		body, names := d.Body, ""
		if d.Type == TypeVote || d.Type == TypeInterpellation { // their text ends with the people they are of
			if i := strings.LastIndex(d.Body, council.NamedListMark); i >= 0 {
				body, names = d.Body[:i], d.Body[i+len(council.NamedListMark):]
			}
		}
		b.Queue(`INSERT INTO search_documents (id, type, title, body, url, date, category, body_name, term, status, numbers, title_lemmas, body_lemmas, names, councillors)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (id) DO UPDATE SET type = $2, title = $3, body = $4, url = $5, date = $6, category = $7,
				body_name = $8, term = $9, status = $10, numbers = $11, title_lemmas = $12, body_lemmas = $13, names = $14, councillors = $15`,
			d.ID, d.Type, d.Title, strings.TrimSpace(body), d.URL, date, d.Category, d.BodyName, d.Term, d.Status, nums,
			lemmasOf(d.Title), lemmasOf(cutBody(body)), names, councillorsOf(names))
	}
	// The lexicon gains the words it has not seen; words are never removed
	// (a word no document has any more only widens a typo's alternatives).
	var fresh []string
	seen := map[string]bool{}
	for _, d := range docs {
		for _, w := range words(d.Title + " " + d.Body) {
			if seen[w] || utf8.RuneCountInString(w) < 4 || isDigits(w) {
				continue
			}
			seen[w] = true
			if _, ok := p.known.Load(w); !ok {
				fresh = append(fresh, w)
			}
		}
	}
	if len(fresh) > 0 {
		b.Queue("INSERT INTO search_lexicon (word) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", fresh)
	}
	if err := p.pool.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	for _, w := range fresh {
		p.known.Store(w, true)
	}
	return nil

}

// councillorsOf are the people of a named list: "Anna Nowak: za; Jan
// Kowalski: przeciw." or an author alone.
func councillorsOf(names string) []string {
	out := []string{}
	// An interpellation filed by several has their names a line each.
	for _, e := range strings.FieldsFunc(strings.TrimSuffix(strings.TrimSpace(names), "."), func(r rune) bool { return r == ';' || r == '\n' }) {
		name, _, _ := strings.Cut(e, ": ")
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// cutBody is the part of a body the index reads (as the tsvector does).
func cutBody(body string) string {
	if len(body) <= maxIndexedBody {
		return body
	}
	cut := maxIndexedBody
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return body[:cut]
}

// maxIndexedBody is how much of a body is indexed, in bytes.
const maxIndexedBody = 200_000

func foldAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, fold(strings.TrimSpace(s)))
	}
	return out
}

func (p *Postgres) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := p.pool.Exec(ctx, "DELETE FROM search_documents WHERE id = ANY($1)", ids)
	return err
}

func (p *Postgres) Clear(ctx context.Context) error {
	_, err := p.pool.Exec(ctx, "TRUNCATE search_documents") // the lexicon stays: see Upsert
	return err
}

// plan is a parsed query: for each word its alternatives; the identifiers.
type plan struct {
	groups  [][]string // per word: alternatives; a trailing "*" marks a prefix, "~" a lemma
	numbers []string
	m       matcher
}

// tsquery joins the words' alternatives with op ("&" or "|"), or with
// "n-1" requires all words but one.
func (g plan) tsquery(op string) string {
	if op == "n-1" {
		if len(g.groups) < 3 {
			return g.tsquery("|")
		}
		var parts []string
		for skip := range g.groups {
			sub := plan{groups: append(append([][]string{}, g.groups[:skip]...), g.groups[skip+1:]...)}
			parts = append(parts, "("+sub.tsquery("&")+")")
		}
		return strings.Join(parts, " | ")
	}
	var parts []string
	for _, alts := range g.groups {
		var a []string
		for _, w := range alts {
			switch {
			case strings.HasSuffix(w, "*"):
				a = append(a, "'"+strings.TrimSuffix(w, "*")+"':*")
			case strings.HasSuffix(w, "~"):
				a = append(a, "'"+strings.TrimSuffix(w, "~")+"'")
			default:
				a = append(a, "'"+w+"'")
			}
		}
		parts = append(parts, "("+strings.Join(a, " | ")+")")
	}
	return strings.Join(parts, " "+op+" ")
}

// asWritten is any word of the query as written (or within a typo, or as
// a prefix), in the words themselves (weights A and B), not their lemmas:
// a document that has the very words ranks above one with other forms.
func (g plan) asWritten() string {
	var a []string
	for _, alts := range g.groups {
		for _, w := range alts {
			switch {
			case strings.HasSuffix(w, "*"):
				a = append(a, "'"+strings.TrimSuffix(w, "*")+"':*AB")
			case !strings.HasSuffix(w, "~"):
				a = append(a, "'"+w+"':AB")
			}
		}
	}
	return strings.Join(a, " | ")
}

// parse splits a query into words, finds each long word's neighbours
// within one edit in the lexicon, and marks the last word as a prefix.
func (p *Postgres) parse(ctx context.Context, q string) (plan, error) {
	ws, long := queryWords(q)
	near := map[string][]string{}
	if len(long) > 0 {
		rows, err := p.pool.Query(ctx, `SELECT q, w FROM unnest($1::text[]) q,
			LATERAL (SELECT word AS w FROM search_lexicon ORDER BY word <-> q LIMIT 8) x`, long)
		if err != nil {
			return plan{}, err
		}
		for rows.Next() {
			var qw, w string
			if err := rows.Scan(&qw, &w); err != nil {
				return plan{}, err
			}
			if w != qw && editDistance1(qw, w) {
				near[qw] = append(near[qw], w)
			}
		}
		if err := rows.Err(); err != nil {
			return plan{}, err
		}
	}
	return planOf(q, ws, near), nil
}

// queryWords returns a query's words that count (at most twelve, without
// stopwords unless there is nothing else) and those long enough to look up
// neighbours for.
func queryWords(q string) (ws, long []string) {
	all := words(q)
	for _, w := range all {
		if !stopwords[w] {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		ws = all
	}
	if len(ws) > 12 {
		ws = ws[:12]
	}
	for _, w := range ws {
		if utf8.RuneCountInString(w) >= 5 && !isDigits(w) {
			long = append(long, w)
		}
	}
	return ws, long
}

// planOf builds the plan from the words and their neighbours in the
// lexicon; the last word is also a prefix unless the query ends in a space.
func planOf(q string, ws []string, near map[string][]string) plan {
	pl := plan{numbers: Numbers(q), m: matcher{exact: map[string]bool{}, lemmas: map[string]bool{}}}
	trailing := !strings.HasSuffix(q, " ")
	for i, w := range ws {
		alts := []string{w}
		pl.m.exact[w] = true
		for _, n := range near[w] {
			alts = append(alts, n)
			pl.m.exact[n] = true
		}
		// Its lemmas: found in the documents' lemma fields, which rank
		// below the words as written.
		if !isDigits(w) {
			pl.m.lemmas[w] = true
			for _, l := range queryLemmas(w) {
				alts = append(alts, l+"~")
				pl.m.lemmas[l] = true
			}
		}
		if i == len(ws)-1 && trailing && utf8.RuneCountInString(w) >= 3 && !isDigits(w) && !romanRe.MatchString(w) {
			alts = append(alts, w+"*")
			pl.m.prefixes = append(pl.m.prefixes, w)
		}
		pl.groups = append(pl.groups, alts)
	}
	return pl
}

// romanRe is a Roman number (a session's, a resolution's): matched whole,
// never as a prefix, so XII is not XIII.
var romanRe = regexp.MustCompile(`^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$`)

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// filters appends the query's term and date filters (withFacets: also
// type, category, body and status) to a WHERE clause.
func filters(q Query, where []string, args []any, withFacets bool) ([]string, []any) {
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if withFacets {
		if len(q.Types) > 0 {
			add("type = ANY($%d)", q.Types)
		}
		if q.Category != "" {
			add("category = $%d", q.Category)
		}
		if q.Body != "" {
			add("body_name = $%d", q.Body)
		}
		if q.Status != "" {
			add("status = $%d", q.Status)
		}
	}
	if q.Term != "" {
		add("term = $%d", q.Term)
	}
	if q.Councillor != "" {
		add("councillors @> ARRAY[$%d::text]", q.Councillor)
	}
	if !q.From.IsZero() {
		add("date >= $%d", q.From)
	}
	if !q.To.IsZero() {
		add("date < $%d", q.To.AddDate(0, 0, 1))
	}
	return where, args
}

func (p *Postgres) Search(ctx context.Context, q Query) (Result, error) {
	q.normalize()
	res := Result{Hits: []Hit{}, Facets: map[string]map[string]int{}}
	pl, err := p.parse(ctx, q.Q)
	if err != nil {
		return res, err
	}
	ops := []string{"&"}
	if len(pl.numbers) > 0 && len(words(strings.Join(pl.numbers, " "))) == len(words(q.Q)) {
		// Only numbers pasted: the exact match first, the words if none.
		ops = []string{"numbers", "&"}
	}
	if len(pl.groups) > 1 {
		ops = append(ops, "n-1") // nothing with every word: all words but one
	}
	for _, op := range ops {
		if err := p.search(ctx, q, pl, op, &res); err != nil {
			return res, err
		}
		if res.Total > 0 {
			res.Relaxed = op == "n-1"
			break
		}
	}
	return res, nil
}

// search runs two statements in one round trip: the page of hits (ranked
// on ids and dates only, the bodies read for the page alone) and the facet
// counts with the total.
func (p *Postgres) search(ctx context.Context, q Query, pl plan, op string, res *Result) error {
	var where []string
	var args []any
	if len(pl.groups) > 0 || len(pl.numbers) > 0 {
		args = append(args, pl.tsquery(op), pl.numbers)
		cond := "numbers && $2"
		if op == "numbers" {
			cond = "numbers && $2 AND $1::text IS NOT NULL" // $1 unused
		} else if len(pl.groups) > 0 {
			cond = "(tsv @@ to_tsquery('simple', $1) OR numbers && $2)"
		}
		where = append(where, cond)
	}
	// Facets count the words, term and dates, and every chosen facet but
	// their own: the count beside a value is what choosing it would give.
	// The total counts every filter. One scan answers all five.
	fw, fargs := filters(q, append([]string(nil), where...), append([]any(nil), args...), false)
	chosen := map[string]string{}
	for _, f := range FacetNames {
		sel, a := filters(facetOnly(q, f), nil, fargs, true)
		if len(sel) > 0 {
			chosen[f], fargs = sel[0], a
		}
	}
	others := func(except string) string {
		var c []string
		for _, f := range FacetNames {
			if cond, ok := chosen[f]; ok && f != except {
				c = append(c, cond)
			}
		}
		if len(c) == 0 {
			return "true"
		}
		return strings.Join(c, " AND ")
	}
	mw, margs := filters(q, where, args, true)
	rank := "0"
	if len(args) > 0 && op != "numbers" { // numbers alone: equal, newest first
		margs = append(margs, pl.tsquery("|"), pl.asWritten())
		rank = "CASE WHEN numbers && $2 THEN 10 ELSE 0 END"
		if len(pl.groups) > 0 {
			rank = fmt.Sprintf("ts_rank_cd(tsv, to_tsquery('simple', $%d), 1) + 2 * ts_rank_cd(tsv, to_tsquery('simple', $%d), 1) + %s", len(margs)-1, len(margs), rank)
		}
	}
	order, outer := "rank DESC, date DESC NULLS LAST, id", "r.rank DESC, r.date DESC NULLS LAST, r.id"
	if q.Sort == "date" || len(where) == 0 {
		order, outer = "date DESC NULLS LAST, id", "r.date DESC NULLS LAST, r.id"
	}
	margs = append(margs, q.Limit, q.Offset)
	hitsSQL := fmt.Sprintf(`SELECT d.id, d.type, d.title, left(d.body, 200000), d.url, coalesce(d.date, 'epoch'), left(d.names, 20000) FROM (
			SELECT id, date, %s AS rank FROM search_documents %s ORDER BY %s LIMIT $%d OFFSET $%d) r
		JOIN search_documents d ON d.id = r.id ORDER BY %s`, rank, whereSQL(mw), order, len(margs)-1, len(margs), outer)
	facetSQL := fmt.Sprintf(`SELECT GROUPING(type, category, body_name, status), type, category, body_name, status,
			count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s)
		FROM search_documents %s GROUP BY GROUPING SETS ((type), (category), (body_name), (status), ())`,
		others("type"), others("category"), others("body"), others("status"), others(""), whereSQL(fw))
	b := &pgx.Batch{}
	b.Queue(hitsSQL, margs...)
	b.Queue(facetSQL, fargs...)
	// The councillors the query names (or the one chosen), by how many of
	// the documents found are theirs.
	pattern := pl.namesPattern()
	withPeople := pattern != "" || q.Councillor != ""
	if withPeople {
		cw, cargs := filters(q, append([]string(nil), where...), append([]any(nil), args...), true)
		cargs = append(cargs, pattern, q.Councillor)
		b.Queue(fmt.Sprintf(`SELECT c, count(*) FROM search_documents, unnest(councillors) c %s
		GROUP BY c HAVING ($%d <> '' AND search_words_of(c) ~ $%d) OR c = $%d ORDER BY 2 DESC, 1 LIMIT 12`, whereSQL(cw), len(cargs)-1, len(cargs)-1, len(cargs)), cargs...)
	}
	br := p.pool.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return err
	}
	res.Hits = res.Hits[:0]
	for rows.Next() {
		var h Hit
		var body, names string
		if err := rows.Scan(&h.ID, &h.Type, &h.Title, &body, &h.URL, &h.Date, &names); err != nil {
			rows.Close()
			return err
		}
		if h.Date.Equal(time.Unix(0, 0)) {
			h.Date = time.Time{}
		}
		if body == "" {
			body = h.Title
		}
		h.Snippet = snippet(body, pl.m, 30)
		h.Ballots = namedBallots(names, pl.m)
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for _, f := range FacetNames {
		res.Facets[f] = map[string]int{}
	}
	res.Total = 0
	for rows.Next() {
		var g int
		var t, c, bn, s *string
		var nt, nc, nb, ns, all int
		if err := rows.Scan(&g, &t, &c, &bn, &s, &nt, &nc, &nb, &ns, &all); err != nil {
			return err
		}
		// GROUPING's bits, the first argument highest, are 1 where not
		// grouped. A value nothing would match is not offered.
		set := func(f string, v *string, n int) {
			if v != nil && *v != "" && n > 0 {
				res.Facets[f][*v] = n
			}
		}
		switch g {
		case 15:
			res.Total = all
		case 7:
			set("type", t, nt)
		case 11:
			set("category", c, nc)
		case 13:
			set("body", bn, nb)
		case 14:
			set("status", s, ns)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if !withPeople {
		return nil
	}
	rows, err = br.Query()
	if err != nil {
		return err
	}
	people := map[string]int{}
	var name string
	var n int
	if _, err = pgx.ForEachRow(rows, []any{&name, &n}, func() error { people[name] = n; return nil }); err != nil {
		return err
	}
	if len(people) > 0 {
		res.Facets[FacetCouncillor] = people
	}
	return nil
}

// namesPattern matches a councillor's name that has a word of the query
// (or its lemma): "krawczyk" or "krawczyka" finds Danuta Krawczyk.
func (g plan) namesPattern() string {
	var ws []string
	for w := range g.m.exact {
		if utf8.RuneCountInString(w) >= 3 && !isDigits(w) {
			ws = append(ws, regexp.QuoteMeta(w))
		}
	}
	for w := range g.m.lemmas {
		if utf8.RuneCountInString(w) >= 3 && !isDigits(w) {
			ws = append(ws, regexp.QuoteMeta(w))
		}
	}
	if len(ws) == 0 {
		return "" // no name: only a chosen councillor
	}
	sort.Strings(ws)
	return `\m(` + strings.Join(ws, "|") + `)\M`
}

// facetOnly keeps one facet's choice of a query.
func facetOnly(q Query, f string) Query {
	switch f {
	case "type":
		return Query{Types: q.Types}
	case "category":
		return Query{Category: q.Category}
	case "body":
		return Query{Body: q.Body}
	case "status":
		return Query{Status: q.Status}
	}
	return Query{}
}

func whereSQL(w []string) string {
	if len(w) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(w, " AND ")
}

// FacetValues returns a facet's values by count, then name.
func FacetValues(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}
