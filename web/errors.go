package web

import (
	"net/http"
	"net/url"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/web/httpx"
)

// A handler returns an error; page turns it into a response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

var errCrossOrigin = ratusz.Errorf(ratusz.EFORBIDDEN, "err.cross_origin")

// page adapts a handler of HTML pages.
func (s *Server) page(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}

type errorPage struct {
	Page
	Status  int
	Message string
	Login   string // a link to sign in, for 401
}

func (*errorPage) template() string { return "error" }

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	err = httpx.ToHTTPError(err)
	httpx.LogError(s.Log, r, err)
	code := httpx.Status(err)
	p := &errorPage{Status: code}
	p.Title = "error.title"
	p.Message = httpx.Message(s.lang(r), err)
	if code == http.StatusUnauthorized {
		p.Login = "/login?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	s.render(w, r, code, p)
}
