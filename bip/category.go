// Package bip is the store of the Biuletyn Informacji Publicznej: the
// subject menu, publications whose every change is a new immutable version
// with its metryczka, attachments, the public change register, and a
// hash-chained log that makes tampering evident. Other modules publish
// through Publish and Revise in their own transaction.
package bip

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
	"golang.org/x/sync/singleflight"
)

// Category is an entry of the subject menu (menu przedmiotowe).
type Category struct {
	ID       int64  `db:"id"`
	ParentID *int64 `db:"parent_id"`
	Slug     string `db:"slug"`
	NamePL   string `db:"name_pl"`
	NameEN   string `db:"name_en"`
	Position int    `db:"position"`

	Children []*Category `db:"-"`
}

// Name returns the category's name in the language ("pl" or "en").
func (c *Category) Name(lang string) string {
	if lang == "en" {
		return c.NameEN
	}
	return c.NamePL
}

// Service is the BIP store.
type Service struct {
	pool    *pgxpool.Pool
	views   *viewCounter
	diffs   *diffCache
	diffing singleflight.Group
}

// NewService returns the store; call Close to flush the view counts.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, views: newViewCounter(pool), diffs: newDiffCache()}
}

// Close writes the view counts still in memory.
func (s *Service) Close() { s.views.close() }

const categoryColumns = "id, parent_id, slug, name_pl, name_en, position"

// Categories returns every category, ordered for the menu, parents first.
func (s *Service) Categories(ctx context.Context) ([]*Category, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+categoryColumns+" FROM bip_categories ORDER BY position, name_pl, id")
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Category])
}

// Tree returns the top categories with their children filled in.
func Tree(all []*Category) []*Category {
	byID := map[int64]*Category{}
	for _, c := range all {
		c.Children = nil
		byID[c.ID] = c
	}
	var roots []*Category
	for _, c := range all {
		if c.ParentID != nil && byID[*c.ParentID] != nil {
			p := byID[*c.ParentID]
			p.Children = append(p.Children, c)
		} else {
			roots = append(roots, c)
		}
	}
	return roots
}

// CategoryBySlug returns one category.
func (s *Service) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	return s.categoryWhere(ctx, s.pool, "slug = $1", slug)
}

func (s *Service) categoryWhere(ctx context.Context, q pg.Querier, where string, args ...any) (*Category, error) {
	rows, _ := q.Query(ctx, "SELECT "+categoryColumns+" FROM bip_categories WHERE "+where, args...)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Category])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.category_not_found")
	}
	return c, err
}

// CategoryInput is a new category or a change to one.
type CategoryInput struct {
	Slug     string
	NamePL   string
	NameEN   string
	Parent   string // the parent's slug, "" for a top entry
	Position int
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (s *Service) validateCategory(ctx context.Context, in *CategoryInput) (*int64, error) {
	in.Slug = strings.TrimSpace(in.Slug)
	in.NamePL = strings.TrimSpace(in.NamePL)
	in.NameEN = strings.TrimSpace(in.NameEN)
	if !slugRE.MatchString(in.Slug) || len(in.Slug) > 80 {
		return nil, ratusz.Invalid("slug", "err.bip.slug")
	}
	if in.NamePL == "" {
		return nil, ratusz.Invalid("name_pl", "err.required")
	}
	if in.NameEN == "" {
		return nil, ratusz.Invalid("name_en", "err.required")
	}
	if utf8.RuneCountInString(in.NamePL) > 200 || utf8.RuneCountInString(in.NameEN) > 200 {
		return nil, ratusz.Invalid("name_pl", "err.too_long", 200)
	}
	if in.Parent == "" {
		return nil, nil
	}
	p, err := s.CategoryBySlug(ctx, in.Parent)
	if ratusz.ErrorCode(err) == ratusz.ENOTFOUND {
		return nil, ratusz.Invalid("parent", "err.bip.category_not_found")
	}
	if err != nil {
		return nil, err
	}
	return &p.ID, nil
}

// CreateCategory adds an entry to the subject menu. Admins only.
func (s *Service) CreateCategory(ctx context.Context, in CategoryInput) (*Category, error) {
	if err := ratusz.ActorFromContext(ctx).Require(ratusz.RoleAdmin); err != nil {
		return nil, err
	}
	parent, err := s.validateCategory(ctx, &in)
	if err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `INSERT INTO bip_categories (parent_id, slug, name_pl, name_en, position)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+categoryColumns, parent, in.Slug, in.NamePL, in.NameEN, in.Position)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Category])
	if pg.IsConstraint(err, "bip_categories_slug_key") {
		return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "slug", Message: "err.bip.slug_taken"}
	}
	return c, err
}

// UpdateCategory renames, moves or reorders an entry. Admins only. A
// category cannot become its own ancestor.
func (s *Service) UpdateCategory(ctx context.Context, id int64, in CategoryInput) (*Category, error) {
	if err := ratusz.ActorFromContext(ctx).Require(ratusz.RoleAdmin); err != nil {
		return nil, err
	}
	parent, err := s.validateCategory(ctx, &in)
	if err != nil {
		return nil, err
	}
	if parent != nil {
		var cycle bool
		err := s.pool.QueryRow(ctx, `WITH RECURSIVE up AS (
			SELECT id, parent_id FROM bip_categories WHERE id = $1
			UNION ALL SELECT c.id, c.parent_id FROM bip_categories c JOIN up ON c.id = up.parent_id)
			SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)`, *parent, id).Scan(&cycle)
		if err != nil {
			return nil, err
		}
		if cycle {
			return nil, ratusz.Invalid("parent", "err.bip.category_cycle")
		}
	}
	rows, _ := s.pool.Query(ctx, `UPDATE bip_categories SET parent_id = $2, slug = $3, name_pl = $4, name_en = $5, position = $6
		WHERE id = $1 RETURNING `+categoryColumns, id, parent, in.Slug, in.NamePL, in.NameEN, in.Position)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Category])
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.category_not_found")
	case pg.IsConstraint(err, "bip_categories_slug_key"):
		return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "slug", Message: "err.bip.slug_taken"}
	}
	return c, err
}
