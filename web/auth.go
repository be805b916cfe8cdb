package web

import (
	"net/http"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/web/httpx"
)

type loginPage struct {
	Page
	Email string
	Next  string
}

func (*loginPage) template() string { return "login" }

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	p := &loginPage{Next: localPath(r.URL.Query().Get("next"))}
	p.Title = "login.title"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// login checks the e-mail and password; on failure the form comes back with
// the message next to the field at fault.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	p := &loginPage{Email: r.PostForm.Get("email"), Next: localPath(r.PostForm.Get("next"))}
	p.Title = "login.title"
	u, err := s.Accounts.Authenticate(r.Context(), p.Email, r.PostForm.Get("password"), clientAddr(r))
	if err != nil {
		if ratusz.ErrorCode(err) == ratusz.EINTERNAL {
			return err
		}
		field := ratusz.ErrorField(err)
		if field == "" {
			field = "password"
		}
		p.Errors = map[string]string{field: httpx.Message(s.lang(r), err)}
		s.render(w, r, httpx.Status(err), p)
		return nil
	}
	id, err := s.Accounts.CreateSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, id, account.SessionLifetime)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
