package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
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

type homePage struct{ Page }

func (*homePage) template() string { return "home" }

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := &homePage{}
	p.Title = "home.title"
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
