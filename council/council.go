// Package council is e-Rada: bodies (the council and its committees) with
// their statutory seats, councillors, sessions with agenda and attendance,
// and named votes decided by the statutory majority rules, whose named
// lists are published in BIP in the same transaction that closes them.
package council

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Events e-Rada writes, all on a session's topic (SessionTopic).
const (
	EventSessionChanged   = "session.changed"   // its date, place or kind
	EventSessionAnnounced = "session.announced" // its notice is in BIP
	EventSessionState     = "session.state"     // started or closed
	EventAgendaChanged    = "agenda.changed"    // an item added, or the order changed by vote
	EventAgendaCurrent    = "agenda.current"    // the item now being taken
	EventVoteOpened       = "vote.opened"
	EventVoteClosed       = "vote.closed" // with the named result
	EventVoteCancelled    = "vote.cancelled"

	// Written only for live viewers (outbox.WriteLive).
	EventVoteProgress      = "vote.progress"      // how many have voted, never how
	EventAttendanceChanged = "attendance.changed" // who is present, and how many
)

// Service is e-Rada's store. Every method checks the actor in the context.
type Service struct{ pool *pgxpool.Pool }

func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// MayManage is e-Rada's policy for the council office and the chair, who
// prepare sessions and run votes: nil, EUNAUTHORIZED or EFORBIDDEN. The
// service checks it; pages ask it to decide what to show.
func MayManage(ctx context.Context) error {
	return ratusz.ActorFromContext(ctx).Require(ratusz.RoleSecretary, ratusz.RoleChair)
}

// Body is the council or one of its committees.
type Body struct {
	ID            int64  `json:"id" db:"id"`
	Name          string `json:"name" db:"name"`
	Kind          string `json:"kind" db:"kind"`
	StatutorySize int    `json:"statutory_size" db:"statutory_size"`
}

// Councillor is a member of a body; the account with the same e-mail votes
// as them.
type Councillor struct {
	ID       int64   `json:"id" db:"id"`
	BodyID   int64   `json:"body" db:"body_id"`
	Name     string  `json:"name" db:"name"`
	Club     string  `json:"club" db:"club"`
	Email    *string `json:"-" db:"email"`
	Function string  `json:"function" db:"function"`
	Active   bool    `json:"active" db:"active"`
	Gender   string  `json:"gender" db:"gender"` // "f", "m", or "" when not known
}

const councillorColumns = "id, body_id, name, club, email, function, active, gender"

// CreateBody adds a council or committee.
func (s *Service) CreateBody(ctx context.Context, name string, statutorySize int) (*Body, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	name, err := ratusz.Text("name", name, 200, false)
	if err != nil {
		return nil, err
	}
	if statutorySize < 1 || statutorySize > 200 {
		return nil, ratusz.Invalid("statutory_size", "err.range", 1, 200)
	}
	rows, _ := s.pool.Query(ctx, `INSERT INTO council_bodies (name, statutory_size) VALUES ($1, $2)
		RETURNING id, name, kind, statutory_size`, name, statutorySize)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Body])
}

// BodyByID returns a body.
func (s *Service) BodyByID(ctx context.Context, id int64) (*Body, error) {
	return bodyByID(ctx, s.pool, id)
}

func bodyByID(ctx context.Context, q pg.Querier, id int64) (*Body, error) {
	rows, _ := q.Query(ctx, "SELECT id, name, kind, statutory_size FROM council_bodies WHERE id = $1", id)
	b, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Body])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.body_not_found")
	}
	return b, err
}

