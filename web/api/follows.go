package api

import (
	"net/http"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/web/httpx"
)

// Follows and the caller's phone for SMS notices. Each person sees and
// ends only their own follows; messages go out in the language the follow
// was made in (the request's).

func (a *API) follow(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	var in notify.FollowInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	f, err := a.Notify.Follow(r.Context(), in, httpx.Lang(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, f)
	return nil
}

func (a *API) follows(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Notify.Follows(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*notify.Follow{}
	}
	httpx.WriteJSON(w, http.StatusOK, Items[*notify.Follow]{Data: list})
	return nil
}

func (a *API) unfollow(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.Notify.Unfollow(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) contact(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	var in struct {
		Phone string `json:"phone"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Notify.SetPhone(r.Context(), in.Phone, httpx.Lang(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) verifyContact(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Notify.VerifyPhone(r.Context(), in.Code)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}
