package participation

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/internal/pg"
)

// Notices says what an edition's move to another phase means to its
// followers: what residents may do now, and until when if the schedule
// says.
func Notices(ctx context.Context, q pg.Querier, ev ratusz.Event) ([]notify.Item, error) {
	if ev.Type != EventPhase {
		return nil, nil
	}
	var p struct {
		Edition int64  `json:"edition"`
		Phase   string `json:"phase"`
	}
	if json.Unmarshal(ev.Payload, &p) != nil || phaseIndex(p.Phase) < 0 {
		return nil, nil
	}
	var name string
	var schedule map[string]string
	if err := q.QueryRow(ctx, "SELECT name, schedule FROM pb_editions WHERE id = $1", p.Edition).Scan(&name, &schedule); err != nil {
		return nil, err
	}
	// The phase lasts until the next one's planned start.
	var until time.Time
	if i := phaseIndex(p.Phase); i+1 < len(Phases) {
		until, _ = time.Parse("2006-01-02", schedule[Phases[i+1]])
	}
	id := strconv.FormatInt(p.Edition, 10)
	url := "/budzet-obywatelski/" + id
	switch p.Phase {
	case "voting":
		url += "/glosuj"
	case "results":
		url += "/wyniki"
	}
	return []notify.Item{{
		Target: notify.Target{Type: notify.TargetEdition, ID: p.Edition},
		Key:    "pb.phase:" + id + ":" + p.Phase,
		Title: func(l i18n.Lang) string {
			t := i18n.T(l, "notify.pb.phase", name, i18n.T(l, "pb.phase."+p.Phase))
			if !until.IsZero() {
				t += " " + i18n.T(l, "notify.pb.until", i18n.LongDate(l, until.AddDate(0, 0, -1)))
			}
			return t
		},
		URL: url,
	}}, nil
}

// AddTo lets budget editions be followed.
func (s *Service) AddTo(n *notify.Service) {
	n.Target(notify.TargetEdition, notify.Lookup(s.pool, "SELECT name, '/budzet-obywatelski/' || id FROM pb_editions WHERE id = $1"))
	n.AddSource(Notices)
}
