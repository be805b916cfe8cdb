package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/web/httpx"
)

// section is an entry of the main navigation; Built says its module serves
// it, otherwise a page says it is being prepared.
type section struct {
	Key, Path string
	Built     bool
}

var sections = []section{
	{"council", "/rada", true},
	{"consultations", "/konsultacje", true},
	{"budget", "/budzet-obywatelski", true},
	{"bip", "/bip", true},
	{"search", "/szukaj", true},
}

// homePage is what a resident sees first: what is on now, each with one
// clear action, then the sections.
type homePage struct {
	Page
	Now           time.Time
	Live          []*council.Session // sittings in progress
	Next          *council.Session   // the next planned sitting
	Bodies        map[int64]*council.Body
	Consultations []*consultations.Consultation // open now
	Editions      []*participation.Edition      // budget editions not yet over
	Resolutions   []*council.ResolutionEntry
	Publications  []*bip.Summary
}

func (*homePage) template() string { return "home" }

// PhaseEnds is the day the edition's current phase ends: the next phase's
// planned start, if the schedule says.
func (p *homePage) PhaseEnds(e *participation.Edition) string {
	for i, ph := range participation.Phases {
		if ph == e.Phase && i+1 < len(participation.Phases) {
			if d, err := time.ParseInLocation("2006-01-02", e.Schedule[participation.Phases[i+1]], warsaw); err == nil {
				return p.Day(d)
			}
		}
	}
	return ""
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &homePage{Now: time.Now(), Bodies: map[int64]*council.Body{}}
	p.Title = "home.title"
	p.Lang = s.lang(r)
	bodies, err := s.Council.Bodies(ctx)
	if err != nil {
		return err
	}
	for _, b := range bodies {
		p.Bodies[b.ID] = b
	}
	// The sittings of the coming quarter, and any still running.
	sessions, err := s.Council.SessionsBetween(ctx, p.Now.AddDate(0, 0, -7), p.Now.AddDate(0, 3, 0))
	if err != nil {
		return err
	}
	for _, x := range sessions {
		switch {
		case x.State == "in_progress":
			p.Live = append(p.Live, x)
		case x.State == "planned" && p.Next == nil && x.StartsAt.After(p.Now.Add(-12*time.Hour)):
			p.Next = x
		}
	}
	cs, err := s.Consultations.List(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.AcceptsResponses(p.Now) {
			p.Consultations = append(p.Consultations, c)
		}
	}
	eds, err := s.Participation.Editions(ctx)
	if err != nil {
		return err
	}
	for _, e := range eds {
		if e.Phase != "results" {
			p.Editions = append(p.Editions, e)
		}
	}
	if p.Resolutions, _, err = s.Council.Resolutions(ctx, council.ResolutionFilter{Limit: 3}); err != nil {
		return err
	}
	// The latest publications a resident reads: not the register's daily
	// state, which is there for checking.
	pubs, _, err := s.BIP.Find(ctx, bip.Filter{Limit: 10})
	if err != nil {
		return err
	}
	for _, pub := range pubs {
		if pub.CategorySlug != bip.HeadsCategory && len(p.Publications) < 5 {
			p.Publications = append(p.Publications, pub)
		}
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

type sectionPage struct {
	Page
	Key string
}

func (*sectionPage) template() string { return "section" }

// section serves a part of the site whose module is not built yet, so that
// the navigation never leads to a dead end.
func (s *Server) section(sec section) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := &sectionPage{Key: sec.Key}
		p.Title = "nav." + sec.Key
		p.Section = sec.Key
		s.render(w, r, http.StatusOK, p)
		return nil
	}
}

type accessibilityPage struct {
	Page
	Published, Reviewed time.Time
}

func (*accessibilityPage) template() string { return "accessibility" }

// Published is the date the statement was first prepared.
var statementDate = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func (s *Server) accessibilityStatement(w http.ResponseWriter, r *http.Request) error {
	p := &accessibilityPage{Published: statementDate, Reviewed: statementDate}
	p.Title = "a11y.title"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// switchLanguage remembers the reader's choice of language and goes back.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) error {
	l, ok := i18n.Parse(chi.URLParam(r, "lang"))
	if !ok {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
	}
	http.SetCookie(w, &http.Cookie{Name: httpx.LangCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

func urlParam(r *http.Request, name string) string { return chi.URLParam(r, name) }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
}
