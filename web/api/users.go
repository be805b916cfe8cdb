package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/web/httpx"
)

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	actor := ratusz.ActorFromContext(r.Context())
	if err := actor.Require(); err != nil {
		return err
	}
	u, err := a.Accounts.FindUserByID(r.Context(), actor.UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) users(w http.ResponseWriter, r *http.Request) error {
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
	users, total, err := a.Accounts.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	if users == nil {
		users = []*account.User{}
	}
	httpx.WriteJSON(w, http.StatusOK, List[*account.User]{Data: users, Total: total})
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	// Permission first: an anonymous caller learns nothing about validation.
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	var in account.UserInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := a.Accounts.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) user(w http.ResponseWriter, r *http.Request) error {
	u, err := a.Accounts.FindUserByIDText(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u)
	return nil
}
