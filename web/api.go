package web

import (
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
)

//go:embed api/openapi.json
var openAPIDoc embed.FS

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	b, _ := openAPIDoc.ReadFile("api/openapi.json")
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
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

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
}

func (s *Server) apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	u, err := s.accounts.FindUserByID(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := account.UserFilter{Query: q.Get("q"), Role: ratusz.Role(q.Get("role"))}
	var err error
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 500 {
			return ratusz.Invalid("limit", "err.range", 1, 500)
		}
	}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			return ratusz.Invalid("offset", "err.range", 0, 1<<31)
		}
	}
	users, total, err := s.accounts.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	if users == nil {
		users = []*account.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": users, "total": total})
	return nil
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	// Permission first: an anonymous caller learns nothing about validation.
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	var in account.UserInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.accounts.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userFromURL(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
