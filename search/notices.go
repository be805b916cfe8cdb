package search

import (
	"context"

	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/notify"
)

// AddTo lets a person follow their own saved searches.
func (s *SavedSearches) AddTo(n *notify.Service) {
	n.Target(notify.TargetSavedSearch, s.FollowTarget)
}

// DeliverTo hands the new results of followed saved searches to the
// notifier, which sends them as each follow asks (a digest, an SMS); the
// searches nobody follows keep their own e-mail.
func (a *Alerts) DeliverTo(n *notify.Service) {
	a.Deliver = func(ctx context.Context, sv *Saved, hits []Hit) (bool, error) {
		items := make([]notify.Item, len(hits))
		for i, h := range hits {
			title, label := h.Title, sv.Query
			if label == "" {
				label = sv.Filters.Encode()
			}
			items[i] = notify.Item{
				Target: notify.Target{Type: notify.TargetSavedSearch, ID: sv.ID},
				Key:    "doc:" + h.ID,
				Title:  func(l i18n.Lang) string { return i18n.T(l, "notify.search.hit", label, title) },
				URL:    h.URL,
			}
		}
		return n.Add(ctx, items)
	}
}
