package council

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

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
	Gender       string `json:"-"` // the councillor's, for the page's grammar
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
	subject, err := ratusz.Text("subject", in.Subject, 1000, false)
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
		if resTitle, err = ratusz.Text("resolution.title", res.Title, 500, false); err != nil {
			return nil, err
		}
		if resText, err = ratusz.Text("resolution.text", res.Text, bip.MaxBody/2, false); err != nil {
			return nil, err
		}
	}
	var sessionID int64
	var sessionState string
	err = s.pool.QueryRow(ctx, "SELECT a.session_id, s.state FROM agenda_items a JOIN council_sessions s ON s.id = a.session_id WHERE a.id = $1 AND a.removed_by_vote_id IS NULL", in.AgendaItem).Scan(&sessionID, &sessionState)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Invalid("agenda_item", "err.council.item_not_found")
	} else if err != nil {
		return nil, err
	}
	if sessionState == "closed" { // and OpenVote checks again, under the lock
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
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
		sess, err := lockSession(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if sess.State == "closed" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
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
		// The debate ends when the vote begins.
		if err := endSpeaking(ctx, tx, sessionID); err != nil {
			return err
		}
		if err := addTimeline(ctx, tx, sessionID, "vote_opened", &v.AgendaItemID, &v.ID, v.Subject); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventVoteOpened, sessionTopic(sessionID), v)
	})
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
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
		if err := addTimeline(ctx, tx, sessionID, "vote_closed", &v.AgendaItemID, &v.ID, v.Subject); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventVoteClosed, sessionTopic(sessionID), v)
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
	reason, err := ratusz.Text("reason", reason, 500, false)
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
		var item int64
		var subject string
		if err := tx.QueryRow(ctx, `UPDATE votes SET state = 'cancelled', closed_at = now(), cancel_reason = $2 WHERE id = $1 RETURNING agenda_item_id, subject`, id, reason).Scan(&item, &subject); err != nil {
			return err
		}
		if err := addTimeline(ctx, tx, sessionID, "vote_cancelled", &item, &id, subject); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventVoteCancelled, sessionTopic(sessionID), map[string]any{"vote": id, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
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
		rows, _ := q.Query(ctx, `SELECT c.id, c.name, coalesce(b.club, c.club), b.choice, c.gender FROM ballots b JOIN councillors c ON c.id = b.councillor_id
			WHERE b.vote_id = $1 ORDER BY c.sort_name, c.id`, id)
		v.Ballots, err = pgx.CollectRows(rows, scanBallot)
		return v, err
	}
	if v.Mode == "secret" {
		return v, nil // a secret vote has totals only
	}
	if v.State == "closed" || withOpenBallots {
		rows, _ := q.Query(ctx, `SELECT c.id, c.name, c.club,
				CASE WHEN b.choice IS NOT NULL THEN b.choice WHEN coalesce(a.present, false) THEN 'not_voting' ELSE 'absent' END, c.gender
			FROM votes v JOIN council_sessions s ON s.id = v.session_id
			JOIN councillors c ON c.body_id = s.body_id AND c.active
			LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = c.id
			LEFT JOIN ballots b ON b.vote_id = v.id AND b.councillor_id = c.id
			WHERE v.id = $1 ORDER BY c.sort_name, c.id`, id)
		v.Ballots, err = pgx.CollectRows(rows, scanBallot)
	}
	return v, err
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

var warsaw = bip.Warsaw
