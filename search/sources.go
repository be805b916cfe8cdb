package search

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz/council"
)

// source builds one type's documents from PostgreSQL.
type source struct {
	typ string
	sql string // columns: id, title, body, url, date, category, body_name, term, status, numbers, n (session number)
}

// The published records. Drafts (consultations, open votes) and withdrawn
// BIP publications are not searchable; a withdrawal drops the publication
// from the index at the next sync.
var sources = []source{
	{TypeBIP, `SELECT p.id, v.title, v.body, '/bip/publikacje/' || p.id, p.published_at, c.slug, '', '', '', '{}'::text[], 0
		FROM bip_publications p
		JOIN bip_versions v ON v.publication_id = p.id AND v.version = p.version
		JOIN bip_categories c ON c.id = p.category_id
		WHERE NOT p.withdrawn`},
	{TypeResolution, `SELECT r.id, 'Uchwała nr ' || r.number || ' ' || r.title, coalesce(v.resolution_text, ''),
			coalesce('/bip/publikacje/' || r.publication_id, '/rada/sesje/' || r.session_id), r.adopted_at,
			'uchwaly', b.name, coalesce(t.name, ''), CASE WHEN r.voided_by_vote_id IS NOT NULL THEN 'voided' ELSE '' END, ARRAY[r.number], 0
		FROM resolutions r
		JOIN council_bodies b ON b.id = r.body_id
		JOIN council_sessions s ON s.id = r.session_id
		LEFT JOIN council_terms t ON t.id = s.term_id
		LEFT JOIN votes v ON v.id = r.vote_id`},
	{TypeSession, `SELECT s.id, s.title, s.place, '/rada/sesje/' || s.id, s.starts_at, 'sesje', b.name, coalesce(t.name, ''), s.state, '{}'::text[], s.number
		FROM council_sessions s
		JOIN council_bodies b ON b.id = s.body_id
		LEFT JOIN council_terms t ON t.id = s.term_id`},
	{TypeAgendaItem, `SELECT a.id, a.label || '. ' || a.title, array_to_string(a.papers, ' '), '/rada/sesje/' || a.session_id, s.starts_at,
			'sesje', b.name, coalesce(t.name, ''), '', a.papers, 0
		FROM agenda_items a
		JOIN council_sessions s ON s.id = a.session_id
		JOIN council_bodies b ON b.id = s.body_id
		LEFT JOIN council_terms t ON t.id = s.term_id
		WHERE a.removed_by_vote_id IS NULL
			-- an item voted on is found through its votes, which link the named lists
			AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.agenda_item_id = a.id AND v.state = 'closed')`},
	{TypeVote, `SELECT v.id, v.subject,
			concat_ws(' ', nullif(v.resolution_title, ''), 'za ' || v.count_for, 'przeciw ' || v.count_against, 'wstrzymało się ' || v.count_abstain,
				CASE v.outcome WHEN 'adopted' THEN 'przyjęto' WHEN 'rejected' THEN 'odrzucono' END, array_to_string(a.papers, ' ')),
			'/rada/glosowania/' || v.id, coalesce(v.closed_at, s.starts_at), 'glosowania', b.name, coalesce(t.name, ''),
			CASE WHEN EXISTS (SELECT 1 FROM votes x WHERE x.repeats_id = v.id AND x.state = 'closed') THEN 'superseded' ELSE coalesce(v.outcome, '') END, a.papers, 0
		FROM votes v
		JOIN agenda_items a ON a.id = v.agenda_item_id
		JOIN council_sessions s ON s.id = v.session_id
		JOIN council_bodies b ON b.id = s.body_id
		LEFT JOIN council_terms t ON t.id = s.term_id
		WHERE v.state = 'closed'`},
	{TypeInterpellation, `SELECT i.id, i.subject, concat_ws(' ', i.kind, i.number, i.councillor_name, i.content, i.answer),
			'/rada/interpelacje/' || i.id, i.filed_on::timestamptz, i.category, b.name, '',
			CASE WHEN i.answered_on IS NOT NULL THEN 'answered' ELSE 'awaiting' END,
			CASE WHEN i.number <> '' THEN ARRAY[i.number] ELSE '{}'::text[] END, 0
		FROM interpellations i
		JOIN council_bodies b ON b.id = i.body_id`},
	{TypeConsultation, `SELECT c.id, c.title, concat_ws(' ', c.organiser, c.description), '/konsultacje/' || c.id, c.starts_at,
			'konsultacje', '', '', c.state, '{}'::text[], 0
		FROM consultations c WHERE c.state <> 'draft'`},
	{TypeProject, `SELECT p.id, p.title, concat_ws(' ', e.name, d.name, p.place, p.description), '/budzet-obywatelski/projekty/' || p.id, p.created_at,
			p.category, '', e.name, p.status, '{}'::text[], 0
		FROM pb_projects p
		JOIN pb_editions e ON e.id = p.edition_id
		JOIN pb_districts d ON d.id = p.district_id`},
}

