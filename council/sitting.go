package council

// The sitting as it runs: the speakers list (lista mówców) with its time
// limits, breaks, attendance in one go, and the timeline every action
// writes in its own transaction.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Kinds of speech. A formal motion (wniosek formalny) goes before every
// other request, ad vocem (a reply to the speaker) before those on the item.
const (
	SpeechItem    = "item"
	SpeechAdVocem = "ad_vocem"
	SpeechFormal  = "formal"
)

// SpeechKinds lists the kinds in the order they are heard.
var SpeechKinds = []string{SpeechFormal, SpeechAdVocem, SpeechItem}

// Events of the sitting, on the session's topic.
const (
	EventSpeakersChanged = "speakers.changed" // the waiting list, in order
	EventSpeechStarted   = "speech.started"   // with its limit
	EventSpeechEnded     = "speech.ended"
	EventTimer           = "timer"         // the chair added time: the seconds left
	EventBreak           = "session.break" // a break began or ended
)

// Speech is a request to speak and, once the chair grants the floor, the
// speech itself.
type Speech struct {
	ID           int64      `json:"id" db:"id"`
	SessionID    int64      `json:"session" db:"session_id"`
	AgendaItemID *int64     `json:"agenda_item" db:"agenda_item_id"`
	Kind         string     `json:"kind" db:"kind"`
	CouncillorID *int64     `json:"councillor" db:"councillor_id"`
	Name         string     `json:"name" db:"name"`
	State        string     `json:"state" db:"state"` // waiting, speaking, done, withdrawn
	Position     int        `json:"-" db:"position"`
	LimitSeconds int        `json:"limit_seconds" db:"limit_seconds"`
	RequestedAt  time.Time  `json:"requested_at" db:"requested_at"`
	StartedAt    *time.Time `json:"started_at" db:"started_at"`
	EndedAt      *time.Time `json:"ended_at" db:"ended_at"`
}

// Ends is when the speaker's time runs out.
func (sp *Speech) Ends() time.Time {
	if sp.StartedAt == nil {
		return time.Time{}
	}
	return sp.StartedAt.Add(time.Duration(sp.LimitSeconds) * time.Second)
}

// Remaining is the whole seconds left at now (negative once over time).
func (sp *Speech) Remaining(now time.Time) int {
	if sp.StartedAt == nil {
		return sp.LimitSeconds
	}
	d := sp.Ends().Sub(now)
	if d < 0 {
		return -int((-d + time.Second - 1) / time.Second)
	}
	return int((d + time.Second - 1) / time.Second)
}

const speechColumns = "id, session_id, agenda_item_id, kind, councillor_id, name, state, position, limit_seconds, requested_at, started_at, ended_at"

// SpeechRequest asks for the floor. A councillor asks for themself (no
// councillor, no name); the chair and the office may add a councillor by
// id or anyone else by name.
type SpeechRequest struct {
	Kind       string `json:"kind"`
	Councillor *int64 `json:"councillor,omitempty"`
	Name       string `json:"name,omitempty"`
}

// Limits are a sitting's speaking times, in seconds, by kind.
type Limits struct {
	Item    int `json:"item"`
	AdVocem int `json:"ad_vocem"`
	Formal  int `json:"formal"`
}

// MinLimit and MaxLimit bound a speaking time, in seconds.
const (
	MinLimit = 10
	MaxLimit = 3600
)

func (l Limits) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"limit_item", l.Item}, {"limit_ad_vocem", l.AdVocem}, {"limit_formal", l.Formal}} {
		if f.v < MinLimit || f.v > MaxLimit {
			return ratusz.Invalid(f.name, "err.range", MinLimit, MaxLimit)
		}
	}
	return nil
}

func (l Limits) of(kind string) int {
	switch kind {
	case SpeechAdVocem:
		return l.AdVocem
	case SpeechFormal:
		return l.Formal
	}
	return l.Item
}

