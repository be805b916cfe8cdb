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
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/participation"
)

// source builds one type's documents from PostgreSQL.
type source struct {
	typ string
	sql string // columns: id, title, body, url, date, category, body_name, term, status, numbers, n (session number)
	// hash is what of a row its hash covers; "" is the whole row. A file's
	// text never changes for its row (the file is its hash), so attachments
	// hash without their megabytes of text.
	hash string
}

// hashed is the expression a source's rows are hashed by.
func (src source) hashed() string {
	if src.hash == "" {
		return "md5($%d || t::text)"
	}
	return "md5($%d || " + src.hash + ")"
}

// The published records, as each module selects them by its own rules
// (drafts, open votes and withdrawn publications are not searchable).
var sources = []source{
	{TypeBIP, bip.SearchSQL, ""},
	{TypeResolution, council.SearchResolutions, ""},
	{TypeSession, council.SearchSessions, ""},
	{TypeAgendaItem, council.SearchAgendaItems, ""},
	{TypeVote, council.SearchVotes, ""},
	{TypeInterpellation, council.SearchInterpellations, ""},
	{TypeConsultation, consultations.SearchSQL, ""},
	{TypeProject, participation.SearchProjects, ""},
	{TypeAttachment, bip.SearchAttachmentsSQL, "concat_ws('|', t.id, t.title, t.url, t.date, t.category)"},
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
	rows, err := pool.Query(ctx, "SELECT t.id, "+fmt.Sprintf(src.hashed(), 1)+" FROM ("+src.sql+") AS "+columns, sourceVersion)
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
	rows, err := pool.Query(ctx, "SELECT t.*, "+fmt.Sprintf(src.hashed(), 2)+" FROM ("+src.sql+") AS "+columns+" WHERE t.id = ANY($1)", ids, sourceVersion)
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