// columns names a source's columns, so that its rows can be hashed and
// picked by id.
const columns = "t(id, title, body, url, date, category, body_name, term, status, numbers, n)"

// sourceVersion goes into every row hash: change it when the way a row
// becomes a Document changes, and the next sync sends every document anew.
const sourceVersion = "3"

// hashes returns each of a source's rows' hash, by document id. PostgreSQL
// hashes the rows, so a sync with little to send reads ids and hashes
// only, never the bodies.
func (src source) hashes(ctx context.Context, pool *pgxpool.Pool) (map[string]string, error) {
	rows, err := pool.Query(ctx, "SELECT t.id, md5($1 || t::text) FROM ("+src.sql+") AS "+columns, sourceVersion)
	if err != nil {
		return nil, fmt.Errorf("search: hashing %s: %w", src.typ, err)
	}
	out := map[string]string{}
	var id int64
	var h string
	_, err = pgx.ForEachRow(rows, []any{&id, &h}, func() error {
		out[src.typ+":"+strconv.FormatInt(id, 10)] = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: hashing %s: %w", src.typ, err)
	}
	return out, nil
}

// loaded is a document with the hash of the row it was read from.
type loaded struct {
	Document
	hash string
}

// load reads a source's documents with the given ids, each with its row's
// hash as read in the same statement: a row changed since it was hashed
// is sent as it is now and recorded as such.
func (src source) load(ctx context.Context, pool *pgxpool.Pool, ids []int64) ([]loaded, error) {
	rows, err := pool.Query(ctx, "SELECT t.*, md5($2 || t::text) FROM ("+src.sql+") AS "+columns+" WHERE t.id = ANY($1)", ids, sourceVersion)
	if err != nil {
		return nil, fmt.Errorf("search: loading %s: %w", src.typ, err)
	}
	docs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (loaded, error) {
		var l loaded
		d := &l.Document
		var id int64
		var n int
		var date *time.Time
		err := row.Scan(&id, &d.Title, &d.Body, &d.URL, &date, &d.Category, &d.BodyName, &d.Term, &d.Status, &d.Numbers, &n, &l.hash)
		d.ID = src.typ + ":" + strconv.FormatInt(id, 10)
		d.Type = src.typ
		if date != nil {
			d.Date = date.UTC()
		}
		if src.typ == TypeSession {
			name := "Sesja " + council.Roman(n)
			if d.Title != "" {
				name += " — " + d.Title
			}
			d.Title = name
		}
		if src.typ == TypeBIP || src.typ == TypeConsultation || src.typ == TypeResolution {
			d.Body = plainMarkdown(d.Body)
		}
		d.Numbers = append(d.Numbers, Numbers(d.Title)...)
		d.Numbers = dedupe(d.Numbers)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("search: loading %s: %w", src.typ, err)
	}
	return docs, nil
}

// markdownMarks matches an escaped character (kept) or one of Markdown's
// marks (dropped); one pass, so an escaped * is text, not emphasis.
var markdownMarks = regexp.MustCompile("\\\\[!-/:-@\\[-`{-~]|(?m)^\\s*(#{1,6}|>|[-*+]|\\d+\\.)\\s+|[*_`|]+|-{3,}|:?-{3,}:?|\\[|\\]\\([^)]*\\)")

// plainMarkdown drops Markdown's marks (headings, emphasis, table rules,
// link targets) and its escapes (DS\-89/26, as BIP stores typed text) so
// that snippets read as text.
func plainMarkdown(s string) string {
	s = markdownMarks.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 2 && m[0] == '\\' {
			return m[1:]
		}
		return " "
	})
	return strings.Join(strings.Fields(s), " ")
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if s == "" || seen[fold(s)] {
			continue
		}
		seen[fold(s)] = true
		out = append(out, s)
	}
	return out
}
