package council

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// Term is a body's term of office (kadencja); sessions are numbered within
// it.
type Term struct {
	ID       int64      `json:"id" db:"id"`
	BodyID   int64      `json:"body" db:"body_id"`
	Name     string     `json:"name" db:"name"`
	StartsOn time.Time  `json:"starts_on" db:"starts_on"`
	EndsOn   *time.Time `json:"ends_on,omitempty" db:"ends_on"`
}

// CreateTerm opens a term of a body.
func (s *Service) CreateTerm(ctx context.Context, bodyID int64, name string, startsOn time.Time, endsOn *time.Time) (*Term, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	name, err := ratusz.Text("name", name, 200, false)
	if err != nil {
		return nil, err
	}
	if startsOn.IsZero() {
		return nil, ratusz.Invalid("starts_on", "err.required")
	}
	if endsOn != nil && endsOn.Before(startsOn) {
		return nil, ratusz.Invalid("ends_on", "err.council.ends_before_start")
	}
	if _, err := s.BodyByID(ctx, bodyID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `INSERT INTO council_terms (body_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4)
		RETURNING id, body_id, name, starts_on, ends_on`, bodyID, name, startsOn, endsOn)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Term])
}

// Terms returns a body's terms, the latest first.
func (s *Service) Terms(ctx context.Context, bodyID int64) ([]*Term, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, body_id, name, starts_on, ends_on FROM council_terms WHERE body_id = $1
		ORDER BY starts_on DESC, id DESC`, bodyID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Term])
}

// TermByID returns a term.
func (s *Service) TermByID(ctx context.Context, id int64) (*Term, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, body_id, name, starts_on, ends_on FROM council_terms WHERE id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Term])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.term_not_found")
	}
	return t, err
}

// termAt is the body's term running on a day: the latest one begun by
// then and not ended before it; nil if there is none.
func termAt(ctx context.Context, q pg.Querier, bodyID int64, at time.Time) (*int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM council_terms WHERE body_id = $1 AND starts_on <= $2::date
		AND (ends_on IS NULL OR ends_on >= $2::date) ORDER BY starts_on DESC, id DESC LIMIT 1`, bodyID, at.In(warsaw).Format("2006-01-02")).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return &id, err
}

// Membership is a councillor's membership of their body, or of one of its
// clubs, over a stretch of time, with the function held.
type Membership struct {
	ID           int64      `json:"id"`
	CouncillorID int64      `json:"councillor"`
	BodyID       int64      `json:"body"`
	ClubID       *int64     `json:"club_id,omitempty"`
	Club         string     `json:"club,omitempty"`
	Role         string     `json:"role"`
	StartsOn     time.Time  `json:"starts_on"`
	EndsOn       *time.Time `json:"ends_on,omitempty"`
}

// Memberships returns a councillor's memberships, the earliest first.
func (s *Service) Memberships(ctx context.Context, councillorID int64) ([]*Membership, error) {
	rows, _ := s.pool.Query(ctx, `SELECT m.id, m.councillor_id, m.body_id, m.club_id, coalesce(k.name, ''), m.role, m.starts_on, m.ends_on
		FROM council_memberships m LEFT JOIN council_clubs k ON k.id = m.club_id
		WHERE m.councillor_id = $1 ORDER BY m.starts_on, m.club_id NULLS FIRST, m.id`, councillorID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Membership, error) {
		m := &Membership{}
		err := r.Scan(&m.ID, &m.CouncillorID, &m.BodyID, &m.ClubID, &m.Club, &m.Role, &m.StartsOn, &m.EndsOn)
		return m, err
	})
}

// clubID returns the id of a body's club by name, creating it.
func clubID(ctx context.Context, tx pgx.Tx, bodyID int64, name string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO council_clubs (body_id, name) VALUES ($1, $2)
		ON CONFLICT (body_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, bodyID, name).Scan(&id)
	return id, err
}