// lockRunning locks a session that is in progress (a request, the floor, a
// break): a planned one has not begun, a closed one has ended.
func lockRunning(ctx context.Context, tx pgx.Tx, id int64) (*Session, error) {
	sess, err := lockSession(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	switch sess.State {
	case "closed":
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
	case "planned":
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_not_started")
	}
	return sess, nil
}

// lockNotClosed locks a session that may still change: planned or in
// progress.
func lockNotClosed(ctx context.Context, tx pgx.Tx, id int64) (*Session, error) {
	sess, err := lockSession(ctx, tx, id)
	if err == nil && sess.State == "closed" {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
	}
	return sess, err
}

// lockSpeechIn locks a speech of a running session that is in the given
// state (waiting, speaking); in any other, the list changed meanwhile.
func lockSpeechIn(ctx context.Context, tx pgx.Tx, sessionID, speechID int64, state string) (*Speech, error) {
	if _, err := lockRunning(ctx, tx, sessionID); err != nil {
		return nil, err
	}
	sp, err := lockSpeech(ctx, tx, sessionID, speechID)
	if err == nil && sp.State != state {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.speech_state")
	}
	return sp, err
}

// RequestSpeech puts a request on the speakers list.
func (s *Service) RequestSpeech(ctx context.Context, sessionID int64, in SpeechRequest) (*Speech, error) {
	if err := ratusz.ActorFromContext(ctx).Require(); err != nil {
		return nil, err
	}
	if !slices.Contains(SpeechKinds, in.Kind) {
		return nil, ratusz.Invalid("kind", "err.council.speech_kind")
	}
	manager := MayManage(ctx) == nil
	var sp *Speech
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockRunning(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		councillor, name := in.Councillor, in.Name
		if !manager {
			own, err := councillorOf(ctx, tx, sess.BodyID)
			if err != nil {
				return err
			}
			if (councillor != nil && *councillor != own) || name != "" {
				return ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.only_self_speech")
			}
			councillor = &own
		}
		if councillor != nil {
			if err := tx.QueryRow(ctx, "SELECT name FROM councillors WHERE id = $1 AND body_id = $2 AND active", *councillor, sess.BodyID).Scan(&name); errors.Is(err, pgx.ErrNoRows) {
				return ratusz.Invalid("councillor", "err.council.councillor_not_found")
			} else if err != nil {
				return err
			}
		} else if name, err = ratusz.Text("name", name, 200, false); err != nil {
			return err
		}
		// Heard in the order of SpeechKinds, first come first heard within a
		// kind: the new request goes after the last waiting one of its kind
		// or of a kind heard before it.
		var pos int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(position) FILTER (WHERE array_position($2::text[], kind) <= array_position($2::text[], $3)), 0)
			FROM speeches WHERE session_id = $1 AND state = 'waiting'`, sessionID, SpeechKinds, in.Kind).Scan(&pos); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE speeches SET position = position + 1 WHERE session_id = $1 AND state = 'waiting' AND position > $2", sessionID, pos); err != nil {
			return err
		}
		a := ratusz.ActorFromContext(ctx)
		var by *int64
		if a.UserID > 0 {
			by = &a.UserID
		}
		rows, _ := tx.Query(ctx, `INSERT INTO speeches (session_id, agenda_item_id, kind, councillor_id, name, position, limit_seconds, requested_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+speechColumns,
			sessionID, sess.CurrentItemID, in.Kind, councillor, name, pos+1, sess.Limits().of(in.Kind), by)
		sp, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Speech])
		if pg.IsConstraint(err, "speeches_one_request_key") {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.speech_requested")
		}
		if err != nil {
			return err
		}
		return speakersChanged(ctx, tx, sessionID)
	})
	return sp, err
}

// speakersChanged tells viewers the list as it now stands.
func speakersChanged(ctx context.Context, tx pgx.Tx, sessionID int64) error {
	list, err := speakers(ctx, tx, sessionID)
	if err != nil {
		return err
	}
	return outbox.WriteLive(ctx, tx, EventSpeakersChanged, sessionTopic(sessionID), map[string]any{"speakers": list})
}