// AddCouncillor adds a member to a body.
func (s *Service) AddCouncillor(ctx context.Context, bodyID int64, name, club, email string) (*Councillor, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	name, err := ratusz.Text("name", name, 200, false)
	if err != nil {
		return nil, err
	}
	club = strings.TrimSpace(club)
	var em *string
	if email, err = ratusz.Email("email", email, true); err != nil {
		return nil, err
	} else if email != "" {
		em = &email
	}
	if _, err := s.BodyByID(ctx, bodyID); err != nil {
		return nil, err
	}
	var c *Councillor
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `INSERT INTO councillors (body_id, name, club, email, gender) VALUES ($1, $2, $3, $4, $5)
			RETURNING `+councillorColumns, bodyID, name, club, em, GuessGender(name))
		var err error
		if c, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Councillor]); err != nil {
			return err
		}
		return startMemberships(ctx, tx, c.ID, bodyID, club, "member", time.Now())
	})
	if pg.IsConstraint(err, "councillors_email_key") {
		return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "email", Message: "err.council.councillor_email_taken"}
	}
	return c, err
}

// Councillors returns a body's active members, by name.
func (s *Service) Councillors(ctx context.Context, bodyID int64) ([]*Councillor, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+councillorColumns+` FROM councillors
		WHERE body_id = $1 AND active ORDER BY sort_name, id`, bodyID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Councillor])
}

// Session is a sitting of a body.
type Session struct {
	ID           int64      `json:"id" db:"id"`
	BodyID       int64      `json:"body" db:"body_id"`
	Number       int        `json:"number" db:"number"`
	Kind         string     `json:"kind" db:"kind"`
	Title        string     `json:"title" db:"title"`
	StartsAt     time.Time  `json:"starts_at" db:"starts_at"`
	Place        string     `json:"place" db:"place"`
	State        string     `json:"state" db:"state"`
	BroadcastURL string     `json:"broadcast_url" db:"broadcast_url"`
	RecordingURL string     `json:"recording_url" db:"recording_url"`
	ProtocolURL  string     `json:"protocol_url" db:"protocol_url"`
	TermID       *int64     `json:"term,omitempty" db:"term_id"`
	AnnouncedAt  *time.Time `json:"announced_at,omitempty" db:"announced_at"`
	// The session's notice and agenda in BIP, once announced.
	AgendaPublicationID *int64 `json:"agenda_publication,omitempty" db:"agenda_publication_id"`
	CurrentItemID       *int64 `json:"current_item,omitempty" db:"current_item_id"`
	// Speaking times in seconds, by kind (Limits), and the break in hand.
	LimitItem    int        `json:"limit_item" db:"limit_item"`
	LimitAdVocem int        `json:"limit_ad_vocem" db:"limit_ad_vocem"`
	LimitFormal  int        `json:"limit_formal" db:"limit_formal"`
	BreakSince   *time.Time `json:"break_since,omitempty" db:"break_since"`
	BreakUntil   *time.Time `json:"break_until,omitempty" db:"break_until"`
}

// Roman is the session's number as councils write it.
func (s *Session) Roman() string { return Roman(s.Number) }

const sessionColumns = "id, body_id, number, kind, title, starts_at, place, state, broadcast_url, recording_url, protocol_url, term_id, announced_at, agenda_publication_id, current_item_id, limit_item, limit_ad_vocem, limit_formal, break_since, break_until"

// CreateSession plans an ordinary session.
func (s *Service) CreateSession(ctx context.Context, bodyID int64, number int, title string, startsAt time.Time) (*Session, error) {
	return s.NewSession(ctx, bodyID, SessionInput{Number: number, Kind: "ordinary", Title: title, StartsAt: startsAt})
}

// SessionByID returns a session.
func (s *Service) SessionByID(ctx context.Context, id int64) (*Session, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+sessionColumns+" FROM council_sessions WHERE id = $1", id)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Session])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.session_not_found")
	}
	return sess, err
}

// AgendaItem is an item of a session's agenda (porządek obrad).
type AgendaItem struct {
	ID        int64    `json:"id" db:"id"`
	SessionID int64    `json:"session" db:"session_id"`
	Position  int      `json:"position" db:"position"`
	Label     string   `json:"label" db:"label"`
	Title     string   `json:"title" db:"title"`
	Papers    []string `json:"papers" db:"papers"`
	// The vote that took the item off the agenda, if one did.
	RemovedByVoteID *int64 `json:"removed_by_vote,omitempty" db:"removed_by_vote_id"`
}

