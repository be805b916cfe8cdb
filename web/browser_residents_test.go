package web_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// What a resident does, in a browser, from the home page on: signs in
// through the identity provider, fills in a budget ballot before signing in
// and casts it after, follows a councillor and hears of her next vote by
// e-mail, stops that from the message's link without signing in, and meets
// a survey's errors all at once. Pages in Polish and English, each checked
// by axe at 1280 and 390 px.
func TestBrowserResidents(t *testing.T) {
	e, op := oidcEnv(t)
	op.Claims["resident_of"] = "Przykładowo"
	p := newPage(t, e.URL)
	signOut := func() {
		p.t.Helper()
		p.click("header form button")
		if !strings.Contains(p.text(), "Zaloguj") && !strings.Contains(p.text(), "Sign in") {
			p.t.Fatalf("not signed out: %s", p.text())
		}
	}
	atProvider := func(login string) {
		p.t.Helper()
		if !strings.Contains(p.text(), "Test identity provider") {
			p.t.Fatalf("not at the provider: %s\n%s", p.location(), p.text())
		}
		p.fill("#login", login)
		p.click("#approve")
	}

	t.Run("SignInFromHome", func(t *testing.T) {
		p.t = t
		p.open("/")
		// The residents' way in is on the home page itself, apart from
		// the staff's.
		p.click(`main a.button[href^="/auth/oidc/login"]`)
		atProvider("mieszkanka-21")
		if p.location() != "/" || !strings.Contains(p.text(), "Mieszkanka mieszkanka-21") {
			t.Fatalf("signed in, but at %s:\n%s", p.location(), p.text())
		}
		p.check("pl_home_resident")
		p.open("/lang/en?next=/")
		if !strings.Contains(p.text(), "Mieszkanka mieszkanka-21") || !strings.Contains(p.text(), "Skip to content") {
			t.Fatalf("the English home page: %s", p.text())
		}
		p.check("en_home_resident")
		signOut()
		p.open("/lang/pl?next=/")
	})

	t.Run("BallotAcrossSignIn", func(t *testing.T) {
		p.t = t
		// In English this time: a visitor fills in the ballot first.
		p.open("/lang/en?next=/budzet-obywatelski/2/glosuj")
		txt := p.text()
		if !strings.Contains(txt, "sign in") || !strings.Contains(txt, "0 projects chosen") {
			t.Fatalf("the ballot to a visitor: no sign-in prompt or running total:\n%s", txt)
		}
		boxes := value(p, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input[name=p]')).map(el => el.id)`))
		if len(boxes) < 2 {
			t.Fatalf("%d projects on the ballot", len(boxes))
		}
		p.click("#" + boxes[0])
		p.click("#" + boxes[1])
		total := value(p, chromedp.Text(chromedp.CSS("#ballot-total")))
		if !strings.HasPrefix(total, "2 projects chosen · total cost: ") || !strings.HasSuffix(total, "\u00a0zł") {
			t.Fatalf("running total: %q", total)
		}
		// Four across pools are within each pool's three: no warning (the
		// limit holds per pool, as the server counts it).
		p.click("#" + boxes[2])
		p.click("#" + boxes[3])
		if total := value(p, chromedp.Text(chromedp.CSS("#ballot-total"))); !strings.HasPrefix(total, "4 projects chosen") || strings.Contains(total, "More projects") {
			t.Fatalf("four across pools: %q", total)
		}
		p.click("#" + boxes[2])
		p.click("#" + boxes[3])
		p.check("en_budzet_glosuj_visitor")
		p.click(`form.form.wide button[type=submit]`)
		if !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("the visitor's ballot went to %s, not the sign-in", p.location())
		}
		p.check("en_login_for_ballot")
		p.click(`a[href^="/auth/oidc/login"]`)
		atProvider("mieszkaniec-22")
		if !strings.HasPrefix(p.location(), "/budzet-obywatelski/2/glosuj") {
			t.Fatalf("after the sign-in: %s", p.location())
		}
		kept := value(p, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input[name=p]:checked')).map(el => el.id)`))
		sort.Strings(kept)
		want := []string{boxes[0], boxes[1]}
		sort.Strings(want)
		if fmt.Sprint(kept) != fmt.Sprint(want) {
			t.Fatalf("choices after the sign-in: %v, want %v", kept, want)
		}
		if total := value(p, chromedp.Text(chromedp.CSS("#ballot-total"))); !strings.HasPrefix(total, "2 projects chosen") {
			t.Fatalf("running total after the sign-in: %q", total)
		}
		p.click(`form.form.wide button[type=submit]`)
		if txt := p.text(); !strings.Contains(txt, "Check your vote") || !strings.Contains(txt, "2 projects chosen") || !strings.Contains(txt, "total cost") {
			t.Fatalf("no check step: %s", txt)
		}
		p.check("en_budzet_check")
		p.click(`form.actions button[type=submit]:not([formmethod])`)
		txt = p.text()
		code := regexp.MustCompile(`[A-Z0-9]{4}(-[A-Z0-9]{4}){2,}`).FindString(txt)
		if code == "" || !strings.Contains(txt, "Download") {
			t.Fatalf("no receipt to keep: %s", txt)
		}
		p.check("en_budzet_receipt")
		// A second ballot is refused, politely.
		p.open("/budzet-obywatelski/2/glosuj")
		if strings.Contains(p.text(), "Check your vote") || len(value(p, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input[name=p]')).map(el => el.id)`))) != 0 {
			t.Fatalf("the ballot offered again after voting: %s", p.text())
		}
		signOut()
		p.open("/lang/pl?next=/")
	})

	t.Run("FollowCouncillorHearsHerVote", func(t *testing.T) {
		p.t = t
		p.open("/login")
		p.click(`a[href^="/auth/oidc/login"]`)
		atProvider("mieszkanka-23")
		// She follows the councillor at once; login.gov.pl gave no e-mail,
		// so the follow waits while she gives one and confirms it.
		p.open("/rada/radni/2")
		p.click(`.follow-box summary`)
		p.check("pl_radna_obserwuj")
		p.click(`.follow-box form.follow-form button[type=submit]`)
		if txt := p.text(); !strings.Contains(txt, "nie ma adresu e-mail") || !strings.Contains(txt, "Aby obserwować „Katarzyna Lewandowska” e-mailem") {
			t.Fatalf("no word that the follow waits for an address: %s\n%s", p.location(), txt)
		}
		p.check("pl_powiadomienia_czeka")
		p.fill("#email", "mieszkanka23@example.org")
		p.click(`form[action="/konto/email"] button[type=submit]`)
		var code string // sent at once, not by the notifier
		for _, m := range spooledMails(t, e.DataDir) {
			if m.Header.Get("To") == "mieszkanka23@example.org" && strings.Contains(m.Subject, "kod potwierdzenia") {
				code = regexp.MustCompile(`\b\d{6}\b`).FindString(m.Body)
			}
		}
		if code == "" {
			t.Fatal("no code mailed to the address she gave")
		}
		p.fill("#email_code", "000000x")
		p.click(`form[action="/konto/email/kod"] button[type=submit]`)
		if txt := p.text(); !strings.Contains(txt, "To nie ten kod") || !strings.Contains(txt, "Aby obserwować „Katarzyna Lewandowska”") {
			t.Fatalf("a wrong code, or the waiting follow lost: %s", txt)
		}
		p.check("pl_powiadomienia_kod_bledny")
		p.fill("#email_code", code)
		p.click(`form[action="/konto/email/kod"] button[type=submit]`)
		if txt := p.text(); !strings.Contains(txt, "Obserwujesz teraz: Katarzyna Lewandowska") {
			t.Fatalf("the code did not start the follow: %s\n%s", p.location(), txt)
		}
		p.check("pl_powiadomienia_obserwujesz")
		p.open("/lang/en?next=/konto/powiadomienia")
		if !strings.Contains(p.text(), "Katarzyna Lewandowska") || !strings.Contains(p.text(), "E-mail for notices") {
			t.Fatalf("the English notices page: %s", p.text())
		}
		p.check("en_powiadomienia")
		p.open("/lang/pl?next=/")

		// Her next vote, in sitting XII: the office runs it, she votes.
		office, radna := e.token("biuro.rady@przykladowo.pl"), e.token("radna.lewandowska@przykladowo.pl")
		api := func(method, path, token, body string, status int) response {
			t.Helper()
			r := e.do(method, path, token, strings.NewReader(body))
			if r.Status != status {
				t.Fatalf("%s %s: %d, want %d\n%s", method, path, r.Status, status, r.Body)
			}
			return r
		}
		api("POST", "/api/v1/sessions/2/attendance/all", office, "", 200)
		api("POST", "/api/v1/sessions/2/start", office, "", 200)
		agenda := api("GET", "/api/v1/sessions/2", "", "", 200).json(t)["agenda"].([]any)
		item := fmt.Sprint(agenda[0].(map[string]any)["id"])
		vote := fmt.Sprint(api("POST", "/api/v1/votes", office, `{"agenda_item":`+item+`,"subject":"Uchwała w sprawie nazwy ulicy Lipowej","majority":"simple"}`, 201).json(t)["id"])
		api("POST", "/api/v1/votes/"+vote+"/open", office, "", 200)
		api("POST", "/api/v1/votes/"+vote+"/ballots", radna, `{"choice":"abstain"}`, 201)
		api("POST", "/api/v1/votes/"+vote+"/close", office, "", 200)

		notice := waitMail(t, e, e.DataDir, "mieszkanka23@example.org", "Lewandowska")
		for _, want := range []string{"Katarzyna Lewandowska: wstrzymała się", "nazwy ulicy Lipowej", "/rada/glosowania/" + vote} {
			if !strings.Contains(notice.Body, want) {
				t.Fatalf("the notice lacks %q:\n%s", want, notice.Body)
			}
		}
		unsub := regexp.MustCompile(`https?://\S+/powiadomienia/wypisz/[A-Za-z0-9_-]+`).FindString(notice.Body)
		if unsub == "" {
			t.Fatalf("no unsubscribe link in the notice:\n%s", notice)
		}

		// From the message, on another device: no sign-in needed, and the
		// link alone (as a mail scanner follows it) changes nothing.
		if _, err := chromedp.Call(p.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		p.open(strings.TrimPrefix(unsub, e.URL))
		if txt := p.text(); !strings.Contains(txt, "Katarzyna Lewandowska") || !strings.Contains(txt, "Przestań obserwować") {
			t.Fatalf("the unsubscribe page: %s", txt)
		}
		p.check("pl_wypisz")
		var n int
		if err := e.Pool.QueryRow(context.Background(), "SELECT count(*) FROM follows WHERE ended_at IS NULL").Scan(&n); err != nil || n != 1 {
			t.Fatalf("opening the link changed the follows: %d %v", n, err)
		}
		p.click(`main form button[type=submit]`)
		if !strings.Contains(p.text(), "nie będziesz już dostawać") {
			t.Fatalf("not unsubscribed: %s", p.text())
		}
		p.check("pl_wypisano")
		if err := e.Pool.QueryRow(context.Background(), "SELECT count(*) FROM follows WHERE ended_at IS NULL").Scan(&n); err != nil || n != 0 {
			t.Fatalf("the follow is still there: %d %v", n, err)
		}
	})

	t.Run("SurveyErrorsAtOnce", func(t *testing.T) {
		p.t = t
		p.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
		for _, lang := range []string{"pl", "en"} {
			p.open("/lang/" + lang + "?next=/konsultacje/2/ankieta")
			p.click(`form.survey button[type=submit]`) // nothing answered
			links := value(p, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[role=alert] a[href^="#"]')).map(a => a.getAttribute('href'))`))
			fieldErrors := value(p, chromedp.Evaluate[int](`document.querySelectorAll('form.survey .field-error').length`))
			if len(links) < 2 || len(links) != fieldErrors {
				t.Fatalf("%s: the summary links %d answers, the form marks %d", lang, len(links), fieldErrors)
			}
			// Each link leads to its question.
			for _, href := range links {
				if !value(p, chromedp.Evaluate[bool](`document.getElementById(`+fmt.Sprintf("%q", strings.TrimPrefix(href, "#"))+`) !== null`)) {
					t.Fatalf("%s: the summary links %s, which is not on the page", lang, href)
				}
			}
			p.check(lang + "_ankieta_bledy")
		}
		// "Jak oceniasz park dziś?" is asked only of those who use the park.
		hidden := func() bool {
			return value(p, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById('q2')).display === 'none'`))
		}
		if !hidden() {
			t.Fatal("the conditional question shows before its condition is met")
		}
		numbers := func() string {
			return value(p, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("form.survey .field:not([hidden]) .qn")).map(e => e.textContent).join(" ")`))
		}
		if n := numbers(); !strings.HasPrefix(n, "1. 2. 3.") {
			t.Fatalf("the questions shown are numbered %q, with a gap", n)
		}
		p.click("#q1-0") // Tak
		if hidden() {
			t.Fatal("the conditional question stays hidden after 'Tak'")
		}
		if n := numbers(); !strings.HasPrefix(n, "1. 2. 3. 4.") {
			t.Fatalf("after 'Tak' the questions are numbered %q", n)
		}
		p.click("#q1-1") // Nie
		if !hidden() {
			t.Fatal("the conditional question shows after 'Nie'")
		}
		p.open("/lang/pl?next=/")
	})
}
