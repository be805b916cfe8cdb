package council

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/internal/pg"
)

// Notices says what the council's events mean to followers: a session
// called or begun, to the followers of its body; a vote's result, to the
// body's followers, and each councillor's own choice, to theirs.
func Notices(ctx context.Context, q pg.Querier, ev ratusz.Event) ([]notify.Item, error) {
	switch ev.Type {
	case EventSessionAnnounced, EventSessionState:
		var p struct {
			Session int64  `json:"session"`
			State   string `json:"state"`
		}
		if json.Unmarshal(ev.Payload, &p) != nil || (ev.Type == EventSessionState && p.State != "in_progress") {
			return nil, nil
		}
		var number int
		var name string
		var bodyID int64
		var starts time.Time
		if err := q.QueryRow(ctx, "SELECT s.number, s.starts_at, b.id, b.name FROM council_sessions s JOIN council_bodies b ON b.id = s.body_id WHERE s.id = $1", p.Session).
			Scan(&number, &starts, &bodyID, &name); err != nil {
			return nil, err
		}
		b := &Body{Name: name}
		key, what := "session.called:", "notify.council.session_called"
		if ev.Type == EventSessionState {
			key, what = "session.started:", "notify.council.session_started"
		}
		id := strconv.FormatInt(p.Session, 10)
		return []notify.Item{{
			Target: notify.Target{Type: notify.TargetBody, ID: bodyID},
			Key:    key + id,
			Title: func(l i18n.Lang) string {
				return i18n.T(l, what, i18n.T(l, "council.session.of", Roman(number), b.Genitive(), name), i18n.DateTime(l, starts.In(warsaw)))
			},
			URL: "/rada/sesje/" + id,
		}}, nil
	case EventVoteClosed:
		var v Vote
		if err := json.Unmarshal(ev.Payload, &v); err != nil || v.Counts == nil || v.Outcome == nil {
			return nil, nil
		}
		var bodyID int64
		if err := q.QueryRow(ctx, "SELECT body_id FROM council_sessions WHERE id = $1", v.SessionID).Scan(&bodyID); err != nil {
			return nil, err
		}
		ids := make([]int64, len(v.Ballots))
		for i, b := range v.Ballots {
			ids[i] = b.CouncillorID
		}
		genders := map[int64]string{}
		rows, _ := q.Query(ctx, "SELECT id, gender FROM councillors WHERE id = ANY($1)", ids)
		var cid int64
		var g string
		if _, err := pgx.ForEachRow(rows, []any{&cid, &g}, func() error { genders[cid] = g; return nil }); err != nil {
			return nil, err
		}
		id := strconv.FormatInt(v.ID, 10)
		url := "/rada/glosowania/" + id
		c := *v.Counts
		outcome := *v.Outcome
		items := []notify.Item{{
			Target: notify.Target{Type: notify.TargetBody, ID: bodyID},
			Key:    "vote:" + id,
			Title: func(l i18n.Lang) string {
				return i18n.T(l, "notify.council.vote", v.Subject, i18n.T(l, "council.outcome."+outcome), c.For, c.Against, c.Abstain)
			},
			URL: url,
		}}
		for _, b := range v.Ballots {
			b, g := b, genders[b.CouncillorID]
			items = append(items, notify.Item{
				Target: notify.Target{Type: notify.TargetCouncillor, ID: b.CouncillorID},
				Key:    "vote:" + id + ":councillor:" + strconv.FormatInt(b.CouncillorID, 10),
				Title: func(l i18n.Lang) string {
					return i18n.T(l, "notify.council.ballot", b.Councillor, i18n.G(l, "notify.choice."+b.Choice, g), v.Subject, i18n.T(l, "council.outcome."+outcome))
				},
				URL: url,
			})
		}
		return items, nil
	}
	return nil, nil
}

// AddTo lets bodies and councillors be followed.
func (s *Service) AddTo(n *notify.Service) {
	n.Target(notify.TargetBody, notify.Lookup(s.pool, "SELECT name, '/rada#body-' || id FROM council_bodies WHERE id = $1"))
	n.Target(notify.TargetCouncillor, notify.Lookup(s.pool, "SELECT name, '/rada/radni/' || id FROM councillors WHERE id = $1"))
	n.AddSource(Notices)
}
