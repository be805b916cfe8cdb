package council

// Ballots: a councillor's own vote from a device, and the ones the
// secretary records by hand (a show of hands, a failed device).

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// CastBallot records the acting councillor's choice in an open vote. Only
// the councillor's own account can, only while present, and the choice may
// be changed until the vote is closed.
func (s *Service) CastBallot(ctx context.Context, voteID int64, choice Choice) error {
	if err := ratusz.ActorFromContext(ctx).Require(); err != nil {
		return err
	}
	if choice != For && choice != Against && choice != Abstain {
		return ratusz.Invalid("choice", "err.council.choice")
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		state, sessionID, bodyID, err := lockVote(ctx, tx, voteID, "SHARE")
		if err != nil {
			return err
		}
		councillor, err := councillorOf(ctx, tx, bodyID)
		if err != nil {
			return err
		}
		if state != "open" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_not_open")
		}
		var mode string
		var present bool
		if err := tx.QueryRow(ctx, `SELECT v.mode, coalesce(a.present, false) FROM votes v
			LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = $2 WHERE v.id = $1`, voteID, councillor).Scan(&mode, &present); err != nil {
			return err
		}
		if mode != "electronic" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.not_electronic")
		}
		if !present {
			return ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.absent")
		}
		return storeBallot(ctx, tx, voteID, sessionID, councillor, choice)
	})
}

// storeBallot records or replaces a councillor's choice and tells viewers
// how many have voted, never how.
func storeBallot(ctx context.Context, tx pgx.Tx, voteID, sessionID, councillorID int64, choice Choice) error {
	if _, err := tx.Exec(ctx, `INSERT INTO ballots (vote_id, councillor_id, choice) VALUES ($1, $2, $3)
		ON CONFLICT (vote_id, councillor_id) DO UPDATE SET choice = EXCLUDED.choice, cast_at = now()`, voteID, councillorID, string(choice)); err != nil {
		return err
	}
	var cast, present int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM ballots WHERE vote_id = $1),
		(SELECT count(*) FROM attendance WHERE session_id = $2 AND present)`, voteID, sessionID).Scan(&cast, &present); err != nil {
		return err
	}
	return outbox.WriteLive(ctx, tx, EventVoteProgress, sessionTopic(sessionID), map[string]any{"vote": voteID, "ballots_cast": cast, "cast": cast, "present": present})
}

// RecordBallots records the choices read out in a roll-call vote, all or
// none.
func (s *Service) RecordBallots(ctx context.Context, voteID int64, choices map[int64]Choice) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for councillor, choice := range choices {
			if err := recordBallot(ctx, tx, voteID, councillor, choice); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordBallot records, in a roll-call vote, the choice a present
// councillor states aloud; the office enters it when the devices fail.
func (s *Service) RecordBallot(ctx context.Context, voteID, councillorID int64, choice Choice) error {
	return s.RecordBallots(ctx, voteID, map[int64]Choice{councillorID: choice})
}

func recordBallot(ctx context.Context, tx pgx.Tx, voteID, councillorID int64, choice Choice) error {
	if choice != For && choice != Against && choice != Abstain {
		return ratusz.Invalid("choice", "err.council.choice")
	}
	state, sessionID, bodyID, err := lockVote(ctx, tx, voteID, "SHARE")
	if err != nil {
		return err
	}
	if state != "open" {
		return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_not_open")
	}
	var mode string
	var present, member bool
	if err := tx.QueryRow(ctx, `SELECT v.mode, coalesce(a.present, false), c.id IS NOT NULL FROM votes v
		LEFT JOIN councillors c ON c.id = $2 AND c.body_id = $3 AND c.active
		LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = c.id WHERE v.id = $1`, voteID, councillorID, bodyID).Scan(&mode, &present, &member); err != nil {
		return err
	}
	if mode != "roll_call" {
		return ratusz.Errorf(ratusz.ECONFLICT, "err.council.not_roll_call")
	}
	if !member {
		return ratusz.Invalid("councillor", "err.council.councillor_not_found")
	}
	if !present {
		return &ratusz.Error{Code: ratusz.ECONFLICT, Field: "councillor", Message: "err.council.absent"}
	}
	return storeBallot(ctx, tx, voteID, sessionID, councillorID, choice)
}

func scanBallot(r pgx.CollectableRow) (Ballot, error) {
	var b Ballot
	err := r.Scan(&b.CouncillorID, &b.Councillor, &b.Club, &b.Choice, &b.Gender)
	return b, err
}

// NotVoted lists the members present who have not voted yet in an open
// vote, for the chair's console only: before the close nobody else learns
// who has voted.
func (s *Service) NotVoted(ctx context.Context, voteID int64) ([]*Councillor, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT c.id, c.body_id, c.name, c.club, c.email, c.function, c.active, c.gender FROM votes v
		JOIN attendance a ON a.session_id = v.session_id AND a.present
		JOIN councillors c ON c.id = a.councillor_id
		WHERE v.id = $1 AND NOT EXISTS (SELECT 1 FROM ballots b WHERE b.vote_id = v.id AND b.councillor_id = c.id)
		ORDER BY c.sort_name, c.id`, voteID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Councillor])
}