// lockSpeech locks a speech of the session.
func lockSpeech(ctx context.Context, tx pgx.Tx, sessionID, id int64) (*Speech, error) {
	rows, _ := tx.Query(ctx, "SELECT "+speechColumns+" FROM speeches WHERE id = $1 AND session_id = $2 FOR UPDATE", id, sessionID)
	sp, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Speech])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.speech_not_found")
	}
	return sp, err
}

// GrantFloor gives the floor to a waiting speaker; whoever was speaking
// ends. Only the chair and the office may.
func (s *Service) GrantFloor(ctx context.Context, sessionID, speechID int64) (*Speech, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	var sp *Speech
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if sp, err = lockSpeechIn(ctx, tx, sessionID, speechID, "waiting"); err != nil {
			return err
		}
		if err := endSpeaking(ctx, tx, sessionID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "UPDATE speeches SET state = 'speaking', started_at = clock_timestamp() WHERE id = $1 RETURNING "+speechColumns, speechID)
		if sp, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Speech]); err != nil {
			return err
		}
		if err := addTimeline(ctx, tx, sessionID, "speech_started", sp.AgendaItemID, &sp.ID, sp.Name); err != nil {
			return err
		}
		if err := outbox.WriteLive(ctx, tx, EventSpeechStarted, sessionTopic(sessionID), speechEvent(sp)); err != nil {
			return err
		}
		return speakersChanged(ctx, tx, sessionID)
	})
	return sp, err
}

// speechEvent is what viewers get of a speech: who, what kind, and when
// their time ends (screens count down on their own from it).
func speechEvent(sp *Speech) map[string]any {
	return map[string]any{"speech": sp.ID, "name": sp.Name, "kind": sp.Kind, "limit_seconds": sp.LimitSeconds,
		"started_at": sp.StartedAt, "ends_at": sp.Ends(), "remaining": sp.Remaining(time.Now())}
}

// endSpeaking ends the speech in progress, if any.
func endSpeaking(ctx context.Context, tx pgx.Tx, sessionID int64) error {
	rows, _ := tx.Query(ctx, "UPDATE speeches SET state = 'done', ended_at = clock_timestamp() WHERE session_id = $1 AND state = 'speaking' RETURNING "+speechColumns, sessionID)
	ended, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Speech])
	if err != nil {
		return err
	}
	for _, sp := range ended {
		if err := addTimeline(ctx, tx, sessionID, "speech_ended", sp.AgendaItemID, &sp.ID, sp.Name); err != nil {
			return err
		}
		if err := outbox.WriteLive(ctx, tx, EventSpeechEnded, sessionTopic(sessionID), map[string]any{"speech": sp.ID, "name": sp.Name, "ended_at": sp.EndedAt}); err != nil {
			return err
		}
	}
	return nil
}

// EndSpeech ends a speech in progress.
func (s *Service) EndSpeech(ctx context.Context, sessionID, speechID int64) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockSpeechIn(ctx, tx, sessionID, speechID, "speaking"); err != nil {
			return err
		}
		return endSpeaking(ctx, tx, sessionID)
	})
}

// WithdrawSpeech takes a waiting request off the list: the chair and the
// office any, a councillor their own.
func (s *Service) WithdrawSpeech(ctx context.Context, sessionID, speechID int64) error {
	if err := ratusz.ActorFromContext(ctx).Require(); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockSession(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		sp, err := lockSpeech(ctx, tx, sessionID, speechID)
		if err != nil {
			return err
		}
		if MayManage(ctx) != nil {
			own, err := councillorOf(ctx, tx, sess.BodyID)
			if err != nil {
				return err
			}
			if sp.CouncillorID == nil || *sp.CouncillorID != own {
				return ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.only_self_speech")
			}
		}
		if sp.State != "waiting" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.speech_state")
		}
		if _, err := tx.Exec(ctx, "UPDATE speeches SET state = 'withdrawn', ended_at = clock_timestamp() WHERE id = $1", speechID); err != nil {
			return err
		}
		return speakersChanged(ctx, tx, sessionID)
	})
}

