package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/i18n"
)

// Every template renders, with its typed page, in both languages, and
// shows no catalogue key untranslated.
func TestRenderEveryTemplate(t *testing.T) {
	cfg, _ := config.Load(func(string) string { return "" })
	s := &Server{cfg: cfg, log: nil}
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s.pages = pages
	s.log = discardLogger()
	email := "anna@example.pl"
	user := &account.User{ID: 3, Email: &email, Name: "Anna", Roles: []ratusz.Role{ratusz.RoleSecretary}, CreatedAt: time.Now()}
	admin := ratusz.Actor{UserID: 1, Name: "Admin", Roles: []ratusz.Role{ratusz.RoleAdmin}}
	examples := map[string]pager{
		"home":          &homePage{},
		"section":       &sectionPage{Key: "council"},
		"error":         &errorPage{Status: 401, Message: "x", Login: "/login"},
		"login":         &loginPage{Email: "a@b.pl", Next: "/"},
		"admin_users":   &adminUsersPage{Users: []*account.User{user}, Total: 1, Roles: ratusz.Roles},
		"admin_user":    &adminUserPage{User: user, Input: account.UserInput{Email: email, Name: "Anna", Roles: user.Roles}, Roles: ratusz.Roles},
		"accessibility": &accessibilityPage{Published: statementDate, Reviewed: statementDate},
	}
	names, _ := fs.Glob(assets, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		if _, ok := examples[name]; !ok {
			t.Errorf("template %s has no example page in this test", name)
		}
	}
	for name, p := range examples {
		for _, lang := range i18n.Langs {
			t.Run(name+"_"+string(lang), func(t *testing.T) {
				p.base().Title = "home.title"
				p.base().Errors = map[string]string{"email": "bad"}
				r := httptest.NewRequest("GET", "/", nil)
				r.AddCookie(&http.Cookie{Name: langCookie, Value: string(lang)})
				r = r.WithContext(ratusz.NewContextWithActor(r.Context(), admin))
				w := httptest.NewRecorder()
				s.render(w, r, 200, name, p)
				if w.Code != 200 {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				body := w.Body.String()
				if !strings.Contains(body, `<html lang="`+string(lang)+`">`) {
					t.Fatal("wrong lang attribute")
				}
				for _, k := range i18n.Keys() {
					if strings.Contains(body, ">"+k+"<") || strings.Contains(body, `"`+k+`"`) {
						t.Errorf("untranslated key %s in page", k)
					}
				}
			})
		}
	}
}
