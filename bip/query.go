package bip

import (
	"context"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// versionSQL reads a version with its category and, as a JSON array, its
// attachments: one round trip for a publication page.
const versionSQL = `SELECT v.publication_id, v.version, v.kind, v.title, v.body, v.body_html,
		v.produced_by, v.responsible, v.produced_at, v.entered_by_name, v.created_at, v.change_reason,
		p.published_at, p.withdrawn, p.version, p.views,
		c.id, c.parent_id, c.slug, c.name_pl, c.name_en, c.position,
		coalesce((SELECT json_agg(json_build_object('id', a.id, 'name', a.name, 'content_type', a.content_type,
				'size', a.size, 'sha256', encode(a.sha256, 'hex')) ORDER BY va.position)
			FROM bip_version_attachments va JOIN bip_attachments a ON a.id = va.attachment_id
			WHERE va.publication_id = v.publication_id AND va.version = v.version), '[]')
	FROM bip_versions v
	JOIN bip_publications p ON p.id = v.publication_id
	JOIN bip_categories c ON c.id = v.category_id
	WHERE v.publication_id = $1 AND `

// loadVersion reads one version of a publication; version 0 is the newest.
func loadVersion(ctx context.Context, q pg.Querier, id int64, version int) (*Publication, error) {
	sql := versionSQL + "v.version = $2"
	args := []any{id, version}
	if version == 0 {
		sql = versionSQL + "v.version = p.version"
		args = args[:1]
	}
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (*Publication, error) {
		p := &Publication{Category: &Category{}}
		c := p.Category
		var atts []struct {
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			ContentType string `json:"content_type"`
			Size        int64  `json:"size"`
			SHA256      string `json:"sha256"`
		}
		err := row.Scan(&p.ID, &p.Version, &p.Kind, &p.Title, &p.Body, &p.BodyHTML,
			&p.Metadata.ProducedBy, &p.Metadata.Responsible, &p.Metadata.ProducedAt, &p.Metadata.EnteredBy, &p.VersionAt, &p.ChangeReason,
			&p.Metadata.PublishedAt, &p.Withdrawn, &p.Latest, &p.Views,
			&c.ID, &c.ParentID, &c.Slug, &c.NamePL, &c.NameEN, &c.Position, &atts)
		for _, a := range atts {
			sum, _ := hex.DecodeString(a.SHA256)
			p.Attachments = append(p.Attachments, &Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: sum, PublicationID: p.ID})
		}
		return p, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
	}
	if err != nil {
		return nil, err
	}
	if p.Version != p.Latest {
		p.Withdrawn = false // the withdrawal is a later version
	}
	return p, nil
}

// FindByID returns the newest version of a publication, withdrawn ones
// included (they stay readable, marked as withdrawn), and counts the view.
func (s *Service) FindByID(ctx context.Context, id int64) (*Publication, error) {
	p, err := s.Current(ctx, id)
	if err == nil {
		s.views.add(id)
	}
	return p, err
}

// Current returns the newest version of a publication without counting a
// view (editors, the API).
func (s *Service) Current(ctx context.Context, id int64) (*Publication, error) {
	return loadVersion(ctx, s.pool, id, 0)
}

// LoadCurrent returns the newest version of a publication as a
// transaction sees it (another module revising it in its own transaction).
func LoadCurrent(ctx context.Context, tx pgx.Tx, id int64) (*Publication, error) {
	return loadVersion(ctx, tx, id, 0)
}

// FindVersion returns one version of a publication.
func (s *Service) FindVersion(ctx context.Context, id int64, version int) (*Publication, error) {
	if version < 1 || version > math.MaxInt32 { // versions are int4: no such version
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
	}
	return loadVersion(ctx, s.pool, id, version)
}

// VersionSummary is a line of a publication's history.
type VersionSummary struct {
	Version      int       `json:"version" db:"version"`
	Kind         string    `json:"kind" db:"kind"`
	Title        string    `json:"title" db:"title"`
	EnteredBy    string    `json:"entered_by" db:"entered_by_name"`
	CreatedAt    time.Time `json:"created_at" db:"created_at"`
	ChangeReason string    `json:"change_reason" db:"change_reason"`
}

// FindVersions returns a publication's history, oldest first.
func (s *Service) FindVersions(ctx context.Context, id int64) ([]*VersionSummary, error) {
	rows, _ := s.pool.Query(ctx, `SELECT version, kind, title, entered_by_name, created_at, change_reason
		FROM bip_versions WHERE publication_id = $1 ORDER BY version`, id)
	vs, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[VersionSummary])
	if err == nil && len(vs) == 0 {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
	}
	return vs, err
}