// ReorderSpeakers sets the order of the waiting list: ids must be exactly
// the waiting requests, else the list changed meanwhile (409).
func (s *Service) ReorderSpeakers(ctx context.Context, sessionID int64, ids []int64) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockRunning(ctx, tx, sessionID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT id FROM speeches WHERE session_id = $1 AND state = 'waiting' ORDER BY id FOR UPDATE", sessionID)
		waiting, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		got := slices.Clone(ids)
		slices.Sort(got)
		if !slices.Equal(got, waiting) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.speakers_changed")
		}
		if _, err := tx.Exec(ctx, `UPDATE speeches s SET position = o.n FROM unnest($2::bigint[]) WITH ORDINALITY AS o(id, n)
			WHERE s.id = o.id AND s.session_id = $1`, sessionID, ids); err != nil {
			return err
		}
		return speakersChanged(ctx, tx, sessionID)
	})
}

// MaxExtraTime is the most time the chair adds at once, in seconds.
const MaxExtraTime = 1800

// AddTime gives the current speaker more time (or, with negative
// seconds, less); everyone's countdown follows.
func (s *Service) AddTime(ctx context.Context, sessionID, speechID int64, seconds int) (*Speech, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	if seconds == 0 || seconds < -MaxExtraTime || seconds > MaxExtraTime {
		return nil, ratusz.Invalid("seconds", "err.council.extra_time", MaxExtraTime)
	}
	var sp *Speech
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if sp, err = lockSpeechIn(ctx, tx, sessionID, speechID, "speaking"); err != nil {
			return err
		}
		limit := min(max(sp.LimitSeconds+seconds, MinLimit), 2*MaxLimit)
		rows, _ := tx.Query(ctx, "UPDATE speeches SET limit_seconds = $2 WHERE id = $1 RETURNING "+speechColumns, speechID, limit)
		if sp, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Speech]); err != nil {
			return err
		}
		return outbox.WriteLive(ctx, tx, EventTimer, sessionTopic(sessionID), speechEvent(sp))
	})
	return sp, err
}

// Speakers returns the one speaking (first, if any) and the waiting list
// in order.
func (s *Service) Speakers(ctx context.Context, sessionID int64) ([]*Speech, error) {
	return speakers(ctx, s.pool, sessionID)
}

func speakers(ctx context.Context, q pg.Querier, sessionID int64) ([]*Speech, error) {
	rows, _ := q.Query(ctx, "SELECT "+speechColumns+` FROM speeches WHERE session_id = $1 AND state IN ('speaking', 'waiting')
		ORDER BY state = 'waiting', position, id`, sessionID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Speech])
}

// Speeches returns every speech given in the session, in order.
func (s *Service) Speeches(ctx context.Context, sessionID int64) ([]*Speech, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+speechColumns+` FROM speeches WHERE session_id = $1 AND started_at IS NOT NULL ORDER BY started_at, id`, sessionID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Speech])
}

// Limits are the session's speaking times.
func (s *Session) Limits() Limits {
	return Limits{Item: s.LimitItem, AdVocem: s.LimitAdVocem, Formal: s.LimitFormal}
}

// SetLimits sets the sitting's speaking times; requests already made keep
// theirs.
func (s *Service) SetLimits(ctx context.Context, sessionID int64, l Limits) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockNotClosed(ctx, tx, sessionID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE council_sessions SET limit_item = $2, limit_ad_vocem = $3, limit_formal = $4 WHERE id = $1", sessionID, l.Item, l.AdVocem, l.Formal); err != nil {
			return err
		}
		return outbox.WriteLive(ctx, tx, EventSessionChanged, sessionTopic(sessionID), map[string]any{"session": sessionID, "limits": l})
	})
}

// MaxBreak is the longest break announced at once, in minutes.
const MaxBreak = 240

