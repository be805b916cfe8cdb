package council

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Choice is a councillor's vote.
type Choice string

const (
	For     Choice = "for"     // za
	Against Choice = "against" // przeciw
	Abstain Choice = "abstain" // wstrzymuję się
)

// Ballot is one councillor's choice in a vote's named list; Choice is
// "not_voting" or "absent" for those who cast none.
type Ballot struct {
	CouncillorID int64  `json:"councillor_id"`
	Councillor   string `json:"councillor"`
	Club         string `json:"club"`
	Choice       string `json:"choice"`
}

// supersededBy is, for a vote v, the closed re-vote whose result replaced
// its result, or NULL.
const supersededBy = `(SELECT max(x.id) FROM votes x WHERE x.repeats_id = v.id AND x.state = 'closed')`

// Vote is a vote on an agenda item.
type Vote struct {
	ID            int64       `json:"id"`
	SessionID     int64       `json:"session"`
	SessionDate   time.Time   `json:"session_date"`
	AgendaItemID  int64       `json:"agenda_item"`
	Subject       string      `json:"subject"`
	Majority      Majority    `json:"majority"`
	Mode          string      `json:"mode"`
	State         string      `json:"state"`
	RepeatsID     *int64      `json:"repeats,omitempty"`
	SupersededBy  *int64      `json:"superseded_by,omitempty"` // the closed re-vote that replaced this result
	CancelReason  string      `json:"cancel_reason,omitempty"` // why the chair cancelled it (state "cancelled")
	OpenedAt      *time.Time  `json:"opened_at,omitempty"`
	ClosedAt      *time.Time  `json:"closed_at,omitempty"`
	Counts        *Counts     `json:"counts,omitempty"`
	Outcome       *string     `json:"outcome,omitempty"`
	Ballots       []Ballot    `json:"ballots,omitempty"`
	PublicationID *int64      `json:"-"`
	StatutorySize int         `json:"statutory_size"`
	BallotsCast   int         `json:"ballots_cast"`
	Resolution    *Resolution `json:"resolution,omitempty"`
}

// DraftResolution is the resolution a vote adopts, if it does.
type DraftResolution struct {
	Title string `json:"title"` // "w sprawie …"
	Text  string `json:"text"`  // Markdown
}

// CreateVote prepares a vote on an agenda item.
func (s *Service) CreateVote(ctx context.Context, agendaItemID int64, subject string, majority Majority) (*Vote, error) {
	return s.PrepareVote(ctx, VoteInput{AgendaItem: agendaItemID, Subject: subject, Majority: majority})
}

// CreateResolutionVote prepares a vote that, if adopted, adopts the draft
// resolution.
func (s *Service) CreateResolutionVote(ctx context.Context, agendaItemID int64, subject string, majority Majority, res *DraftResolution) (*Vote, error) {
	return s.PrepareVote(ctx, VoteInput{AgendaItem: agendaItemID, Subject: subject, Majority: majority, Resolution: res})
}

// VoteInput is a vote being prepared.
type VoteInput struct {
	AgendaItem int64            `json:"agenda_item"`
	Subject    string           `json:"subject"`
	Majority   Majority         `json:"majority"`
	Mode       string           `json:"mode"`    // electronic (default), roll_call, secret
	Repeats    int64            `json:"repeats"` // reasumpcja: the closed vote this one repeats
	Resolution *DraftResolution `json:"resolution"`
}

// Vote modes: on the councillors' devices; by roll call, recorded by the
// office when the devices fail; secret, with only the tellers' totals.
var voteModes = map[string]bool{"electronic": true, "roll_call": true, "secret": true}

