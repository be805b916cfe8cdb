package council

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// The council's open data as OParl 1.1 needs it, read only; web/oparl
// renders it (docs/OPARL.md). A council (kind 'council') is an OParl Body;
// its committees (the bodies whose parent it is) and the clubs of both
// belong to it. Every list is paged in a fixed order, filtered by creation
// and modification time, and read with a fixed number of queries per page,
// never one per element. Nothing here reads councillors' e-mail addresses
// or the contents of files.

// OParlFilter selects a page of an OParl list.
type OParlFilter struct {
	BodyID                       int64 // the council whose objects to list; 0 for every council
	CreatedSince, CreatedUntil   *time.Time
	ModifiedSince, ModifiedUntil *time.Time
	Offset, Limit                int
}

// OParlMeta is what every OParl object carries: its id, the council it
// belongs to, and when it was created and last modified. Modified covers
// what is printed inside the object (a meeting's agenda, a person's
// memberships), so a client asking what changed since its last visit gets
// the object whose embedded part changed.
type OParlMeta struct {
	ID       int64     `db:"id"`
	BodyID   int64     `db:"body_id"`
	Created  time.Time `db:"created"`
	Modified time.Time `db:"modified"`
}

// bodyOf is the council a row b of council_bodies belongs to: itself, or
// the council whose committee it is.
const bodyOf = "coalesce(b.parent_id, b.id)"

func (f OParlFilter) where() *pg.Where {
	var w pg.Where
	if f.BodyID != 0 {
		w.Add("body_id = ?", f.BodyID)
	}
	for _, c := range []struct {
		cond string
		at   *time.Time
	}{{"created >= ?", f.CreatedSince}, {"created <= ?", f.CreatedUntil}, {"modified >= ?", f.ModifiedSince}, {"modified <= ?", f.ModifiedUntil}} {
		if c.at != nil {
			w.Add(c.cond, *c.at)
		}
	}
	return &w
}

// oparlList reads a page of the rows of from, a query whose columns are
// T's (OParlMeta's among them), in order, and how many there are in all.
func oparlList[T any](ctx context.Context, q pg.Querier, from, order string, f OParlFilter) ([]*T, int, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	w := f.where()
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM ("+from+") x"+w.SQL(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Offset >= total {
		return []*T{}, total, nil
	}
	page, args := w.Page(f.Offset, f.Limit)
	rows, _ := q.Query(ctx, "SELECT * FROM ("+from+") x"+w.SQL()+" ORDER BY "+order+page, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[T])
	return list, total, err
}

// oparlOne reads the row of from with the id, or ENOTFOUND with the message.
func oparlOne[T any](ctx context.Context, q pg.Querier, from string, id int64, notFound string) (*T, error) {
	rows, _ := q.Query(ctx, "SELECT * FROM ("+from+") x WHERE id = $1", id)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[T])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, notFound)
	}
	return v, err
}

