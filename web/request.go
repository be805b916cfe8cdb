package web

import (
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
		field := ratusz.ErrorField(err)
		if field == "" {
			field = fallback
		}
		return again(map[string]string{field: httpx.Message(s.lang(r), err)})
	}
	return err
}