// PrepareVote prepares a vote on an agenda item.
func (s *Service) PrepareVote(ctx context.Context, in VoteInput) (*Vote, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	subject, err := text("subject", in.Subject, 1000)
	if err != nil {
		return nil, err
	}
	if !in.Majority.Valid() {
		return nil, ratusz.Invalid("majority", "err.council.majority")
	}
	if in.Mode == "" {
		in.Mode = "electronic"
	}
	if !voteModes[in.Mode] {
		return nil, ratusz.Invalid("mode", "err.council.mode")
	}
	var resTitle, resText string
	if res := in.Resolution; res != nil && (strings.TrimSpace(res.Title) != "" || strings.TrimSpace(res.Text) != "") {
		if resTitle, err = text("resolution.title", res.Title, 500); err != nil {
			return nil, err
		}
		if resText, err = text("resolution.text", res.Text, bip.MaxBody/2); err != nil {
			return nil, err
		}
	}
	var sessionID int64
	err = s.pool.QueryRow(ctx, "SELECT session_id FROM agenda_items WHERE id = $1 AND removed_by_vote_id IS NULL", in.AgendaItem).Scan(&sessionID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Invalid("agenda_item", "err.council.item_not_found")
	} else if err != nil {
		return nil, err
	}
	var repeats *int64
	var change *AgendaChange
	if in.Repeats != 0 {
		// A re-vote (reasumpcja) repeats a closed vote of the same session,
		// the latest on the matter: a result already replaced is not.
		var ok, superseded bool
		var origTitle, origText string
		err := s.pool.QueryRow(ctx, `SELECT true, `+supersededBy+` IS NOT NULL,
				v.resolution_title, v.resolution_text, v.agenda_change
			FROM votes v WHERE v.id = $1 AND v.session_id = $2 AND v.state = 'closed'`, in.Repeats, sessionID).
			Scan(&ok, &superseded, &origTitle, &origText, &change)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		if !ok {
			return nil, ratusz.Invalid("repeats", "err.council.repeats")
		}
		if superseded {
			return nil, ratusz.Invalid("repeats", "err.council.repeats_superseded")
		}
		if why, err := revoteBlocked(ctx, s.pool, in.Repeats); err != nil {
			return nil, err
		} else if why != "" {
			return nil, ratusz.Invalid("repeats", why)
		}
		repeats = &in.Repeats
		// It decides the same matter: the same draft resolution unless a
		// corrected one is given, the same agenda change under its
		// statutory majority.
		if resTitle == "" {
			resTitle, resText = origTitle, origText
		}
		if change != nil {
			in.Majority = AbsoluteStatutory
		}
	}
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO votes (session_id, agenda_item_id, subject, majority, mode, repeats_id, resolution_title, resolution_text, agenda_change)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, sessionID, in.AgendaItem, subject, string(in.Majority), in.Mode, repeats, resTitle, resText, change).Scan(&id)
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
}

// lockVote reads a vote's state and body for update (closing, opening) or
// share (a ballot), so a ballot and the close cannot cross.
func lockVote(ctx context.Context, tx pgx.Tx, id int64, mode string) (state string, sessionID, bodyID int64, err error) {
	err = tx.QueryRow(ctx, `SELECT v.state, v.session_id, s.body_id FROM votes v JOIN council_sessions s ON s.id = v.session_id
		WHERE v.id = $1 FOR `+mode+` OF v`, id).Scan(&state, &sessionID, &bodyID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ratusz.Errorf(ratusz.ENOTFOUND, "err.council.vote_not_found")
	}
	return
}