// startMemberships records a new councillor's membership of the body and of
// their club from a day.
func startMemberships(ctx context.Context, tx pgx.Tx, councillorID, bodyID int64, club, role string, on time.Time) error {
	day := on.In(warsaw).Format("2006-01-02")
	if _, err := tx.Exec(ctx, `INSERT INTO council_memberships (councillor_id, body_id, role, starts_on) VALUES ($1, $2, $3, $4)`,
		councillorID, bodyID, role, day); err != nil {
		return err
	}
	if club == "" {
		return nil
	}
	k, err := clubID(ctx, tx, bodyID, club)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO council_memberships (councillor_id, body_id, club_id, starts_on) VALUES ($1, $2, $3, $4)`,
		councillorID, bodyID, k, day)
	return err
}

// endMembership ends a councillor's current membership of the body
// (club false) or of their club (club true) on a day: the day before if
// it began earlier, or removes it if it began that same day (a correction).
func endMembership(ctx context.Context, tx pgx.Tx, councillorID int64, club bool, on time.Time) error {
	day := on.In(warsaw).Format("2006-01-02")
	cond := "club_id IS NULL"
	if club {
		cond = "club_id IS NOT NULL"
	}
	if _, err := tx.Exec(ctx, `DELETE FROM council_memberships WHERE councillor_id = $1 AND ends_on IS NULL AND `+cond+` AND starts_on >= $2::date`, councillorID, day); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE council_memberships SET ends_on = $2::date - 1 WHERE councillor_id = $1 AND ends_on IS NULL AND `+cond, councillorID, day)
	return err
}

// lockCouncillor reads an active councillor's body and club for update.
func lockCouncillor(ctx context.Context, tx pgx.Tx, id int64) (bodyID int64, club, function string, err error) {
	err = tx.QueryRow(ctx, "SELECT body_id, club, function FROM councillors WHERE id = $1 AND active FOR UPDATE", id).Scan(&bodyID, &club, &function)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ratusz.Errorf(ratusz.ENOTFOUND, "err.council.councillor_not_found")
	}
	return
}

// ChangeClub moves a councillor to another club ("" for none) from a day;
// the old membership ends the day before.
func (s *Service) ChangeClub(ctx context.Context, councillorID int64, club string, on time.Time) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	club = strings.TrimSpace(club)
	if utf8.RuneCountInString(club) > 200 {
		return ratusz.Invalid("club", "err.too_long", 200)
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		bodyID, old, _, err := lockCouncillor(ctx, tx, councillorID)
		if err != nil || old == club {
			return err
		}
		if err := endMembership(ctx, tx, councillorID, true, on); err != nil {
			return err
		}
		if club != "" {
			k, err := clubID(ctx, tx, bodyID, club)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO council_memberships (councillor_id, body_id, club_id, starts_on) VALUES ($1, $2, $3, $4)`,
				councillorID, bodyID, k, on.In(warsaw).Format("2006-01-02")); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE councillors SET club = $2 WHERE id = $1", councillorID, club)
		return err
	})
}

// EndMandate records the end of a councillor's mandate (wygaśnięcie
// mandatu): their memberships end, they leave the lists of members and can
// no longer vote; their record stays.
func (s *Service) EndMandate(ctx context.Context, councillorID int64, on time.Time) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, _, err := lockCouncillor(ctx, tx, councillorID); err != nil {
			return err
		}
		if err := endMembership(ctx, tx, councillorID, false, on.AddDate(0, 0, 1)); err != nil {
			return err
		}
		if err := endMembership(ctx, tx, councillorID, true, on.AddDate(0, 0, 1)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE councillors SET active = false, function = '' WHERE id = $1", councillorID)
		return err
	})
}

// linkPapers records an agenda item's papers (druki) as the body's papers.
func linkPapers(ctx context.Context, tx pgx.Tx, bodyID, itemID int64, papers []string) error {
	for _, ref := range papers {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO council_papers (body_id, reference) VALUES ($1, $2)
			ON CONFLICT (body_id, reference) DO UPDATE SET reference = EXCLUDED.reference RETURNING id`, bodyID, ref).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agenda_item_papers (agenda_item_id, paper_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, itemID, id); err != nil {
			return err
		}
	}
	return nil
}
