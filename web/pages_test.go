package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz/internal/account"
)

func TestAdminCreatesSecretary(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	b.login("admin@przykladowo.pl", "demo-admin-2026")

	t.Run("ErrFormReshown", func(t *testing.T) {
		res := b.post("/admin/users", url.Values{"email": {"zly-adres"}, "name": {"Anna"}, "password": {"0123456789ab"}, "roles": {"secretary"}})
		if res.Status != http.StatusBadRequest {
			t.Fatalf("status %d", res.Status)
		}
		if !strings.Contains(res.Body, `id="email-error"`) || !strings.Contains(res.Body, "Podaj poprawny adres e-mail") {
			t.Fatalf("no message next to the e-mail field:\n%s", res.Body)
		}
		if !strings.Contains(res.Body, `value="Anna"`) {
			t.Fatal("the form lost what was typed")
		}
	})
	t.Run("OK", func(t *testing.T) {
		res := b.post("/admin/users", url.Values{"email": {"anna.sekretarz@przykladowo.pl"}, "name": {"Anna Sekretarz"}, "password": {"0123456789ab"}, "roles": {"secretary"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", res.Status, res.Body)
		}
		list := b.get("/admin/users?saved=1")
		if !strings.Contains(list.Body, "Anna Sekretarz") || !strings.Contains(list.Body, "Zapisano konto.") {
			t.Fatal("new account not listed")
		}
		// The new secretary can sign in, and cannot manage accounts.
		s := e.browser()
		s.login("anna.sekretarz@przykladowo.pl", "0123456789ab")
		if res := s.get("/admin/users"); res.Status != http.StatusForbidden {
			t.Fatalf("secretary on admin page: %d", res.Status)
		}
		if res := s.post("/admin/users", url.Values{"email": {"x@przykladowo.pl"}, "name": {"X"}, "password": {"0123456789ab"}}); res.Status != http.StatusForbidden {
			t.Fatalf("secretary created an account: %d", res.Status)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		res := b.post("/admin/users", url.Values{"email": {"Anna.Sekretarz@przykladowo.pl"}, "name": {"Druga"}, "password": {"0123456789ab"}})
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "już istnieje") {
			t.Fatalf("status %d", res.Status)
		}
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		res := b.post("/admin/users", url.Values{"email": {"csrf@przykladowo.pl"}, "name": {"CSRF"}, "password": {"0123456789ab"}},
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if res.Status != http.StatusForbidden {
			t.Fatalf("cross-site form accepted: %d", res.Status)
		}
		if _, err := e.Accounts.FindUserByEmail(system, "csrf@przykladowo.pl"); err == nil {
			t.Fatal("a cross-site request created an account")
		}
	})
	t.Run("Logout", func(t *testing.T) {
		if res := b.post("/logout", nil); res.Status != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.Status)
		}
		if res := b.get("/admin/users"); res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, "/login?next=") {
			t.Fatalf("after logout: %d", res.Status)
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	t.Run("ErrWrongPassword", func(t *testing.T) {
		res := e.browser().post("/login", url.Values{"email": {"admin@przykladowo.pl"}, "password": {"nope"}})
		if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, `id="password-error"`) {
			t.Fatalf("status %d", res.Status)
		}
		if strings.Contains(res.Body, `value="nope"`) {
			t.Fatal("the password was echoed back")
		}
	})
	t.Run("ErrEmptyEmail", func(t *testing.T) {
		res := e.browser().post("/login", url.Values{"password": {"x"}}, "Accept-Language", "en")
		if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="email-error"`) || !strings.Contains(res.Body, "This field is required.") {
			t.Fatalf("status %d\n%s", res.Status, res.Body)
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		for i := 0; i < account.MaxFailuresAccount; i++ {
			e.browser().post("/login", url.Values{"email": {"bo@przykladowo.pl"}, "password": {"wrong"}})
		}
		res := e.browser().post("/login", url.Values{"email": {"bo@przykladowo.pl"}, "password": {"demo-bo-2026"}})
		if res.Status != http.StatusTooManyRequests || !strings.Contains(res.Body, "Zbyt wiele") {
			t.Fatalf("status %d", res.Status)
		}
	})
	t.Run("CookieFlags", func(t *testing.T) {
		res := e.browser().post("/login", url.Values{"email": {"admin@przykladowo.pl"}, "password": {"demo-admin-2026"}, "next": {"//evil.example/"}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Fatalf("redirect after login left the site: %q", loc)
		}
		c := res.Header.Get("Set-Cookie")
		if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Fatalf("cookie %q", c)
		}
		var n int
		e.Pool.QueryRow(system, "SELECT count(*) FROM web_sessions").Scan(&n)
		if n == 0 || strings.Contains(c, "admin") {
			t.Fatal("session not stored, or the cookie holds more than an id")
		}
	})
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	if res := b.get("/"); !strings.Contains(res.Body, `<html lang="pl">`) || !strings.Contains(res.Body, "Przejdź do treści") {
		t.Fatal("Polish is not the default")
	}
	res := e.do("GET", "/", "", nil, "Accept-Language", "en-US,en;q=0.8,pl;q=0.5")
	if !strings.Contains(res.Body, `<html lang="en">`) || !strings.Contains(res.Body, "Skip to content") {
		t.Fatal("Accept-Language: en not honoured")
	}
	if res := b.get("/lang/en?next=/deklaracja-dostepnosci"); res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/deklaracja-dostepnosci" {
		t.Fatalf("switch: %d %s", res.Status, res.Header.Get("Location"))
	}
	if res := b.get("/deklaracja-dostepnosci"); !strings.Contains(res.Body, "Accessibility statement") {
		t.Fatal("switch did not stick")
	}
	if res := b.get("/lang/en?next=https://evil.example"); res.Header.Get("Location") != "/" {
		t.Fatal("language switch redirects off-site")
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if res := e.do("GET", "/healthz", "", nil); res.Status != 200 {
		t.Fatalf("healthz %d", res.Status)
	}
	if res := e.do("GET", "/readyz", "", nil); res.Status != 200 || res.json(t)["status"] != "ready" {
		t.Fatalf("readyz %d %s", res.Status, res.Body)
	}
	e.do("GET", "/", "", nil)
	res := e.do("GET", "/metrics", "", nil)
	for _, want := range []string{"go_goroutines", "go_gc_duration_seconds", "process_resident_memory_bytes", `ratusz_http_requests_total{method="GET",route="/",status="200"}`} {
		if !strings.Contains(res.Body, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	if res := e.do("GET", "/", "", nil); res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("security headers missing")
	}
	// Not migrated: readyz says so.
	if _, err := e.Pool.Exec(system, "DELETE FROM schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if res := e.do("GET", "/readyz", "", nil); res.Status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with migrations pending: %d", res.Status)
	}
}

// Every /api/v1 route is in the OpenAPI document and every documented path
// and method is routed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	res := e.do("GET", "/api/v1/openapi.json", "", nil)
	if err := jsonUnmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
		}
	}
	routed := map[string]bool{}
	chi.Walk(e.Server.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(route, "/api/v1/") && !strings.HasSuffix(route, "/*") {
			routed[method+" "+strings.TrimSuffix(route, "/")] = true
		}
		return nil
	})
	for r := range routed {
		if !documented[r] {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for d := range documented {
		if !routed[d] {
			t.Errorf("openapi.json documents %s, which is not routed", d)
		}
	}
	if len(routed) < 4 {
		t.Fatalf("walked only %d API routes", len(routed))
	}
}

// Messages that handlers put on a page before it is rendered (notices,
// field errors, facet labels) come in the reader's language too.
func TestEnglishMessagesSetByHandlers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	var consultation int64
	e.Pool.QueryRow(system, "SELECT min(id) FROM consultations WHERE state = 'open'").Scan(&consultation)
	b := e.browser()
	b.get("/lang/en?next=/")
	b.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	for path, want := range map[string]string{
		"/szukaj?q=budzet":                                          "BIP publication</a>",
		"/szukaj?q=budzet&typ=bip":                                  ">Resolutions</a>", // the category facet names, not slugs
		"/rada/interpelacje?stan=zzz":                               "The status must be one of",
		"/bip/rejestr-zmian?rodzaj=zzz":                             "Unknown kind of change.",
		"/szukaj/zapisane?usunieto=1":                               "Saved search deleted.",
		fmt.Sprintf("/konsultacje/%d?zapisano=uwaga", consultation): "Thank you: your remark was received.",
	} {
		if res := b.get(path); !strings.Contains(res.Body, `<html lang="en">`) || !strings.Contains(res.Body, want) {
			t.Errorf("%s: %d, no %q in English", path, res.Status, want)
		}
	}
}

// Shares have a decimal comma in Polish and a point in English; a session
// is named in English without the Polish genitive; change-log rows say
// "no." in English.
func TestNumbersAndNamesInBothLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var consultation int64
	e.Pool.QueryRow(system, "SELECT min(id) FROM consultations WHERE state = 'closed'").Scan(&consultation)
	results := fmt.Sprintf("/konsultacje/%d/wyniki", consultation)
	b := e.browser()
	pl := b.get(results).Body
	if !regexp.MustCompile(`\d,\d%`).MatchString(pl) || regexp.MustCompile(`\d\.\d%`).MatchString(pl) {
		t.Errorf("Polish results without decimal commas:\n%s", pl)
	}
	if avg := regexp.MustCompile(`Średnia: ([\d.,]+)`).FindStringSubmatch(pl); avg == nil || strings.Contains(avg[1], ".") {
		t.Errorf("Polish average %v", avg)
	}
	if s := b.get("/rada/sesje/1").Body; !strings.Contains(s, "Sesja XI Rady Gminy Przykładowo") {
		t.Error("Polish session name")
	}
	b.get("/lang/en?next=/")
	en := b.get(results).Body
	if !regexp.MustCompile(`\d\.\d%`).MatchString(en) || regexp.MustCompile(`\d,\d%`).MatchString(en) {
		t.Errorf("English results without decimal points:\n%s", en)
	}
	if s := b.get("/rada/sesje/1").Body; !strings.Contains(s, "Session XI of Rada Gminy Przykładowo") || strings.Contains(s, "Session XI Rady") {
		t.Error("English session name mixes in the Polish genitive")
	}
	if s := b.get("/bip/rejestr-zmian").Body; !strings.Contains(s, "(no. ") || strings.Contains(s, "(nr ") {
		t.Error("English change log says nr")
	}
	if r := b.get("/rada/glosowania/abc"); r.Status != 404 || !strings.Contains(r.Body, "There is no such page.") {
		t.Errorf("a vote address that is not a number: %d", r.Status)
	}
}
