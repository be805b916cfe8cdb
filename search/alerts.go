package search

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ratusz/ratusz/internal/i18n"
)

// Sender sends one plain-text e-mail (internal/mail's Mailer).
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Alerts sends saved searches' new results by e-mail: after each sync of
// the index (Wake) and every few minutes, each active saved search is run
// and what it finds that it has not announced is sent.
type Alerts struct {
	Saved        *SavedSearches
	Index        Index
	Mail         Sender
	BaseURL      string // the site's address, for the links
	Municipality string
	Log          *slog.Logger
	Every        time.Duration
	// Deliver, if set, takes the new results of a saved search someone
	// follows (as notices, at once or in a digest) and reports whether it
	// did; the alert's own e-mail is then not sent.
	Deliver func(ctx context.Context, sv *Saved, hits []Hit) (bool, error)

	mu    sync.Mutex // one check at a time, so that nothing is sent twice
	wakeC chan struct{}
}

// NewAlerts returns the alerts; set nothing else after Run starts.
func NewAlerts(saved *SavedSearches, idx Index, mail Sender, baseURL, municipality string, log *slog.Logger) *Alerts {
	return &Alerts{Saved: saved, Index: idx, Mail: mail, BaseURL: baseURL, Municipality: municipality, Log: log,
		Every: 5 * time.Minute, wakeC: make(chan struct{}, 1)}
}

// Wake asks for a check soon; it never blocks.
func (a *Alerts) Wake() {
	select {
	case a.wakeC <- struct{}{}:
	default:
	}
}

// Run checks until ctx ends.
func (a *Alerts) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wakeC:
		case <-time.After(a.Every):
		}
		if err := a.Check(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("search: saved-search alerts", "err", err)
		}
	}
}

// Check sends each active saved search's unseen results; an e-mail that
// fails is tried again at the next check, since nothing is marked seen.
func (a *Alerts) Check(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	list, err := a.Saved.Active(ctx)
	if err != nil {
		return err
	}
	var firstErr error
	for _, sv := range list {
		q, err := ParseQuery(sv.Filters, APIParams)
		if err != nil {
			continue
		}
		q.Sort, q.Limit = "date", 50
		res, err := a.Index.Search(ctx, q)
		if err != nil {
			return err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		unseen, err := a.Saved.Unseen(ctx, sv.ID, ids)
		if err != nil {
			return err
		}
		isNew := map[string]bool{}
		for _, id := range unseen {
			isNew[id] = true
		}
		var fresh []Hit
		for _, h := range res.Hits {
			if isNew[h.ID] {
				fresh = append(fresh, h)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		handled := false
		if a.Deliver != nil {
			if handled, err = a.Deliver(ctx, sv, fresh); err != nil {
				return err
			}
		}
		if !handled {
			if err := a.send(ctx, sv.ID, sv.Email, sv.Query, sv.Filters, i18n.Lang(sv.Lang), fresh); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
		}
		fids := make([]string, len(fresh))
		for i, h := range fresh {
			fids[i] = h.ID
		}
		if err := a.Saved.MarkSeen(ctx, sv.ID, fids); err != nil {
			return err
		}
	}
	return firstErr
}

func (a *Alerts) send(ctx context.Context, id int64, to, query string, filters url.Values, lang i18n.Lang, hits []Hit) error {
	token, err := a.Saved.NewToken(ctx, id)
	if err != nil {
		return err
	}
	base := a.BaseURL
	label := query
	if label == "" {
		label = filters.Encode()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\r\n\r\n", i18n.T(lang, "search.mail.intro", len(hits), label))
	for _, h := range hits {
		fmt.Fprintf(&b, "- %s\r\n  %s%s\r\n", h.Title, base, h.URL)
	}
	fmt.Fprintf(&b, "\r\n%s\r\n%s/szukaj?%s\r\n\r\n%s\r\n%s/szukaj/wypisz/%s\r\n",
		i18n.T(lang, "search.mail.all"), base, filters.Encode(), i18n.T(lang, "search.mail.unsubscribe"), base, token)
	subject := i18n.T(lang, "search.mail.subject", a.Municipality, label)
	return a.Mail.Send(ctx, to, subject, b.String())
}