// OpenVote opens a vote; it refuses without a quorum or while another vote
// of the session is open.
func (s *Service) OpenVote(ctx context.Context, id int64) (*Vote, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		state, sessionID, _, err := lockVote(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if state != "draft" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_not_draft")
		}
		var removed bool
		if err := tx.QueryRow(ctx, "SELECT a.removed_by_vote_id IS NOT NULL FROM votes v JOIN agenda_items a ON a.id = v.agenda_item_id WHERE v.id = $1", id).Scan(&removed); err != nil {
			return err
		}
		if removed {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.item_removed")
		}
		// A re-vote prepared alongside another of the same result: once one
		// has replaced it, the other has nothing left to repeat. The
		// repeated vote is locked first, so a re-vote closing meanwhile is
		// seen.
		var repeats *int64
		if err := tx.QueryRow(ctx, "SELECT repeats_id FROM votes WHERE id = $1", id).Scan(&repeats); err != nil {
			return err
		}
		if repeats != nil {
			var superseded bool
			if _, err := tx.Exec(ctx, "SELECT 1 FROM votes WHERE id = $1 FOR SHARE", *repeats); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "SELECT "+supersededBy+" IS NOT NULL FROM votes v WHERE v.id = $1", *repeats).Scan(&superseded); err != nil {
				return err
			}
			if superseded {
				return ratusz.Errorf(ratusz.ECONFLICT, "err.council.repeats_superseded")
			}
			if why, err := revoteBlocked(ctx, tx, *repeats); err != nil {
				return err
			} else if why != "" {
				return ratusz.Errorf(ratusz.ECONFLICT, why)
			}
		}
		var present, seats int
		var sessState string
		if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM attendance WHERE session_id = $1 AND present),
			b.statutory_size, s.state FROM council_sessions s JOIN council_bodies b ON b.id = s.body_id WHERE s.id = $1`,
			sessionID).Scan(&present, &seats, &sessState); err != nil {
			return err
		}
		if sessState == "closed" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
		}
		if !Quorum(present, seats) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.no_quorum", present, seats, (seats+1)/2)
		}
		_, err = tx.Exec(ctx, `UPDATE votes SET state = 'open', opened_at = now(), statutory_size = $2 WHERE id = $1`, id, seats)
		if pg.IsConstraint(err, "votes_one_open_key") {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.another_open")
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE council_sessions SET state = 'in_progress' WHERE id = $1 AND state = 'planned'`, sessionID); err != nil {
			return err
		}
		v, err := loadVote(ctx, tx, id, false)
		if err != nil {
			return err
		}
		return outbox.Write(ctx, tx, "vote.opened", sessionTopic(sessionID), v)
	})
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
}

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
	var cast int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM ballots WHERE vote_id = $1", voteID).Scan(&cast); err != nil {
		return err
	}
	return outbox.WriteLive(ctx, tx, EventVoteProgress, sessionTopic(sessionID), map[string]any{"vote": voteID, "ballots_cast": cast})
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

// CloseSecretVote closes a secret vote with the totals of the tellers'
// protocol (komisja skrutacyjna): how many voted for, against and
// abstained. Those present who are not counted did not vote.
func (s *Service) CloseSecretVote(ctx context.Context, id int64, c Counts) (*Vote, error) {
	return s.closeVote(ctx, id, &c)
}

// CloseVote closes a vote: it counts the ballots, decides the outcome under
// the vote's majority rule and publishes the named list in BIP, all in one
// transaction, so a result exists if and only if its publication does.
func (s *Service) CloseVote(ctx context.Context, id int64) (*Vote, error) {
	return s.closeVote(ctx, id, nil)
}