const agendaColumns = "id, session_id, position, label, title, papers, removed_by_vote_id"

// AddAgendaItem appends an item, numbered after the last one.
func (s *Service) AddAgendaItem(ctx context.Context, sessionID int64, title string, papers []string) (*AgendaItem, error) {
	return s.AddItem(ctx, sessionID, AgendaInput{Title: title, Papers: papers})
}

// Agenda returns a session's items in order.
func (s *Service) Agenda(ctx context.Context, sessionID int64) ([]*AgendaItem, error) {
	return agendaOf(ctx, s.pool, sessionID)
}

func sessionTopic(id int64) string { return "session:" + strconv.FormatInt(id, 10) }

// SessionTopic is the live topic of a session's events.
func SessionTopic(id int64) string { return sessionTopic(id) }

// councillorOf returns the councillor of the body whose e-mail is the
// actor's, or EFORBIDDEN.
func councillorOf(ctx context.Context, q pg.Querier, bodyID int64) (int64, error) {
	// A right of a councillor needs both: the councillor role on the
	// account and an active membership under its e-mail. The e-mail alone
	// kept the rights of an account whose role was taken away.
	// (The role the account itself holds: an admin, who holds every role
	// for managing, is not a member by that.)
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return 0, err
	}
	if !a.Holds(ratusz.RoleCouncillor) && !a.Holds(ratusz.RoleChair) { // the chair is a member too
		return 0, ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.not_councillor")
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM councillors WHERE body_id = $1 AND active AND lower(email) = lower($2)`, bodyID, a.Email).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || a.Email == "" {
		return 0, ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.not_councillor")
	}
	return id, err
}

// SetAttendance marks a councillor present or absent. The office and the
// chair mark anyone; a councillor checks themselves in from their device.
func (s *Service) SetAttendance(ctx context.Context, sessionID, councillorID int64, present bool) error {
	sess, err := s.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	if MayManage(ctx) != nil {
		own, err := councillorOf(ctx, s.pool, sess.BodyID)
		if err != nil {
			return err
		}
		if own != councillorID {
			return ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.only_self")
		}
	}
	if sess.State == "closed" {
		return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
	}
	actor := ratusz.ActorFromContext(ctx)
	var markedBy *int64
	if actor.UserID > 0 {
		markedBy = &actor.UserID
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO attendance (session_id, councillor_id, present, marked_by)
			SELECT $1, id, $3, $4 FROM councillors WHERE id = $2 AND body_id = $5 AND active
			ON CONFLICT (session_id, councillor_id) DO UPDATE SET present = EXCLUDED.present, marked_by = EXCLUDED.marked_by, at = now()`,
			sessionID, councillorID, present, markedBy, sess.BodyID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ratusz.Invalid("councillor", "err.council.councillor_not_found")
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM attendance WHERE session_id = $1 AND present", sessionID).Scan(&n); err != nil {
			return err
		}
		return outbox.WriteLive(ctx, tx, EventAttendanceChanged, sessionTopic(sessionID), map[string]any{"councillor": councillorID, "present": present, "present_count": n})
	})
}

// Present returns how many councillors are present at a session.
func (s *Service) Present(ctx context.Context, sessionID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM attendance WHERE session_id = $1 AND present", sessionID).Scan(&n)
	return n, err
}

// Genitive is the body's name after "Sesja XII …" or "Uchwała nr …": "Rada
// Gminy" becomes "Rady Gminy".
func (b *Body) Genitive() string { return genitive(b.Name) }

// TermNames returns the names of the terms of every body, newest first
// (the search page's term filter).
func (s *Service) TermNames(ctx context.Context) ([]string, error) {
	rows, _ := s.pool.Query(ctx, "SELECT name FROM council_terms GROUP BY name ORDER BY max(starts_on) DESC, name")
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
