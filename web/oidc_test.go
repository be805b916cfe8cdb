package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ratusz/ratusz/internal/oidctest"
)

func oidcEnv(t *testing.T) (*env, *oidctest.Provider) {
	op := oidctest.New()
	t.Cleanup(op.Close)
	e := newEnv(t, map[string]string{
		"RATUSZ_OIDC_ISSUER": op.URL, "RATUSZ_OIDC_CLIENT_ID": op.ClientID, "RATUSZ_OIDC_CLIENT_SECRET": op.ClientSecret,
		"RATUSZ_OIDC_VERIFIED_CLAIM": "resident_of=Przykładowo",
	})
	return e, op
}

// follow walks redirects across our site and the provider, returning the
// last response.
func (b *browser) follow(path string) response {
	b.e.t.Helper()
	next := b.e.URL + path
	for i := 0; i < 10; i++ {
		res, err := b.Get(next)
		if err != nil {
			b.e.t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 300 || res.StatusCode >= 400 {
			return response{Status: res.StatusCode, Header: res.Header}
		}
		loc, _ := res.Location()
		next = loc.String()
		if strings.HasPrefix(next, b.e.URL) && !strings.Contains(next, "/auth/oidc/") {
			return response{Status: res.StatusCode, Header: res.Header}
		}
	}
	b.e.t.Fatal("too many redirects")
	return response{}
}

func TestOIDCLogin(t *testing.T) {
	t.Parallel()
	e, op := oidcEnv(t)
	op.AutoLogin = "resident-7"
	op.Claims["resident_of"] = "Przykładowo"

	t.Run("OK", func(t *testing.T) {
		b := e.browser()
		res := b.follow("/auth/oidc/login?next=/rada")
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/rada" {
			t.Fatalf("status %d location %q", res.Status, res.Header.Get("Location"))
		}
		home := b.get("/")
		if !strings.Contains(home.Body, "Mieszkanka resident-7") {
			t.Fatal("resident not signed in")
		}
		var verified bool
		var roles []string
		if err := e.Pool.QueryRow(system, "SELECT verified, roles FROM users WHERE oidc_issuer = $1 AND oidc_subject = 'resident-7'", op.URL).Scan(&verified, &roles); err != nil {
			t.Fatal(err)
		}
		if !verified || len(roles) != 1 || roles[0] != "resident" {
			t.Fatalf("verified=%v roles=%v", verified, roles)
		}
	})

	t.Run("PKCEAndNonceSent", func(t *testing.T) {
		res := e.browser().get("/auth/oidc/login")
		u, _ := url.Parse(res.Header.Get("Location"))
		q := u.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Fatalf("authorization request lacks PKCE, state or nonce: %s", u)
		}
	})

	refusals := map[string]func(bool){
		"ErrWrongNonce":    func(on bool) { op.WrongNonce = on },
		"ErrWrongAudience": func(on bool) { op.WrongAudience = on },
		"ErrExpired":       func(on bool) { op.Expired = on },
		"ErrBadSignature":  func(on bool) { op.BadSignature = on },
	}
	for name, set := range refusals {
		t.Run(name, func(t *testing.T) {
			set(true)
			defer set(false)
			b := e.browser()
			// Stop at our callback to see its answer.
			res := b.get("/auth/oidc/login")
			cb, err := b.Get(res.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			cb.Body.Close()
			loc, _ := cb.Location()
			final := b.get(strings.TrimPrefix(loc.String(), e.URL))
			if final.Status != http.StatusUnauthorized || !strings.Contains(final.Body, "nie powiodło się") {
				t.Fatalf("%s: status %d", name, final.Status)
			}
			if home := b.get("/"); !strings.Contains(home.Body, `href="/login"`) {
				t.Fatalf("%s: signed in anyway", name)
			}
		})
	}

	t.Run("ErrReplayedState", func(t *testing.T) {
		b := e.browser()
		res := b.get("/auth/oidc/login")
		cb, _ := b.Get(res.Header.Get("Location"))
		cb.Body.Close()
		loc, _ := cb.Location()
		path := strings.TrimPrefix(loc.String(), e.URL)
		if first := b.get(path); first.Status != http.StatusSeeOther {
			t.Fatalf("first use: %d", first.Status)
		}
		if again := e.browser().get(path); again.Status != http.StatusUnauthorized {
			t.Fatalf("a used state was accepted again: %d", again.Status)
		}
	})

	// Login CSRF: an attacker starts a sign-in with their own account and
	// hands the victim the callback address. The victim's browser did not
	// start that sign-in, so it is refused, and the attacker's own browser
	// can still finish it.
	t.Run("ErrCallbackFromAnotherBrowser", func(t *testing.T) {
		attacker := e.browser()
		res := attacker.get("/auth/oidc/login")
		cb, _ := attacker.Get(res.Header.Get("Location"))
		cb.Body.Close()
		loc, _ := cb.Location()
		path := strings.TrimPrefix(loc.String(), e.URL)
		victim := e.browser()
		if got := victim.get(path); got.Status != http.StatusUnauthorized {
			t.Fatalf("victim's browser: %d", got.Status)
		}
		if home := victim.get("/"); !strings.Contains(home.Body, `href="/login"`) {
			t.Fatal("victim signed in as the attacker")
		}
	})

	t.Run("ErrForgedState", func(t *testing.T) {
		if res := e.browser().get("/auth/oidc/callback?code=x&state=forged"); res.Status != http.StatusUnauthorized {
			t.Fatalf("forged state: %d", res.Status)
		}
	})
}

func TestOIDCOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if res := e.browser().get("/auth/oidc/login"); res.Status != http.StatusNotFound {
		t.Fatalf("OIDC off: %d", res.Status)
	}
}

// The demo's stand-in for login.gov.pl, as make run starts it: a newcomer
// follows "Zaloguj się przez …" from the home page, is told plainly the
// page is a stand-in, types a name, and is back signed in as a verified
// resident.
func TestDemoLogin(t *testing.T) {
	t.Parallel()
	op, err := oidctest.NewDemo("127.0.0.1:0", "Gmina Przykładowo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.Close)
	e := newEnv(t, map[string]string{"RATUSZ_OIDC_ISSUER": op.URL, "RATUSZ_OIDC_CLIENT_ID": op.ClientID, "RATUSZ_OIDC_CLIENT_SECRET": op.ClientSecret,
		"RATUSZ_OIDC_VERIFIED_CLAIM": "resident_of=Gmina Przykładowo", "RATUSZ_OIDC_NAME": "login.gov.pl (demo)"})
	b := e.browser()
	home := b.get("/").Body
	if !strings.Contains(home, `href="/auth/oidc/login">Zaloguj się przez login.gov.pl (demo)</a>`) {
		t.Fatalf("the home page has no resident sign-in:\n%s", home)
	}
	res := b.get("/auth/oidc/login?next=/budzet-obywatelski")
	page, err := b.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "To nie jest login.gov.pl.") {
		t.Fatalf("the stand-in does not say what it is:\n%s", body)
	}
	// Sign in as the form would post it.
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(string(body), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("name", "Anna Mieszkańska")
	form.Set("login", "demo-7")
	form.Set("resident", "1")
	cb, err := b.PostForm(op.URL+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	cb.Body.Close()
	loc, _ := cb.Location()
	if done := b.get(strings.TrimPrefix(loc.String(), e.URL)); done.Status != http.StatusSeeOther || done.Header.Get("Location") != "/budzet-obywatelski" {
		t.Fatalf("callback: %d %s", done.Status, done.Header.Get("Location"))
	}
	if home := b.get("/").Body; !strings.Contains(home, "Anna Mieszkańska") {
		t.Fatal("not signed in")
	}
	var verified bool
	if err := e.Pool.QueryRow(system, "SELECT verified FROM users WHERE oidc_subject = 'demo-7'").Scan(&verified); err != nil || !verified {
		t.Fatalf("not a verified resident: %v %v", verified, err)
	}
}
