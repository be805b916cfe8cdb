package consultations

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

// Notices says what a consultation's opening and closing mean to its
// followers.
func Notices(ctx context.Context, q pg.Querier, ev ratusz.Event) ([]notify.Item, error) {
	if ev.Type != EventOpened && ev.Type != EventClosed {
		return nil, nil
	}
	var p struct {
		Consultation int64 `json:"consultation"`
	}
	if json.Unmarshal(ev.Payload, &p) != nil {
		return nil, nil
	}
	var title string
	var ends time.Time
	if err := q.QueryRow(ctx, "SELECT title, ends_at FROM consultations WHERE id = $1", p.Consultation).Scan(&title, &ends); err != nil {
		return nil, err
	}
	id := strconv.FormatInt(p.Consultation, 10)
	key, msg, url := "consultation.opened:", "notify.consult.opened", "/konsultacje/"+id
	if ev.Type == EventClosed {
		key, msg, url = "consultation.closed:", "notify.consult.closed", "/konsultacje/"+id+"/raport"
	}
	return []notify.Item{{
		Target: notify.Target{Type: notify.TargetConsultation, ID: p.Consultation},
		Key:    key + id,
		Title:  func(l i18n.Lang) string { return i18n.T(l, msg, title, i18n.DateTime(l, ends.In(warsaw))) },
		URL:    url,
	}}, nil
}

// AddTo lets consultations be followed.
func (s *Service) AddTo(n *notify.Service) {
	n.Target(notify.TargetConsultation, notify.Lookup(s.pool, "SELECT title, '/konsultacje/' || id FROM consultations WHERE id = $1 AND state <> 'draft'"))
	n.AddSource(Notices)
}
