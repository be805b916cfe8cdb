package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
)

// A handler returns an error; page and api turn it into a response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

var errCrossOrigin = ratusz.Errorf(ratusz.EFORBIDDEN, "err.cross_origin")

// status maps error codes to HTTP statuses.
func status(err error) int {
	switch ratusz.ErrorCode(err) {
	case ratusz.EINVALID:
		return http.StatusBadRequest
	case ratusz.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case ratusz.EFORBIDDEN:
		return http.StatusForbidden
	case ratusz.ENOTFOUND:
		return http.StatusNotFound
	case ratusz.ECONFLICT:
		return http.StatusConflict
	case ratusz.ETOOMANY:
		return http.StatusTooManyRequests
	case ratusz.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// message translates an error for people; internal errors say nothing of
// their cause.
func message(lang i18n.Lang, err error) string {
	key, args := ratusz.ErrorMessage(err)
	return i18n.T(lang, key, args...)
}

// logError logs internal errors only: the others are the user's, not ours,
// and a client that went away is nobody's.
func (s *Server) logError(r *http.Request, err error) {
	if ratusz.ErrorCode(err) == ratusz.EINTERNAL && !errors.Is(err, context.Canceled) {
		s.log.Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", middleware.GetReqID(r.Context()))
	}
}

// page adapts a handler of HTML pages.
func (s *Server) page(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}

// api adapts a handler of the JSON API.
func (s *Server) api(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeJSONError(w, r, err)
		}
	}
}

type errorPage struct {
	Page
	Status  int
	Message string
	Login   string // a link to sign in, for 401
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	err = toHTTPError(err)
	s.logError(r, err)
	code := status(err)
	p := &errorPage{Status: code}
	p.Title = "error.title"
	p.Message = message(s.lang(r), err)
	if code == http.StatusUnauthorized {
		p.Login = "/login?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	s.render(w, r, code, "error", p)
}

type jsonError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	err = toHTTPError(err)
	s.logError(r, err)
	var body jsonError
	body.Error.Code = ratusz.ErrorCode(err)
	body.Error.Message = message(s.lang(r), err)
	body.Error.Field = ratusz.ErrorField(err)
	if body.Error.Code == ratusz.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ratusz"`)
	}
	writeJSON(w, status(err), body)
}

// toHTTPError turns errors of the HTTP plumbing into coded errors.
func toHTTPError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return ratusz.Errorf(ratusz.ETOOLARGE, "err.body_too_large", tooBig.Limit>>10)
	}
	return err
}