// StartBreak announces a break (przerwa) of minutes (0: not said); the
// speaker, if any, stops.
func (s *Service) StartBreak(ctx context.Context, sessionID int64, minutes int) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	if minutes < 0 || minutes > MaxBreak {
		return ratusz.Invalid("minutes", "err.range", 0, MaxBreak)
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockRunning(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if sess.BreakSince != nil {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.break_already")
		}
		var open bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM votes WHERE session_id = $1 AND state = 'open')", sessionID).Scan(&open); err != nil {
			return err
		}
		if open {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_still_open")
		}
		if err := endSpeaking(ctx, tx, sessionID); err != nil {
			return err
		}
		var since time.Time
		var until *time.Time
		if err := tx.QueryRow(ctx, `UPDATE council_sessions SET break_since = t.now,
			break_until = CASE WHEN $2 > 0 THEN t.now + make_interval(mins => $2) END
			FROM (SELECT clock_timestamp() AS now) t WHERE id = $1 RETURNING break_since, break_until`,
			sessionID, minutes).Scan(&since, &until); err != nil {
			return err
		}
		text := ""
		if minutes > 0 {
			text = strconv.Itoa(minutes)
		}
		if err := addTimeline(ctx, tx, sessionID, "break_started", sess.CurrentItemID, nil, text); err != nil {
			return err
		}
		return outbox.WriteLive(ctx, tx, EventBreak, sessionTopic(sessionID), map[string]any{"break": true, "since": since, "until": until})
	})
}

// EndBreak resumes the sitting.
func (s *Service) EndBreak(ctx context.Context, sessionID int64) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockRunning(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if sess.BreakSince == nil {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.no_break")
		}
		if _, err := tx.Exec(ctx, "UPDATE council_sessions SET break_since = NULL, break_until = NULL WHERE id = $1", sessionID); err != nil {
			return err
		}
		if err := addTimeline(ctx, tx, sessionID, "break_ended", sess.CurrentItemID, nil, ""); err != nil {
			return err
		}
		return outbox.WriteLive(ctx, tx, EventBreak, sessionTopic(sessionID), map[string]any{"break": false})
	})
}

// AllPresent marks every member present; it returns how many are.
func (s *Service) AllPresent(ctx context.Context, sessionID int64) (int, error) {
	if err := MayManage(ctx); err != nil {
		return 0, err
	}
	a := ratusz.ActorFromContext(ctx)
	var by *int64
	if a.UserID > 0 {
		by = &a.UserID
	}
	var n int
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockNotClosed(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO attendance (session_id, councillor_id, present, marked_by)
			SELECT $1, id, true, $2 FROM councillors WHERE body_id = $3 AND active
			ON CONFLICT (session_id, councillor_id) DO UPDATE SET present = true, marked_by = EXCLUDED.marked_by, at = now()
			WHERE NOT attendance.present`, sessionID, by, sess.BodyID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM attendance WHERE session_id = $1 AND present", sessionID).Scan(&n); err != nil {
			return err
		}
		return outbox.WriteLive(ctx, tx, EventAttendanceChanged, sessionTopic(sessionID), map[string]any{"all": true, "present_count": n})
	})
	return n, err
}

// TimelineEntry is one thing that happened in the sitting.
type TimelineEntry struct {
	ID           int64     `json:"id" db:"id"`
	At           time.Time `json:"at" db:"at"`
	Kind         string    `json:"kind" db:"kind"`
	AgendaItemID *int64    `json:"agenda_item" db:"agenda_item_id"`
	RefID        *int64    `json:"ref" db:"ref_id"`
	Text         string    `json:"text" db:"text"`
}

// addTimeline writes an entry in tx.
func addTimeline(ctx context.Context, tx pgx.Tx, sessionID int64, kind string, item, ref *int64, text string) error {
	_, err := tx.Exec(ctx, "INSERT INTO session_timeline (session_id, kind, agenda_item_id, ref_id, text) VALUES ($1, $2, $3, $4, $5)",
		sessionID, kind, item, ref, text)
	return err
}

// Timeline returns what happened in the session, in order.
func (s *Service) Timeline(ctx context.Context, sessionID int64) ([]*TimelineEntry, error) {
	rows, _ := s.pool.Query(ctx, "SELECT id, at, kind, agenda_item_id, ref_id, text FROM session_timeline WHERE session_id = $1 ORDER BY at, id", sessionID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[TimelineEntry])
}
