package bip

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/internal/pg"
)

// Notices says what a publication, a new version or a withdrawal means to
// the followers of its category and of every category above it.
func Notices(ctx context.Context, q pg.Querier, ev ratusz.Event) ([]notify.Item, error) {
	if ev.Type != EventPublished && ev.Type != EventRevised && ev.Type != EventWithdrawn {
		return nil, nil
	}
	var p struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	if json.Unmarshal(ev.Payload, &p) != nil {
		return nil, nil
	}
	var title, catPL, catEN string
	var cats []int64
	err := q.QueryRow(ctx, `WITH RECURSIVE up AS (
			SELECT c.id, c.parent_id FROM bip_categories c JOIN bip_publications p ON p.category_id = c.id WHERE p.id = $1
			UNION ALL SELECT c.id, c.parent_id FROM bip_categories c JOIN up ON c.id = up.parent_id)
		SELECT v.title, c.name_pl, c.name_en, (SELECT array_agg(id) FROM up)
		FROM bip_versions v JOIN bip_publications p ON p.id = v.publication_id JOIN bip_categories c ON c.id = p.category_id
		WHERE v.publication_id = $1 AND v.version = $2`, p.ID, p.Version).Scan(&title, &catPL, &catEN, &cats)
	if err != nil {
		return nil, err
	}
	msg := map[string]string{EventPublished: "notify.bip.published", EventRevised: "notify.bip.revised", EventWithdrawn: "notify.bip.withdrawn"}[ev.Type]
	id := strconv.FormatInt(p.ID, 10)
	var items []notify.Item
	for _, c := range cats {
		items = append(items, notify.Item{
			Target: notify.Target{Type: notify.TargetBIPCategory, ID: c},
			Key:    "bip:" + id + ":" + strconv.Itoa(p.Version),
			Title: func(l i18n.Lang) string {
				cat := catPL
				if l == i18n.EN {
					cat = catEN
				}
				return i18n.T(l, msg, title, cat)
			},
			URL: "/bip/publikacje/" + id,
		})
	}
	return items, nil
}

// AddTo lets BIP categories be followed.
func (s *Service) AddTo(n *notify.Service) {
	n.Target(notify.TargetBIPCategory, notify.Lookup(s.pool, "SELECT name_pl, '/bip/kategoria/' || slug FROM bip_categories WHERE id = $1"))
	n.AddSource(Notices)
}
