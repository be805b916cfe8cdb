package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/web/httpx"
)

type adminUsersPage struct {
	Page
	Users []*account.User
	Total int
	Query string
	Role  ratusz.Role
	Roles []ratusz.Role
}

func (*adminUsersPage) template() string { return "admin_users" }

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := account.UserFilter{Query: q.Get("q"), Role: ratusz.Role(q.Get("role")), Limit: 200}
	users, total, err := s.Accounts.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	p := &adminUsersPage{Users: users, Total: total, Query: f.Query, Role: f.Role, Roles: ratusz.Roles}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "admin.users.title"
	p.Section = "admin"
	if q.Get("saved") != "" {
		p.Notice = p.T("admin.users.saved")
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

type adminUserPage struct {
	Page
	User  *account.User // nil for a new account
	Input account.UserInput
	Roles []ratusz.Role
}

func (*adminUserPage) template() string { return "admin_user" }

// HasRole reports whether the form's roles hold r.
func (p *adminUserPage) HasRole(r ratusz.Role) bool {
	for _, x := range p.Input.Roles {
		if x == r {
			return true
		}
	}
	return false
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, code int, p *adminUserPage) {
	p.Roles = ratusz.Roles
	p.Section = "admin"
	p.Title = "admin.user.new"
	if p.User != nil {
		p.Title = "admin.user.edit"
	}
	s.render(w, r, code, p)
}

func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	s.renderUserForm(w, r, http.StatusOK, &adminUserPage{})
	return nil
}

func userInputFromForm(r *http.Request) (account.UserInput, error) {
	in := account.UserInput{
		Email:    r.PostForm.Get("email"),
		Name:     r.PostForm.Get("name"),
		Password: r.PostForm.Get("password"),
		Disabled: r.PostForm.Get("disabled") == "on",
	}
	for _, v := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, ratusz.Role(v))
	}
	return in, nil
}

// formError re-shows a form with the message next to its field, or returns
// the error when it is not about the input.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, p *adminUserPage) error {
	switch ratusz.ErrorCode(err) {
	case ratusz.EINVALID, ratusz.ECONFLICT:
		field := ratusz.ErrorField(err)
		if field == "" {
			field = "form"
		}
		p.Input.Password = ""
		p.Errors = map[string]string{field: httpx.Message(s.lang(r), err)}
		s.renderUserForm(w, r, httpx.Status(err), p)
		return nil
	}
	return err
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := userInputFromForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.CreateUser(r.Context(), in); err != nil {
		return s.formError(w, r, err, &adminUserPage{Input: in})
	}
	http.Redirect(w, r, "/admin/users?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) userFromURL(r *http.Request) (*account.User, error) {
	return s.Accounts.FindUserByIDText(r.Context(), chi.URLParam(r, "id"))
}

func (s *Server) adminUserEdit(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	u, err := s.userFromURL(r)
	if err != nil {
		return err
	}
	in := account.UserInput{Email: u.EmailString(), Name: u.Name, Roles: u.Roles, Disabled: u.Disabled}
	s.renderUserForm(w, r, http.StatusOK, &adminUserPage{User: u, Input: in})
	return nil
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	u, err := s.userFromURL(r)
	if err != nil {
		return err
	}
	in, err := userInputFromForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.UpdateUser(r.Context(), u.ID, in); err != nil {
		return s.formError(w, r, err, &adminUserPage{User: u, Input: in})
	}
	http.Redirect(w, r, "/admin/users?saved=1", http.StatusSeeOther)
	return nil
}