func (s *Service) closeVote(ctx context.Context, id int64, secret *Counts) (*Vote, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		state, sessionID, bodyID, err := lockVote(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if state != "open" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_not_open")
		}
		v, err := loadVote(ctx, tx, id, true)
		if err != nil {
			return err
		}
		var orig *Vote
		if v.RepeatsID != nil {
			if orig, err = lockRepeated(ctx, tx, *v.RepeatsID); err != nil {
				return err
			}
		}
		var c Counts
		switch {
		case v.Mode == "secret" && secret == nil:
			return &ratusz.Error{Code: ratusz.EINVALID, Field: "counts", Message: "err.council.secret_needs_counts"}
		case v.Mode != "secret" && secret != nil:
			return &ratusz.Error{Code: ratusz.EINVALID, Field: "counts", Message: "err.council.counts_only_secret"}
		case v.Mode == "secret":
			var present, members int
			if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM attendance a JOIN councillors c ON c.id = a.councillor_id AND c.active
					WHERE a.session_id = $1 AND a.present), (SELECT count(*) FROM councillors WHERE body_id = $2 AND active)`,
				v.SessionID, bodyID).Scan(&present, &members); err != nil {
				return err
			}
			if secret.For < 0 || secret.Against < 0 || secret.Abstain < 0 {
				return ratusz.Invalid("counts", "err.council.counts_negative")
			}
			if sum := secret.For + secret.Against + secret.Abstain; sum > present {
				return ratusz.Invalid("counts", "err.council.counts_exceed", sum, present)
			}
			c = Counts{For: secret.For, Against: secret.Against, Abstain: secret.Abstain,
				NotVoting: present - secret.For - secret.Against - secret.Abstain, Absent: members - present}
		default:
			c = tally(v.Ballots)
		}
		outcome := "rejected"
		if v.Majority.Adopted(c, v.StatutorySize) {
			outcome = "adopted"
		}
		if _, err := tx.Exec(ctx, `UPDATE votes SET state = 'closed', closed_at = now(), outcome = $2,
			count_for = $3, count_against = $4, count_abstain = $5, count_not_voting = $6, count_absent = $7 WHERE id = $1`,
			id, outcome, c.For, c.Against, c.Abstain, c.NotVoting, c.Absent); err != nil {
			return err
		}
		if v.Mode != "secret" {
			if err := keepNamedList(ctx, tx, v); err != nil {
				return err
			}
		}
		if v, err = loadVote(ctx, tx, id, true); err != nil {
			return err
		}
		pub, err := publishVote(ctx, tx, v)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE votes SET publication_id = $2 WHERE id = $1", id, pub.ID); err != nil {
			return err
		}
		v.PublicationID = &pub.ID
		if orig != nil {
			if err := replaceResult(ctx, tx, v, orig); err != nil {
				return err
			}
		} else if outcome == "adopted" {
			if err := adoptResolution(ctx, tx, v); err != nil {
				return err
			}
			if err := applyAgendaChange(ctx, tx, v); err != nil {
				return err
			}
		}
		return outbox.Write(ctx, tx, "vote.closed", sessionTopic(sessionID), v)
	})
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
}

// CancelVote cancels (unieważnia) a prepared or open vote, with the
// reason, for instance when the voting devices fail mid-vote. Ballots
// already cast stay on record but count for nothing; the vote has no
// result and publishes nothing, and another vote can be opened.
func (s *Service) CancelVote(ctx context.Context, id int64, reason string) (*Vote, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	reason, err := text("reason", reason, 500)
	if err != nil {
		return nil, err
	}
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		state, sessionID, _, err := lockVote(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if state != "draft" && state != "open" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_not_cancellable")
		}
		// A closed session's record does not change.
		var sessState string
		if err := tx.QueryRow(ctx, "SELECT state FROM council_sessions WHERE id = $1", sessionID).Scan(&sessState); err != nil {
			return err
		}
		if sessState == "closed" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
		}
		if _, err := tx.Exec(ctx, `UPDATE votes SET state = 'cancelled', closed_at = now(), cancel_reason = $2 WHERE id = $1`, id, reason); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, "vote.cancelled", sessionTopic(sessionID), map[string]any{"vote": id, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
}

// lockRepeated locks the vote a closing re-vote repeats, which must still
// stand: two re-votes of one result cannot both replace it.
func lockRepeated(ctx context.Context, tx pgx.Tx, id int64) (*Vote, error) {
	var superseded bool
	if err := tx.QueryRow(ctx, `SELECT `+supersededBy+` IS NOT NULL FROM votes v WHERE v.id = $1 FOR UPDATE`, id).Scan(&superseded); err != nil {
		return nil, err
	}
	if superseded {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.repeats_superseded")
	}
	return loadVote(ctx, tx, id, false)
}

// replaceResult gives a closing re-vote (reasumpcja) its effect: its
// result replaces the repeated vote's. Adopted again, the resolution keeps
// its number and moves to the re-vote (with the re-vote's text, if it
// brought a corrected one), and an agenda change already made stands;
// adopted only now, they take effect as after any vote. Rejected now, a
// resolution adopted before is not adopted after all (its BIP publication
// is withdrawn, saying so) and an agenda change is undone. The repeated
// vote's named list in BIP says its result was replaced.
func replaceResult(ctx context.Context, tx pgx.Tx, v, orig *Vote) error {
	// What the repeated vote says changes (OParl's modified_since sees it).
	if _, err := tx.Exec(ctx, "UPDATE votes SET modified_at = now() WHERE id = $1", orig.ID); err != nil {
		return err
	}
	was := orig.Outcome != nil && *orig.Outcome == "adopted"
	now := *v.Outcome == "adopted"
	c := v.Counts
	when := fmt.Sprintf("głosowanie nr %d z dnia %s: za %d, przeciw %d, wstrzymało się %d", v.ID, v.ClosedAt.In(warsaw).Format("2006-01-02"), c.For, c.Against, c.Abstain)
	if orig.PublicationID != nil {
		if err := appendNote(ctx, tx, *orig.PublicationID, "\n\nWynik tego głosowania zastąpiła reasumpcja ("+when+").", "Reasumpcja głosowania"); err != nil {
			return err
		}
	}
	switch {
	case now && (!was || orig.Resolution == nil):
		if err := adoptResolution(ctx, tx, v); err != nil {
			return err
		}
		if was {
			return confirmAgendaChange(ctx, tx, v, orig)
		}
		return applyAgendaChange(ctx, tx, v)
	case now && was:
		r := orig.Resolution
		if _, err := tx.Exec(ctx, "UPDATE resolutions SET vote_id = $2 WHERE vote_id = $1", orig.ID, v.ID); err != nil {
			return err
		}
		v.Resolution = r
		if err := confirmResolution(ctx, tx, v, orig, "\n\nPodjęcie uchwały potwierdzono w reasumpcji głosowania nr "+itoa(orig.ID)+" ("+when+")."); err != nil {
			return err
		}
		return confirmAgendaChange(ctx, tx, v, orig)
	case !now && was:
		if r := orig.Resolution; r != nil {
			if _, err := tx.Exec(ctx, "UPDATE resolutions SET voided_by_vote_id = $2 WHERE vote_id = $1", orig.ID, v.ID); err != nil {
				return err
			}
			if r.PublicationID != 0 {
				_, err := bip.Withdraw(ctx, tx, r.PublicationID, "Uchwała nie została podjęta: w reasumpcji głosowania nr "+itoa(orig.ID)+" wniosek odrzucono ("+when+").")
				if err != nil && ratusz.ErrorCode(err) != ratusz.ECONFLICT { // withdrawn already: nothing to add
					return err
				}
			}
		}
		return undoAgendaChange(ctx, tx, v, orig)
	}
	return nil
}

// confirmResolution notes a confirming re-vote on the resolution's BIP
// publication; a re-vote that brought a corrected draft gives the
// resolution its title and text.
func confirmResolution(ctx context.Context, tx pgx.Tx, v, orig *Vote, note string) error {
	r := v.Resolution
	var oldTitle, oldText, newTitle, newText, bodyName string
	var session int
	if err := tx.QueryRow(ctx, `SELECT o.resolution_title, o.resolution_text, n.resolution_title, n.resolution_text, b.name, s.number
		FROM votes o, votes n JOIN council_sessions s ON s.id = n.session_id JOIN council_bodies b ON b.id = s.body_id
		WHERE o.id = $1 AND n.id = $2`, orig.ID, v.ID).Scan(&oldTitle, &oldText, &newTitle, &newText, &bodyName, &session); err != nil {
		return err
	}
	if newTitle == "" || (newTitle == oldTitle && newText == oldText) {
		if r.PublicationID == 0 {
			return nil
		}
		return appendNote(ctx, tx, r.PublicationID, note, "Reasumpcja głosowania")
	}
	if _, err := tx.Exec(ctx, "UPDATE resolutions SET title = $2 WHERE vote_id = $1", v.ID, newTitle); err != nil {
		return err
	}
	r.Title = newTitle
	if r.PublicationID == 0 {
		return nil
	}
	cur, err := bip.LoadCurrent(ctx, tx, r.PublicationID)
	if err != nil || cur.Withdrawn {
		return err
	}
	d := cur.Draft()
	d.Title, d.Body, d.ProducedAt = resolutionHeading(r.Number, bodyName, *v.ClosedAt, newTitle), newText+resolutionFooter(v, session)+note, *v.ClosedAt
	_, err = bip.Revise(ctx, tx, r.PublicationID, d, "Reasumpcja głosowania: treść uchwały w brzmieniu przyjętym w reasumpcji")
	return err
}

// appendNote adds a note to a BIP publication as a new version; a
// withdrawn publication is left as it is.
func appendNote(ctx context.Context, tx pgx.Tx, pubID int64, note, reason string) error {
	cur, err := bip.LoadCurrent(ctx, tx, pubID)
	if err != nil || cur.Withdrawn {
		return err
	}
	d := cur.Draft()
	d.Body += note
	_, err = bip.Revise(ctx, tx, pubID, d, reason)
	return err
}

// keepNamedList stores a closing vote's named list as it stands: an entry
// for every member (not voting and absent included) with their club now,
// so the list of record does not change when mandates end or clubs change.
func keepNamedList(ctx context.Context, tx pgx.Tx, v *Vote) error {
	for _, b := range v.Ballots {
		if _, err := tx.Exec(ctx, `INSERT INTO ballots (vote_id, councillor_id, choice, club) VALUES ($1, $2, $3, $4)
			ON CONFLICT (vote_id, councillor_id) DO UPDATE SET club = EXCLUDED.club`, v.ID, b.CouncillorID, b.Choice, b.Club); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, "UPDATE votes SET recorded_list = true WHERE id = $1", v.ID)
	return err
}

// tally counts a named list.
func tally(ballots []Ballot) Counts {
	var c Counts
	for _, b := range ballots {
		switch b.Choice {
		case "for":
			c.For++
		case "against":
			c.Against++
		case "abstain":
			c.Abstain++
		case "not_voting":
			c.NotVoting++
		case "absent":
			c.Absent++
		}
	}
	return c
}

// Vote returns a vote with its named list: while it is open, only who is
// present (how they vote stays unknown until the close).
func (s *Service) Vote(ctx context.Context, id int64) (*Vote, error) {
	return loadVote(ctx, s.pool, id, false)
}

func loadVote(ctx context.Context, q pg.Querier, id int64, withOpenBallots bool) (*Vote, error) {
	v := &Vote{}
	var cFor, cAgainst, cAbstain, cNot, cAbsent *int
	var seats *int
	err := q.QueryRow(ctx, `SELECT v.id, v.session_id, s.starts_at, v.agenda_item_id, v.subject, v.majority, v.mode, v.state, v.repeats_id,
			v.opened_at, v.closed_at, v.count_for, v.count_against, v.count_abstain, v.count_not_voting, v.count_absent,
			v.outcome, v.publication_id, coalesce(v.statutory_size, b.statutory_size),
			(SELECT count(*) FROM ballots WHERE vote_id = v.id),
			`+supersededBy+`, v.cancel_reason
		FROM votes v JOIN council_sessions s ON s.id = v.session_id JOIN council_bodies b ON b.id = s.body_id WHERE v.id = $1`, id).
		Scan(&v.ID, &v.SessionID, &v.SessionDate, &v.AgendaItemID, &v.Subject, &v.Majority, &v.Mode, &v.State, &v.RepeatsID,
			&v.OpenedAt, &v.ClosedAt, &cFor, &cAgainst, &cAbstain, &cNot, &cAbsent, &v.Outcome, &v.PublicationID, &seats, &v.BallotsCast, &v.SupersededBy, &v.CancelReason)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.vote_not_found")
	} else if err != nil {
		return nil, err
	}
	if seats != nil {
		v.StatutorySize = *seats
	}
	var r Resolution
	if err := q.QueryRow(ctx, "SELECT number, title, coalesce(publication_id, 0), voided_by_vote_id FROM resolutions WHERE vote_id = $1", id).Scan(&r.Number, &r.Title, &r.PublicationID, &r.VoidedBy); err == nil {
		v.Resolution = &r
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	if cFor != nil {
		v.Counts = &Counts{For: *cFor, Against: *cAgainst, Abstain: *cAbstain, NotVoting: *cNot, Absent: *cAbsent}
	}
	var recorded bool
	if err := q.QueryRow(ctx, "SELECT recorded_list FROM votes WHERE id = $1", id).Scan(&recorded); err != nil {
		return nil, err
	}
	if recorded {
		rows, _ := q.Query(ctx, `SELECT c.id, c.name, coalesce(b.club, c.club), b.choice FROM ballots b JOIN councillors c ON c.id = b.councillor_id
			WHERE b.vote_id = $1 ORDER BY c.sort_name, c.id`, id)
		v.Ballots, err = pgx.CollectRows(rows, scanBallot)
		return v, err
	}
	if v.Mode == "secret" {
		return v, nil // a secret vote has totals only
	}
	if v.State == "closed" || withOpenBallots {
		rows, _ := q.Query(ctx, `SELECT c.id, c.name, c.club,
				CASE WHEN b.choice IS NOT NULL THEN b.choice WHEN coalesce(a.present, false) THEN 'not_voting' ELSE 'absent' END
			FROM votes v JOIN council_sessions s ON s.id = v.session_id
			JOIN councillors c ON c.body_id = s.body_id AND c.active
			LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = c.id
			LEFT JOIN ballots b ON b.vote_id = v.id AND b.councillor_id = c.id
			WHERE v.id = $1 ORDER BY c.sort_name, c.id`, id)
		v.Ballots, err = pgx.CollectRows(rows, scanBallot)
	}
	return v, err
}

func scanBallot(r pgx.CollectableRow) (Ballot, error) {
	var b Ballot
	err := r.Scan(&b.CouncillorID, &b.Councillor, &b.Club, &b.Choice)
	return b, err
}

// VoteFilter pages through closed votes, newest first.
type VoteFilter struct {
	Before int64 // a vote id: return votes closed before it (cursor)
	Limit  int
}

// Votes returns closed votes with their named lists.
func (s *Service) Votes(ctx context.Context, f VoteFilter) ([]*Vote, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	rows, _ := s.pool.Query(ctx, `SELECT id FROM votes WHERE state = 'closed' AND ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2`, f.Before, f.Limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	out := make([]*Vote, 0, len(ids))
	for _, id := range ids {
		v, err := s.Vote(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

var choiceWords = map[string]string{"for": "za", "against": "przeciw", "abstain": "wstrzymał(a) się", "not_voting": "nie głosował(a)", "absent": "nieobecny(a)"}

var majorityWords = map[Majority]string{
	Simple: "zwykła większość głosów", Absolute: "bezwzględna większość głosów",
	AbsoluteStatutory: "bezwzględna większość ustawowego składu rady",
	Qualified35:       "większość 3/5 ustawowego składu rady", Qualified23: "większość 2/3 ustawowego składu rady",
}

func cell(s string) string { return bip.PlainText(s) }

// publishVote publishes the named list (imienny wykaz głosowania) in BIP.
func publishVote(ctx context.Context, tx pgx.Tx, v *Vote) (*bip.Publication, error) {
	var body, item, chair string
	var number int
	if err := tx.QueryRow(ctx, `SELECT b.name, s.number, a.label || '. ' || a.title,
			coalesce((SELECT 'Przewodniczący obrad: ' || c.name FROM councillors c WHERE c.body_id = b.id AND c.function = 'chair' AND c.active LIMIT 1), 'Przewodniczący obrad')
		FROM votes v JOIN council_sessions s ON s.id = v.session_id JOIN council_bodies b ON b.id = s.body_id
		JOIN agenda_items a ON a.id = v.agenda_item_id WHERE v.id = $1`, v.ID).Scan(&body, &number, &item, &chair); err != nil {
		return nil, err
	}
	outcome := "odrzucono"
	if v.Outcome != nil && *v.Outcome == "adopted" {
		outcome = "przyjęto"
	}
	c := v.Counts
	var md strings.Builder
	fmt.Fprintf(&md, "Sesja %s %s z dnia %s, punkt porządku obrad: %s\n\n", Roman(number), cell(body), v.SessionDate.In(warsaw).Format("2006-01-02"), cell(item))
	fmt.Fprintf(&md, "- Przedmiot głosowania: %s\n- Wymagana większość: %s (ustawowy skład: %d)\n- Wynik: **%s**\n- Głosowanie: %s\n\n",
		cell(v.Subject), majorityWords[v.Majority], v.StatutorySize, outcome, map[string]string{"electronic": "jawne, imienne, za pomocą urządzeń", "roll_call": "jawne, imienne, przez wyczytanie", "secret": "tajne"}[v.Mode])
	fmt.Fprintf(&md, "| za | przeciw | wstrzymało się | nie głosowało | nieobecni |\n|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d |\n\n",
		c.For, c.Against, c.Abstain, c.NotVoting, c.Absent)
	if v.Mode != "secret" {
		md.WriteString("## Imienny wykaz głosowania\n\n| radny | klub | głos |\n|---|---|---|\n")
		for _, b := range v.Ballots {
			fmt.Fprintf(&md, "| %s | %s | %s |\n", cell(b.Councillor), cell(b.Club), choiceWords[b.Choice])
		}
	}
	title := fmt.Sprintf("Imienny wykaz głosowania — sesja %s, %s", Roman(number), v.Subject)
	if utf8.RuneCountInString(title) > bip.MaxTitle {
		title = string([]rune(title)[:bip.MaxTitle])
	}
	return bip.Publish(ctx, tx, bip.Draft{
		Category: "glosowania", Title: title, Body: md.String(),
		ProducedBy: body, Responsible: chair, ProducedAt: *v.ClosedAt,
		Source: "council.vote:" + itoa(v.ID),
	})
}

// adoptResolution numbers the vote's draft resolution, if it has one, and
// publishes it in BIP (Uchwały), in the closing transaction.
func adoptResolution(ctx context.Context, tx pgx.Tx, v *Vote) error {
	var title, body, name string
	var bodyID int64
	var number int
	if err := tx.QueryRow(ctx, `SELECT v.resolution_title, v.resolution_text, s.body_id, s.number, b.name
		FROM votes v JOIN council_sessions s ON s.id = v.session_id JOIN council_bodies b ON b.id = s.body_id WHERE v.id = $1`, v.ID).
		Scan(&title, &body, &bodyID, &number, &name); err != nil {
		return err
	}
	if title == "" {
		return nil
	}
	// Numbers run on through the body's term: one at a time.
	if _, err := tx.Exec(ctx, "SELECT id FROM council_bodies WHERE id = $1 FOR UPDATE", bodyID); err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) + 1 FROM resolutions WHERE body_id = $1", bodyID).Scan(&seq); err != nil {
		return err
	}
	num := fmt.Sprintf("%s/%d/%d", Roman(number), seq, v.SessionDate.In(warsaw).Year())
	pub, err := bip.Publish(ctx, tx, bip.Draft{Category: "uchwaly", Title: resolutionHeading(num, name, *v.ClosedAt, title),
		Body:       body + resolutionFooter(v, number),
		ProducedBy: name, Responsible: "Przewodniczący obrad", ProducedAt: *v.ClosedAt, Source: "council.resolution:" + itoa(v.ID)})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO resolutions (body_id, session_id, vote_id, seq, number, title, publication_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		bodyID, v.SessionID, v.ID, seq, num, title, pub.ID)
	if err == nil {
		v.Resolution = &Resolution{Number: num, Title: title, PublicationID: pub.ID}
	}
	return err
}

// resolutionHeading is a resolution's title in BIP: "Uchwała nr XII/2/2026
// Rady Gminy … z dnia 2026-12-10 w sprawie …".
func resolutionHeading(number, bodyName string, adopted time.Time, title string) string {
	full := fmt.Sprintf("Uchwała nr %s %s z dnia %s %s", number, genitive(bodyName), adopted.In(warsaw).Format("2006-01-02"), title)
	if utf8.RuneCountInString(full) > bip.MaxTitle {
		full = string([]rune(full)[:bip.MaxTitle])
	}
	return full
}

// resolutionFooter says which vote adopted a resolution, with its result.
func resolutionFooter(v *Vote, session int) string {
	return fmt.Sprintf("\n\n---\n\nPodjęta w głosowaniu nr %d na sesji %s (wynik: za %d, przeciw %d, wstrzymało się %d).",
		v.ID, Roman(session), v.Counts.For, v.Counts.Against, v.Counts.Abstain)
}

// genitive is the body's name as it follows "Uchwała nr …" ("Rada Gminy"
// becomes "Rady Gminy"); names it does not know stay as they are.
func genitive(name string) string {
	for from, to := range map[string]string{"Rada ": "Rady ", "Komisja ": "Komisji "} {
		if rest, ok := strings.CutPrefix(name, from); ok {
			return to + rest
		}
	}
	return name
}

// Resolution is an adopted resolution.
type Resolution struct {
	Number        string `json:"number"`
	Title         string `json:"title"`
	PublicationID int64  `json:"-"`
	VoidedBy      *int64 `json:"voided_by,omitempty"` // the re-vote that rejected it: not adopted after all
}

var warsaw = bip.Warsaw
