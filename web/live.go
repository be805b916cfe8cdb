package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/outbox"
)

// checkOrigin accepts browsers on our own site (the Host they asked, or the
// configured base URL) and clients that send no Origin (not browsers).
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || strings.EqualFold(u.Host, s.cfg.BaseURL.Host)
}

// liveSession streams a session's events through the live hub: agenda,
// attendance, votes opened, their progress (how many voted, never how) and
// their named results.
func (s *Server) liveSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.council.SessionByID(r.Context(), id); err != nil {
		return err
	}
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			return ratusz.Invalid("since", "err.council.cursor")
		}
	}
	if !s.checkOrigin(r) {
		return ratusz.Errorf(ratusz.EFORBIDDEN, "err.cross_origin")
	}
	s.live.Serve(w, r, council.SessionTopic(id), since, r.URL.Query().Has("since"),
		func(ctx context.Context, topic string, since int64, limit int) ([]ratusz.Event, error) {
			return outbox.Since(ctx, s.pool, topic, since, limit)
		}, s.checkOrigin)
	return nil
}

// startLive runs the outbox relay, the one reader of the outbox, until the
// server closes: its handlers are the live hub and the search indexer
// (woken by every event but those only live viewers need).
func (s *Server) startLive() {
	ctx, cancel := context.WithCancel(context.Background())
	relay := outbox.NewRelay(s.pool, s.log)
	relay.Poll = 500 * time.Millisecond
	relay.Handle(s.live.Publish)
	if s.search != nil {
		ix := s.search.indexer
		relay.Handle(func(ev ratusz.Event) {
			if !ev.LiveOnly {
				ix.Notify()
			}
		})
	}
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	s.stopLive = func() { cancel(); <-done }
	s.OnShutdown(func(context.Context) { s.live.Shutdown() })
}
