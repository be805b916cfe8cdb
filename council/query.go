package council

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// Bodies returns every body, councils first.
func (s *Service) Bodies(ctx context.Context) ([]*Body, error) {
	rows, _ := s.pool.Query(ctx, "SELECT id, name, kind, statutory_size FROM council_bodies ORDER BY kind, name, id")
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Body])
}

// Sessions returns a body's sessions, the latest first.
func (s *Service) Sessions(ctx context.Context, bodyID int64) ([]*Session, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+sessionColumns+" FROM council_sessions WHERE body_id = $1 ORDER BY starts_at DESC, id DESC", bodyID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Session])
}

// SessionVotes returns a session's votes in the order they were created,
// with results but without named lists.
func (s *Service) SessionVotes(ctx context.Context, sessionID int64) ([]*Vote, error) {
	rows, _ := s.pool.Query(ctx, "SELECT id FROM votes WHERE session_id = $1 ORDER BY id", sessionID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	out := make([]*Vote, 0, len(ids))
	for _, id := range ids {
		v, err := loadVote(ctx, s.pool, id, false)
		if err != nil {
			return nil, err
		}
		v.Ballots = nil
		out = append(out, v)
	}
	return out, nil
}

// Attendance maps a session's councillors to whether they are present.
func (s *Service) Attendance(ctx context.Context, sessionID int64) (map[int64]bool, error) {
	m := map[int64]bool{}
	rows, err := s.pool.Query(ctx, "SELECT councillor_id, present FROM attendance WHERE session_id = $1", sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p bool
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		m[id] = p
	}
	return m, rows.Err()
}

// Me returns the acting councillor of a body (EFORBIDDEN for anyone else).
func (s *Service) Me(ctx context.Context, bodyID int64) (*Councillor, error) {
	id, err := councillorOf(ctx, s.pool, bodyID)
	if err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, "SELECT "+councillorColumns+" FROM councillors WHERE id = $1", id)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Councillor])
}

// MyChoice returns the acting councillor's choice in a vote, "" if none.
func (s *Service) MyChoice(ctx context.Context, voteID, councillorID int64) (string, error) {
	choice, _, err := s.MyBallot(ctx, voteID, councillorID)
	return choice, err
}

// MyBallot returns a councillor's choice in a vote and when it was saved;
// "" and the zero time if none.
func (s *Service) MyBallot(ctx context.Context, voteID, councillorID int64) (string, time.Time, error) {
	var choice string
	var at time.Time
	err := s.pool.QueryRow(ctx, "SELECT choice, cast_at FROM ballots WHERE vote_id = $1 AND councillor_id = $2", voteID, councillorID).Scan(&choice, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", time.Time{}, nil
	}
	return choice, at, err
}

// SetFunction makes a councillor the chair or a vice-chair ("" for none),
// from today: the membership with the old function ends yesterday.
func (s *Service) SetFunction(ctx context.Context, councillorID int64, function string) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	if function != "" && function != "chair" && function != "vice_chair" {
		return ratusz.Invalid("function", "err.council.function")
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		bodyID, _, old, err := lockCouncillor(ctx, tx, councillorID)
		if err != nil || old == function {
			return err
		}
		now := time.Now()
		if err := endMembership(ctx, tx, councillorID, false, now); err != nil {
			return err
		}
		role := function
		if role == "" {
			role = "member"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO council_memberships (councillor_id, body_id, role, starts_on) VALUES ($1, $2, $3, $4)`,
			councillorID, bodyID, role, now.In(warsaw).Format("2006-01-02")); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE councillors SET function = $2 WHERE id = $1", councillorID, function)
		return err
	})
}

// Profile is a councillor's record in their body: attendance and how they
// voted, by the same rules as the named lists.
type Profile struct {
	Councillor       *Councillor
	Body             *Body
	SessionsAttended int
	SessionsHeld     int
	Choices          map[string]int
	Recent           []ProfileVote
	Memberships      []*Membership
}

// ProfileVote is one of a councillor's recent votes.
type ProfileVote struct {
	VoteID  int64
	Subject string
	Date    time.Time
	Choice  string
	Outcome string
	// Superseded: a re-vote replaced this vote's result.
	Superseded bool
}

// choiceSQL is a councillor's entry in a closed vote's named list.
const choiceSQL = `coalesce(b.choice, CASE WHEN v.recorded_list THEN NULL WHEN coalesce(a.present, false) THEN 'not_voting' ELSE 'absent' END)`

// CouncillorProfile returns a councillor's record.
func (s *Service) CouncillorProfile(ctx context.Context, id int64) (*Profile, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+councillorColumns+" FROM councillors WHERE id = $1", id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Councillor])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.councillor_not_found")
	} else if err != nil {
		return nil, err
	}
	p := &Profile{Councillor: c, Choices: map[string]int{}}
	if p.Body, err = s.BodyByID(ctx, c.BodyID); err != nil {
		return nil, err
	}
	if p.Memberships, err = s.Memberships(ctx, id); err != nil {
		return nil, err
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE a.present), count(*) FROM council_sessions s
		LEFT JOIN attendance a ON a.session_id = s.id AND a.councillor_id = $1
		WHERE s.body_id = $2 AND s.state <> 'planned'`, id, c.BodyID).Scan(&p.SessionsAttended, &p.SessionsHeld); err != nil {
		return nil, err
	}
	from := ` FROM votes v JOIN council_sessions s ON s.id = v.session_id
		LEFT JOIN ballots b ON b.vote_id = v.id AND b.councillor_id = $1
		LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = $1
		WHERE v.state = 'closed' AND v.mode <> 'secret' AND s.body_id = $2 AND ` + choiceSQL + ` IS NOT NULL`
	rows, err = s.pool.Query(ctx, `SELECT `+choiceSQL+`, count(*)`+from+` GROUP BY 1`, id, c.BodyID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var choice string
		var n int
		if err := rows.Scan(&choice, &n); err != nil {
			rows.Close()
			return nil, err
		}
		p.Choices[choice] = n
	}
	rows.Close()
	rows, _ = s.pool.Query(ctx, `SELECT v.id, v.subject, s.starts_at, `+choiceSQL+`, coalesce(v.outcome, ''),
		`+supersededBy+` IS NOT NULL`+from+
		` ORDER BY s.starts_at DESC, v.id DESC LIMIT 30`, id, c.BodyID)
	p.Recent, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProfileVote, error) {
		var v ProfileVote
		err := r.Scan(&v.VoteID, &v.Subject, &v.Date, &v.Choice, &v.Outcome, &v.Superseded)
		return v, err
	})
	return p, err
}

// DraftOf returns the resolution a vote would adopt, or nil when it adopts
// none: what the councillor reads above the buttons.
func (s *Service) DraftOf(ctx context.Context, voteID int64) (*DraftResolution, error) {
	var d DraftResolution
	err := s.pool.QueryRow(ctx, "SELECT resolution_title, resolution_text FROM votes WHERE id = $1", voteID).Scan(&d.Title, &d.Text)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.vote_not_found")
	}
	if err != nil || d.Title == "" && d.Text == "" {
		return nil, err
	}
	return &d, nil
}
