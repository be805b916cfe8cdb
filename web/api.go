package web

import (
	"embed"
	"net/http"
	"strconv"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/web/httpx"
)

//go:embed api/openapi.json
var openAPIDoc embed.FS

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	b, _ := openAPIDoc.ReadFile("api/openapi.json")
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
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
	u, err := s.Accounts.FindUserByID(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u)
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
	users, total, err := s.Accounts.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	if users == nil {
		users = []*account.User{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": users, "total": total})
	return nil
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	// Permission first: an anonymous caller learns nothing about validation.
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	var in account.UserInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.Accounts.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userFromURL(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u)
	return nil
}
