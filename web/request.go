package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
)

// Helpers every handler uses to read a request and answer it: ids from the
// path and the form, JSON in and out, and a form shown again with its
// errors.

// pathID reads a numeric id from the path; anything else is a page that
// does not exist.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
	}
	return id, nil
}

func formID(r *http.Request, field string) (int64, error) {
	id, err := strconv.ParseInt(r.PostForm.Get(field), 10, 64)
	if err != nil {
		return 0, ratusz.Invalid(field, "err.number")
	}
	return id, nil
}

// decodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data, wrong types and bodies over MaxBody, each with a message naming what
// is wrong.
func decodeJSON(r *http.Request, v any) error {
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
			return toHTTPError(err)
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

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// showAgain shows a form again with the message next to its field (or
// `fallback` for errors of no field); other errors are returned.
func (s *Server) showAgain(r *http.Request, err error, fallback string, again func(errs map[string]string) error) error {
	switch ratusz.ErrorCode(err) {
	case ratusz.EINVALID, ratusz.ECONFLICT, ratusz.ETOOLARGE, ratusz.ETOOMANY:
		field := ratusz.ErrorField(err)
		if field == "" {
			field = fallback
		}
		return again(map[string]string{field: message(s.lang(r), err)})
	}
	return err
}
