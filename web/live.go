package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
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
	return strings.EqualFold(u.Host, r.Host) || strings.EqualFold(u.Host, s.Config.BaseURL.Host)
}

// liveSession streams a session's events through the live hub: agenda,
// attendance, votes opened, their progress (how many voted, never how) and
// their named results.
func (s *Server) liveSession(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Council.SessionByID(r.Context(), id); err != nil {
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
	s.Live.Serve(w, r, council.SessionTopic(id), since, r.URL.Query().Has("since"),
		s.Replay, s.checkOrigin)
	return nil
}
