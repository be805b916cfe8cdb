package api

import (
	"net/http"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/web/httpx"
)

// Follows and the caller's phone and e-mail for notices. Each person sees and
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
	if _, err := a.Notify.Unfollow(r.Context(), id); err != nil {
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
		Phone *string `json:"phone"`
		Email *string `json:"email"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c *notify.Contact
	var err error
	switch {
	case in.Phone != nil && in.Email != nil:
		return ratusz.Invalid("email", "err.notify.one_contact")
	case in.Email != nil:
		c, err = a.Notify.SetEmail(r.Context(), *in.Email, httpx.Lang(r))
	default:
		c, err = a.Notify.SetPhone(r.Context(), deref(in.Phone), httpx.Lang(r))
	}
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
		Code      *string `json:"code"`       // sent to the phone
		EmailCode *string `json:"email_code"` // sent to the e-mail address
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c *notify.Contact
	var err error
	if in.EmailCode != nil && in.Code != nil {
		return ratusz.Invalid("email_code", "err.notify.one_contact")
	}
	if in.EmailCode != nil {
		c, err = a.Notify.VerifyEmail(r.Context(), *in.EmailCode)
	} else {
		c, err = a.Notify.VerifyPhone(r.Context(), deref(in.Code))
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