func ids[T any](list []*T, id func(*T) int64) []int64 {
	out := make([]int64, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

// Bodies.

// OParlBody is a council with its terms.
type OParlBody struct {
	OParlMeta
	Name          string       `db:"name"`
	StatutorySize int          `db:"statutory_size"`
	Terms         []*OParlTerm `db:"-"`
}

const oparlBodies = `SELECT b.id, b.id AS body_id, b.created_at AS created,
	greatest(b.modified_at, (SELECT max(t.modified_at) FROM council_terms t WHERE t.body_id = b.id)) AS modified,
	b.name, b.statutory_size
	FROM council_bodies b WHERE b.kind = 'council'`

// OParlBodies returns a page of the councils, by id, with their terms.
func (s *Service) OParlBodies(ctx context.Context, f OParlFilter) ([]*OParlBody, int, error) {
	f.BodyID = 0
	list, total, err := oparlList[OParlBody](ctx, s.pool, oparlBodies, "id", f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.withTerms(ctx, list)
}

// OParlBody returns a council with its terms.
func (s *Service) OParlBody(ctx context.Context, id int64) (*OParlBody, error) {
	b, err := oparlOne[OParlBody](ctx, s.pool, oparlBodies, id, "err.council.body_not_found")
	if err != nil {
		return nil, err
	}
	return b, s.withTerms(ctx, []*OParlBody{b})
}

func (s *Service) withTerms(ctx context.Context, bodies []*OParlBody) error {
	byID := map[int64]*OParlBody{}
	for _, b := range bodies {
		byID[b.ID] = b
		b.Terms = []*OParlTerm{}
	}
	rows, _ := s.pool.Query(ctx, "SELECT * FROM ("+oparlTerms+") x WHERE body_id = ANY($1) ORDER BY starts_on, id", ids(bodies, func(b *OParlBody) int64 { return b.ID }))
	terms, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[OParlTerm])
	for _, t := range terms {
		byID[t.BodyID].Terms = append(byID[t.BodyID].Terms, t)
	}
	return err
}

// Terms.

// OParlTerm is a council's term of office (OParl's LegislativeTerm).
type OParlTerm struct {
	OParlMeta
	Name     string     `db:"name"`
	StartsOn time.Time  `db:"starts_on"`
	EndsOn   *time.Time `db:"ends_on"`
}

const oparlTerms = `SELECT t.id, t.body_id, t.created_at AS created, t.modified_at AS modified, t.name, t.starts_on, t.ends_on
	FROM council_terms t`

// OParlTerms returns a page of a council's terms, by id.
func (s *Service) OParlTerms(ctx context.Context, f OParlFilter) ([]*OParlTerm, int, error) {
	return oparlList[OParlTerm](ctx, s.pool, oparlTerms, "id", f)
}

// OParlTerm returns a term.
func (s *Service) OParlTerm(ctx context.Context, id int64) (*OParlTerm, error) {
	return oparlOne[OParlTerm](ctx, s.pool, oparlTerms, id, "err.council.term_not_found")
}

// Organizations.

// OParlOrganization is a council or a committee (Kind "body") or a club
// (Kind "club"), with the ids of its memberships.
type OParlOrganization struct {
	Kind string `db:"kind"`
	OParlMeta
	Name string `db:"name"`
	// BodyKind is council or committee for a body, "" for a club.
	BodyKind string `db:"body_kind"`
	// ParentID is the body a committee is part of, or the body whose club
	// a club is.
	ParentID    *int64  `db:"parent_id"`
	Memberships []int64 `db:"-"`
}

const (
	oparlBodyOrgs = `SELECT 'body' AS kind, b.id, ` + bodyOf + ` AS body_id, b.created_at AS created, b.modified_at AS modified,
		b.name, b.kind AS body_kind, b.parent_id FROM council_bodies b`
	oparlClubs = `SELECT 'club' AS kind, k.id, ` + bodyOf + ` AS body_id, k.created_at AS created, k.modified_at AS modified,
		k.name, '' AS body_kind, k.body_id AS parent_id FROM council_clubs k JOIN council_bodies b ON b.id = k.body_id`
)

// OParlOrganizations returns a page of a council's organizations: the
// council and its committees by id, then its clubs by id.
func (s *Service) OParlOrganizations(ctx context.Context, f OParlFilter) ([]*OParlOrganization, int, error) {
	list, total, err := oparlList[OParlOrganization](ctx, s.pool, oparlBodyOrgs+" UNION ALL "+oparlClubs, "kind, id", f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.withMembershipIDs(ctx, list)
}

// OParlBodyOrganization returns a council or committee as an organization.
func (s *Service) OParlBodyOrganization(ctx context.Context, id int64) (*OParlOrganization, error) {
	o, err := oparlOne[OParlOrganization](ctx, s.pool, oparlBodyOrgs, id, "err.council.body_not_found")
	if err != nil {
		return nil, err
	}
	return o, s.withMembershipIDs(ctx, []*OParlOrganization{o})
}

// OParlClub returns a club as an organization.
func (s *Service) OParlClub(ctx context.Context, id int64) (*OParlOrganization, error) {
	o, err := oparlOne[OParlOrganization](ctx, s.pool, oparlClubs, id, "err.page_not_found")
	if err != nil {
		return nil, err
	}
	return o, s.withMembershipIDs(ctx, []*OParlOrganization{o})
}

func (s *Service) withMembershipIDs(ctx context.Context, orgs []*OParlOrganization) error {
	bodies, clubs := map[int64]*OParlOrganization{}, map[int64]*OParlOrganization{}
	var bodyIDs, clubIDs []int64
	for _, o := range orgs {
		o.Memberships = []int64{}
		if o.Kind == "club" {
			clubs[o.ID] = o
			clubIDs = append(clubIDs, o.ID)
		} else {
			bodies[o.ID] = o
			bodyIDs = append(bodyIDs, o.ID)
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT id, body_id, club_id FROM council_memberships
		WHERE (club_id IS NULL AND body_id = ANY($1)) OR club_id = ANY($2) ORDER BY id`, bodyIDs, clubIDs)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, body int64
		var club *int64
		if err := rows.Scan(&id, &body, &club); err != nil {
			return err
		}
		o := bodies[body]
		if club != nil {
			o = clubs[*club]
		}
		o.Memberships = append(o.Memberships, id)
	}
	return rows.Err()
}

// People and memberships.

// OParlPerson is a councillor with their memberships, the earliest first.
type OParlPerson struct {
	OParlMeta
	Name        string             `db:"name"`
	Active      bool               `db:"active"`
	Gender      string             `db:"gender"` // "f", "m" or ""
	Memberships []*OParlMembership `db:"-"`
}

const oparlPeople = `SELECT c.id, ` + bodyOf + ` AS body_id, c.created_at AS created,
	greatest(c.modified_at, (SELECT max(m.modified_at) FROM council_memberships m WHERE m.councillor_id = c.id)) AS modified,
	c.name, c.active, c.gender, c.sort_name
	FROM councillors c JOIN council_bodies b ON b.id = c.body_id`

// oparlPerson is a row of oparlPeople: the sort name orders the list.
type oparlPerson struct {
	OParlPerson
	SortName string `db:"sort_name"`
}

// OParlPeople returns a page of a council's councillors, by surname.
func (s *Service) OParlPeople(ctx context.Context, f OParlFilter) ([]*OParlPerson, int, error) {
	rows, total, err := oparlList[oparlPerson](ctx, s.pool, oparlPeople, "sort_name, id", f)
	if err != nil {
		return nil, 0, err
	}
	list := make([]*OParlPerson, len(rows))
	for i, r := range rows {
		list[i] = &r.OParlPerson
	}
	return list, total, s.withMemberships(ctx, list)
}

// OParlPerson returns a councillor with their memberships.
func (s *Service) OParlPerson(ctx context.Context, id int64) (*OParlPerson, error) {
	p, err := oparlOne[oparlPerson](ctx, s.pool, oparlPeople, id, "err.council.councillor_not_found")
	if err != nil {
		return nil, err
	}
	return &p.OParlPerson, s.withMemberships(ctx, []*OParlPerson{&p.OParlPerson})
}

func (s *Service) withMemberships(ctx context.Context, people []*OParlPerson) error {
	byID := map[int64]*OParlPerson{}
	for _, p := range people {
		byID[p.ID] = p
		p.Memberships = []*OParlMembership{}
	}
	rows, _ := s.pool.Query(ctx, "SELECT * FROM ("+oparlMemberships+") x WHERE councillor_id = ANY($1) ORDER BY starts_on, club_id NULLS FIRST, id",
		ids(people, func(p *OParlPerson) int64 { return p.ID }))
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[OParlMembership])
	for _, m := range list {
		byID[m.CouncillorID].Memberships = append(byID[m.CouncillorID].Memberships, m)
	}
	return err
}

// OParlMembership is a councillor's membership of a body (ClubID nil) or
// of one of its clubs, with the function held (member, chair, vice_chair).
type OParlMembership struct {
	OParlMeta
	CouncillorID int64      `db:"councillor_id"`
	OrgBodyID    int64      `db:"org_body_id"`
	ClubID       *int64     `db:"club_id"`
	Role         string     `db:"role"`
	StartsOn     time.Time  `db:"starts_on"`
	EndsOn       *time.Time `db:"ends_on"`
}

const oparlMemberships = `SELECT m.id, ` + bodyOf + ` AS body_id, m.created_at AS created, m.modified_at AS modified,
	m.councillor_id, m.body_id AS org_body_id, m.club_id, m.role, m.starts_on, m.ends_on
	FROM council_memberships m JOIN council_bodies b ON b.id = m.body_id`

// OParlMemberships returns a page of a council's memberships, by id.
func (s *Service) OParlMemberships(ctx context.Context, f OParlFilter) ([]*OParlMembership, int, error) {
	return oparlList[OParlMembership](ctx, s.pool, oparlMemberships, "id", f)
}

// OParlMembership returns a membership.
func (s *Service) OParlMembership(ctx context.Context, id int64) (*OParlMembership, error) {
	return oparlOne[OParlMembership](ctx, s.pool, oparlMemberships, id, "err.page_not_found")
}

// Meetings and their agendas.

// Papers.

// Files.

// Locations.

// Vote events.