// Summary is a line of a listing.
type Summary struct {
	ID           int64     `db:"id"`
	Title        string    `db:"title"`
	Version      int       `db:"version"`
	Withdrawn    bool      `db:"withdrawn"`
	PublishedAt  time.Time `db:"published_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	CategorySlug string    `db:"slug"`
	CategoryPL   string    `db:"name_pl"`
	CategoryEN   string    `db:"name_en"`
}

// Filter selects publications for a listing.
type Filter struct {
	CategoryID int64 // 0: all
	Offset     int
	Limit      int
	ByUpdate   bool // newest change first (feeds), else newest publication first
}

// Find returns a page of publications and their total.
func (s *Service) Find(ctx context.Context, f Filter) ([]*Summary, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 20
	}
	// Counts come from bip_category_counts (kept by triggers); the page is
	// found in the index alone, then only its rows are read.
	var total int
	countSQL, inner, args := "SELECT coalesce(sum(n), 0) FROM bip_category_counts", "SELECT id FROM bip_publications", []any{f.Offset, f.Limit}
	if f.CategoryID != 0 {
		countSQL += " WHERE category_id = $1"
		inner += " WHERE category_id = $3"
		args = append(args, f.CategoryID)
	}
	if err := s.pool.QueryRow(ctx, countSQL, args[2:]...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "published_at DESC, id DESC"
	if f.ByUpdate {
		order = "updated_at DESC, id DESC"
	}
	// Planned with the actual values each time: a cached generic plan does
	// not know the offset and falls back to sorting the whole category.
	args = append([]any{pgx.QueryExecModeExec}, args...)
	rows, _ := s.pool.Query(ctx, `SELECT p.id, p.title, p.version, p.withdrawn, p.published_at, p.updated_at, c.slug, c.name_pl, c.name_en
		FROM (`+inner+` ORDER BY `+order+` OFFSET $1 LIMIT $2) page
		JOIN bip_publications p USING (id) JOIN bip_categories c ON c.id = p.category_id
		ORDER BY p.`+strings.Replace(order, ", id", ", p.id", 1), args...)
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Summary])
	return list, total, err
}

// Change is a line of the change register (rejestr zmian).
type Change struct {
	PublicationID int64     `db:"publication_id"`
	Version       int       `db:"version"`
	Kind          string    `db:"kind"`
	Title         string    `db:"title"`
	EnteredBy     string    `db:"entered_by_name"`
	CreatedAt     time.Time `db:"created_at"`
	ChangeReason  string    `db:"change_reason"`
	Seq           int64     `db:"seq"`
}

// ChangeFilter selects changes; zero fields match all.
type ChangeFilter struct {
	PublicationID int64
	Kind          string
	From, To      time.Time // To is exclusive
	Offset, Limit int
}

// Changes returns a page of the change register, newest first, and the total.
func (s *Service) Changes(ctx context.Context, f ChangeFilter) ([]*Change, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var w pg.Where
	if f.PublicationID != 0 {
		w.Add("v.publication_id = ?", f.PublicationID)
	}
	if f.Kind != "" {
		w.Add("v.kind = ?", f.Kind)
	}
	if !f.From.IsZero() {
		w.Add("v.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("v.created_at < ?", f.To)
	}
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM bip_versions v"+w.SQL(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, args := w.Page(f.Offset, f.Limit)
	rows, _ := s.pool.Query(ctx, `SELECT v.publication_id, v.version, v.kind, v.title, v.entered_by_name, v.created_at, v.change_reason, coalesce(l.seq, 0) AS seq
		FROM bip_versions v LEFT JOIN bip_log l ON l.publication_id = v.publication_id AND l.version = v.version`+
		w.SQL()+` ORDER BY v.created_at DESC, v.publication_id DESC, v.version DESC`+page, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Change])
	return list, total, err
}

// MayPublish reports whether the actor may publish through the editor and
// the API: the council office (and admins).
func MayPublish(a ratusz.Actor) error { return a.Require(ratusz.RoleSecretary) }

// Create publishes a new publication as the actor in ctx.
func (s *Service) Create(ctx context.Context, d Draft) (*Publication, error) {
	if err := MayPublish(ratusz.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var p *Publication
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		p, err = Publish(ctx, tx, d)
		return err
	})
	return p, err
}

// Update makes a new version of a publication as the actor in ctx.
func (s *Service) Update(ctx context.Context, id int64, d Draft, reason string) (*Publication, error) {
	if err := MayPublish(ratusz.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var p *Publication
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		p, err = Revise(ctx, tx, id, d, reason)
		return err
	})
	return p, err
}

// Remove withdraws a publication as the actor in ctx.
func (s *Service) Remove(ctx context.Context, id int64, reason string) (*Publication, error) {
	if err := MayPublish(ratusz.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var p *Publication
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		p, err = Withdraw(ctx, tx, id, reason)
		return err
	})
	return p, err
}

// Sitemap returns every publication's id and last change, for sitemap.xml.
func (s *Service) Sitemap(ctx context.Context, offset, limit int) ([]*Summary, error) {
	rows, _ := s.pool.Query(ctx, `SELECT p.id, p.title, p.version, p.withdrawn, p.published_at, p.updated_at, c.slug, c.name_pl, c.name_en
		FROM bip_publications p JOIN bip_categories c ON c.id = p.category_id ORDER BY p.id OFFSET $1 LIMIT $2`, offset, limit)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Summary])
}
