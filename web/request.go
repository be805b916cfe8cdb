package web

import (
	"errors"
	"net/http"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/web/httpx"
)

// Helpers pages use to answer a request: a form shown again with its
// errors. Reading ids and JSON is in httpx, shared with the API and OParl.

// showAgain shows a form again with the message next to its field (or
// `fallback` for errors of no field); other errors are returned.
func (s *Server) showAgain(r *http.Request, err error, fallback string, again func(errs map[string]string) error) error {
	switch ratusz.ErrorCode(err) {
	case ratusz.EINVALID, ratusz.ECONFLICT, ratusz.ETOOLARGE, ratusz.ETOOMANY:
		errs := map[string]string{}
		var all ratusz.Invalids
		if !errors.As(err, &all) {
			all = ratusz.Invalids{{Code: ratusz.ErrorCode(err), Field: ratusz.ErrorField(err)}}
			all[0].Message, all[0].Args = ratusz.ErrorMessage(err)
		}
		for _, e := range all { // every message beside its field
			field := e.Field
			if field == "" {
				field = fallback
			}
			if _, dup := errs[field]; !dup {
				errs[field] = httpx.Message(s.lang(r), e)
			}
		}
		return again(errs)
	}
	return err
}

// editPage is a page of several forms acting on one thing (a session, a
// consultation): each form posts, is checked by the module, and either
// redirects back with a notice (POST/redirect/GET) or shows the page again
// with every message beside its field.
type editPage[T any] struct {
	allow   func(*http.Request) error      // who may use the page
	load    func(*http.Request) (T, error) // the thing, read anew for each answer
	fieldOf func(error) error              // the module's field names as the form's
	render  func(w http.ResponseWriter, r *http.Request, code int, v T, form, errs map[string]string) error
	saved   func(v T, notice string) string // where to go after a success
}

// formAction is one form of an edit page: act reads the form and calls the
// service; it returns what was typed (to show again on a refusal) and the
// notice to show after success. fallback is the field for errors of none.
type formAction[T any] func(r *http.Request, v T) (form map[string]string, notice string, err error)

// action adapts one form of the page.
func (p editPage[T]) action(s *Server, fallback string, act formAction[T]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := p.allow(r); err != nil {
			return err
		}
		v, err := p.load(r)
		if err != nil {
			return err
		}
		form, notice, err := act(r, v)
		if err != nil {
			return s.showAgain(r, p.fieldOf(err), fallback, func(errs map[string]string) error {
				again, err2 := p.load(r)
				if err2 != nil {
					return err2
				}
				return p.render(w, r, httpx.Status(err), again, form, errs)
			})
		}
		http.Redirect(w, r, p.saved(v, notice), http.StatusSeeOther)
		return nil
	}
}
