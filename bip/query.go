package bip

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// loadVersion reads one version of a publication with its category and
// attachments.
func loadVersion(ctx context.Context, q pgxQuerier, id int64, version int) (*Publication, error) {
	rows, err := q.Query(ctx, `SELECT v.publication_id, v.version, v.kind, v.title, v.body, v.body_html,
			v.produced_by, v.responsible, v.produced_at, v.entered_by_name, v.created_at, v.change_reason,
			p.published_at, p.withdrawn, p.version, p.views,
			c.id, c.parent_id, c.slug, c.name_pl, c.name_en, c.position
		FROM bip_versions v
		JOIN bip_publications p ON p.id = v.publication_id
		JOIN bip_categories c ON c.id = v.category_id
		WHERE v.publication_id = $1 AND v.version = $2`, id, version)
	if err != nil {
		return nil, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (*Publication, error) {
		p := &Publication{Category: &Category{}}
		c := p.Category
		err := row.Scan(&p.ID, &p.Version, &p.Kind, &p.Title, &p.Body, &p.BodyHTML,
			&p.Metadata.ProducedBy, &p.Metadata.Responsible, &p.Metadata.ProducedAt, &p.Metadata.EnteredBy, &p.VersionAt, &p.ChangeReason,
			&p.Metadata.PublishedAt, &p.Withdrawn, &p.Latest, &p.Views,
			&c.ID, &c.ParentID, &c.Slug, &c.NamePL, &c.NameEN, &c.Position)
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
	rows, _ = q.Query(ctx, `SELECT a.id, a.name, a.content_type, a.size, a.sha256
		FROM bip_version_attachments va JOIN bip_attachments a ON a.id = va.attachment_id
		WHERE va.publication_id = $1 AND va.version = $2 ORDER BY va.position`, id, version)
	p.Attachments, err = pgx.CollectRows(rows, pgx.RowToAddrOfStructByPos[Attachment])
	for _, a := range p.Attachments {
		a.PublicationID = id
	}
	return p, err
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
	var version int
	err := s.pool.QueryRow(ctx, "SELECT version FROM bip_publications WHERE id = $1", id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
	} else if err != nil {
		return nil, err
	}
	return loadVersion(ctx, s.pool, id, version)
}

// FindVersion returns one version of a publication.
func (s *Service) FindVersion(ctx context.Context, id int64, version int) (*Publication, error) {
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
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM bip_publications WHERE $1 = 0 OR category_id = $1", f.CategoryID).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "p.published_at DESC, p.id DESC"
	if f.ByUpdate {
		order = "p.updated_at DESC, p.id DESC"
	}
	rows, _ := s.pool.Query(ctx, `SELECT p.id, p.title, p.version, p.withdrawn, p.published_at, p.updated_at, c.slug, c.name_pl, c.name_en
		FROM bip_publications p JOIN bip_categories c ON c.id = p.category_id
		WHERE $1 = 0 OR p.category_id = $1 ORDER BY `+order+` OFFSET $2 LIMIT $3`, f.CategoryID, f.Offset, f.Limit)
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
	where := `($1 = 0 OR v.publication_id = $1) AND ($2 = '' OR v.kind = $2)
		AND ($3::timestamptz IS NULL OR v.created_at >= $3) AND ($4::timestamptz IS NULL OR v.created_at < $4)`
	args := []any{f.PublicationID, f.Kind, nullTime(f.From), nullTime(f.To)}
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM bip_versions v WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT v.publication_id, v.version, v.kind, v.title, v.entered_by_name, v.created_at, v.change_reason, coalesce(l.seq, 0) AS seq
		FROM bip_versions v LEFT JOIN bip_log l ON l.publication_id = v.publication_id AND l.version = v.version
		WHERE `+where+` ORDER BY v.created_at DESC, v.publication_id DESC, v.version DESC OFFSET $5 LIMIT $6`,
		append(args, f.Offset, f.Limit)...)
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Change])
	return list, total, err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
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
