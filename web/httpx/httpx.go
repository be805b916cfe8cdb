// Package httpx holds what pages, the JSON API and OParl share to read a
// request and answer it: ids from the path and the form, what a path's id
// names, JSON in and out (strict: unknown fields, wrong types and unstorable
// text are refused with the field named), uploaded files, the language of the
// request, the HTTP status of a coded error, the JSON error body and the
// paths of the pages answers link to. It knows no module; uploads are read as
// bip.NewAttachment, the shape every module keeps its files in.
package httpx

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
)

// Handler returns an error; an adapter (JSON here, pages in web) turns it
// into a response.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Status maps error codes to HTTP statuses.
func Status(err error) int {
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

// Message translates an error for people; internal errors say nothing of
// their cause.
func Message(lang i18n.Lang, err error) string {
	key, args := ratusz.ErrorMessage(err)
	return i18n.T(lang, key, args...)
}

// ToHTTPError turns errors of the HTTP plumbing into coded errors.
func ToHTTPError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return ratusz.Errorf(ratusz.ETOOLARGE, "err.body_too_large", tooBig.Limit>>10)
	}
	return err
}

// LangCookie keeps the language a visitor chose.
const LangCookie = "ratusz_lang"

// Lang is the language of a request: the one chosen, else the browser's.
func Lang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// LogError logs internal errors only: the others are the user's, not ours,
// and a client that went away is nobody's.
func LogError(log *slog.Logger, r *http.Request, err error) {
	if ratusz.ErrorCode(err) == ratusz.EINTERNAL && !errors.Is(err, context.Canceled) {
		log.Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", middleware.GetReqID(r.Context()))
	}
}

// ErrorBody is the JSON body of every error; when several inputs are
// wrong at once, Errors has each (Error is the first).
type ErrorBody struct {
	Error  ErrorDetail   `json:"error"`
	Errors []ErrorDetail `json:"errors,omitempty"`
}

// ErrorDetail says what went wrong: a code, a message in the request's
// language and, for invalid input, the field.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// WriteError answers with err as JSON.
func WriteError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	err = ToHTTPError(err)
	LogError(log, r, err)
	body := ErrorBody{Error: ErrorDetail{Code: ratusz.ErrorCode(err), Message: Message(Lang(r), err), Field: ratusz.ErrorField(err)}}
	var all ratusz.Invalids
	if errors.As(err, &all) && len(all) > 1 {
		for _, e := range all {
			body.Errors = append(body.Errors, ErrorDetail{Code: e.Code, Message: Message(Lang(r), e), Field: e.Field})
		}
	}
	if body.Error.Code == ratusz.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ratusz"`)
	}
	WriteJSON(w, Status(err), body)
}

// JSON adapts a handler of JSON: its errors are answered as JSON.
func JSON(log *slog.Logger, h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(log, w, r, err)
		}
	}
}

// PathID reads a numeric id from the path; anything else is a page that
// does not exist.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
	}
	return id, nil
}

// Load finds what the path's numeric id name names, with find (a service's
// lookup by id); a path whose id is no number is PathID's not found.
func Load[T any](r *http.Request, name string, find func(context.Context, int64) (T, error)) (T, error) {
	id, err := PathID(r, name)
	if err != nil {
		var zero T
		return zero, err
	}
	return find(r.Context(), id)
}

// FormID reads a numeric id from a form field.
func FormID(r *http.Request, field string) (int64, error) {
	id, err := strconv.ParseInt(r.PostForm.Get(field), 10, 64)
	if err != nil {
		return 0, ratusz.Invalid(field, "err.number")
	}
	return id, nil
}

// DecodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data, wrong types and bodies over MaxBody, each with a message naming what
// is wrong.
func DecodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return ratusz.Invalid("", "err.json_content_type")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		var coded *ratusz.Error
		switch {
		case errors.As(err, &coded):
			return coded
		case errors.As(err, &tooBig):
			return ToHTTPError(err)
		case errors.As(err, &typeErr):
			return ratusz.Invalid(typeErr.Field, "err.json_type", typeErr.Field, typeErr.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return ratusz.Invalid(field, "err.json_unknown_field", field)
		case errors.Is(err, io.EOF):
			return ratusz.Invalid("", "err.json_empty")
		}
		return ratusz.Invalid("", "err.json_malformed")
	}
	if dec.More() {
		return ratusz.Invalid("", "err.json_malformed")
	}
	if field := nulString(reflect.ValueOf(v), ""); field != "" {
		return ratusz.Invalid(field, "err.text_encoding", field)
	}
	return nil
}

// nulString returns the JSON name of the first decoded string holding a
// NUL, which PostgreSQL cannot store (invalid UTF-8 is already replaced by
// the decoder), or "" when there is none.
func nulString(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nulString(v.Elem(), path)
		}
	case reflect.String:
		if strings.ContainsRune(v.String(), 0) {
			return cmp.Or(path, "body")
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if f := nulString(v.Index(i), path); f != "" {
				return f
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if strings.ContainsRune(it.Key().String(), 0) {
				return cmp.Or(path, "body")
			}
			if f := nulString(it.Value(), it.Key().String()); f != "" {
				return f
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" {
				name = t.Field(i).Name
			}
			if f := nulString(v.Field(i), name); f != "" {
				return f
			}
		}
	}
	return ""
}

// WriteJSON answers with v as indented JSON.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
