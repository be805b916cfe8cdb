package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestAPIUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	admin := e.token("admin@przykladowo.pl")
	secretary := e.token("biuro.rady@przykladowo.pl")
	countUsers := func() int {
		var n int
		e.Pool.QueryRow(system, "SELECT count(*) FROM users").Scan(&n)
		return n
	}
	before := countUsers()

	t.Run("OK", func(t *testing.T) {
		res := e.do("POST", "/api/v1/users", admin, strings.NewReader(`{"email":"nowa@przykladowo.pl","name":"Ewa Nowa","roles":["secretary"],"password":"0123456789ab"}`))
		if res.Status != http.StatusCreated {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		if res.json(t)["name"] != "Ewa Nowa" || res.Header.Get("Location") == "" {
			t.Fatalf("body %s", res.Body)
		}
		if strings.Contains(res.Body, "password") {
			t.Fatal("response leaks the password hash")
		}
		before++
		me := e.do("GET", "/api/v1/me", secretary, nil)
		if me.Status != 200 || me.json(t)["email"] != "biuro.rady@przykladowo.pl" {
			t.Fatalf("me: %d %s", me.Status, me.Body)
		}
		list := e.do("GET", "/api/v1/users?role=secretary&limit=10", admin, nil)
		if list.Status != 200 || list.json(t)["total"].(float64) != 2 {
			t.Fatalf("list: %d %s", list.Status, list.Body)
		}
	})

	cases := []struct {
		name, token, body string
		status            int
		code, field       string
	}{
		{"ErrNoToken", "", `{"email":"a@b.pl","name":"A","password":"0123456789"}`, 401, "unauthorized", ""},
		{"ErrBadToken", "rtz_forged", `{"email":"a@b.pl","name":"A","password":"0123456789"}`, 401, "unauthorized", ""},
		{"ErrForbidden", secretary, `{"email":"a@b.pl","name":"A","password":"0123456789"}`, 403, "forbidden", ""},
		{"ErrUnknownField", admin, `{"email":"a@b.pl","name":"A","password":"0123456789","is_admin":true}`, 400, "invalid", "is_admin"},
		{"ErrWrongType", admin, `{"email":"a@b.pl","name":42,"password":"0123456789"}`, 400, "invalid", "name"},
		{"ErrInvalidEmail", admin, `{"email":"a-at-b","name":"A","password":"0123456789"}`, 400, "invalid", "email"},
		{"ErrShortPassword", admin, `{"email":"a@b.pl","name":"A","password":"123"}`, 400, "invalid", "password"},
		{"ErrUnknownRole", admin, `{"email":"a@b.pl","name":"A","password":"0123456789","roles":["mayor"]}`, 400, "invalid", "roles"},
		{"ErrMalformed", admin, `{"email":`, 400, "invalid", ""},
		{"ErrConflict", admin, `{"email":"ADMIN@przykladowo.pl","name":"A","password":"0123456789"}`, 409, "conflict", "email"},
		{"ErrTooLarge", admin, `{"email":"a@b.pl","name":"` + strings.Repeat("x", 2<<20) + `","password":"0123456789"}`, 413, "too_large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do("POST", "/api/v1/users", c.token, strings.NewReader(c.body))
			code, field, msg := res.apiError(t)
			if res.Status != c.status || code != c.code || field != c.field || msg == "" {
				t.Fatalf("got %d %s field=%q msg=%q, want %d %s field=%q", res.Status, code, field, msg, c.status, c.code, c.field)
			}
			if n := countUsers(); n != before {
				t.Fatalf("a refused request stored an account (%d → %d)", before, n)
			}
		})
	}
	t.Run("ErrMessageInEnglish", func(t *testing.T) {
		res := e.do("POST", "/api/v1/users", admin, strings.NewReader(`{"email":"x","name":"A","password":"0123456789"}`), "Accept-Language", "en-GB,en;q=0.9")
		if _, _, msg := res.apiError(t); !strings.Contains(msg, "valid e-mail") {
			t.Fatalf("message %q not in English", msg)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		res := e.do("GET", "/api/v1/users/999999", admin, nil)
		if code, _, _ := res.apiError(t); res.Status != 404 || code != "not_found" {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		res = e.do("GET", "/api/v1/nothing-here", admin, nil)
		if code, _, _ := res.apiError(t); res.Status != 404 || code != "not_found" {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		u, _ := e.Accounts.FindUserByEmail(system, "admin@przykladowo.pl")
		res := e.do("GET", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), secretary, nil)
		if res.Status != 403 {
			t.Fatalf("a secretary read another account: %d", res.Status)
		}
	})
}
