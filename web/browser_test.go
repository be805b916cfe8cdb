package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ratusz/ratusz/bip"
)

// The browser tests drive Debian's headless Chromium and run axe-core's
// WCAG 2.1 A/AA rules on every page they visit. `make test` installs both;
// under CI=true their absence fails the test instead of skipping it.

func browserTools(t *testing.T) (chromium string, axe string) {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (make test installs it)", what)
		}
		t.Skipf("%s not found; run make test to install it", what)
	}
	chromium = os.Getenv("RATUSZ_CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		missing("Chromium")
	}
	axePath := os.Getenv("RATUSZ_AXE")
	if axePath == "" {
		axePath = "../.tools/node_modules/axe-core/axe.min.js"
	}
	b, err := os.ReadFile(axePath)
	if err != nil {
		missing("axe-core (" + axePath + ")")
	}
	return chromium, string(b)
}

type page struct {
	t      *testing.T
	ctx    context.Context
	axe    string
	base   string
	shots  string
	checks int
}

func newPage(t *testing.T, base string) *page {
	chromium, axe := browserTools(t)
	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "pl"),
		chromedp.Flag("accept-lang", "pl-PL,pl"),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	shots := filepath.Join("..", "test-output", "screenshots")
	os.MkdirAll(shots, 0o755)
	return &page{t: t, ctx: ctx, axe: axe, base: base, shots: shots}
}

func (p *page) run(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

func value[T any](p *page, a chromedp.Action[T]) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

func (p *page) open(path string) {
	p.t.Helper()
	p.run(chromedp.Navigate(p.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

func (p *page) text() string {
	p.t.Helper()
	return value(p, chromedp.Text(chromedp.CSS("body")))
}

func (p *page) location() string {
	return strings.TrimPrefix(value(p, chromedp.Location()), p.base)
}

type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// check runs axe-core on the page at 1280 px and at 390 px (a phone) and
// saves a screenshot of each, named name and name_390.
func (p *page) check(name string) {
	p.t.Helper()
	value(p, chromedp.Evaluate[bool](p.axe+";true"))
	script := `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
			nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`
	for _, width := range []int64{1280, 390} {
		shotName := name
		if width != 1280 {
			shotName = fmt.Sprintf("%s_%d", name, width)
			p.run(chromedp.EmulateViewport(width, 844))
		}
		vs := value(p, chromedp.Evaluate[[]violation](script, chromedp.EvalAwaitPromise))
		shot := value(p, chromedp.FullScreenshot(100))
		os.WriteFile(filepath.Join(p.shots, shotName+".png"), shot, 0o644)
		p.checks++
		for _, v := range vs {
			b, _ := json.Marshal(v.Nodes)
			p.t.Errorf("%s at %d px (%s): axe %s [%s] %s at %s", name, width, p.location(), v.ID, v.Impact, v.Help, b)
		}
		// Reflow (WCAG 1.4.10): the page is no wider than the screen; a wide
		// table may scroll in its own box.
		if wide := value(p, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); wide > 1 {
			p.t.Errorf("%s at %d px (%s): the page is %d px wider than the screen", name, width, p.location(), wide)
		}
	}
	p.run(chromedp.EmulateViewport(1280, 900))
}

func (p *page) fill(sel, val string) {
	p.t.Helper()
	var err error
	for range 5 { // a live page may replace the field meanwhile: find it again
		value(p, chromedp.Evaluate[bool](`(document.querySelector(`+strconv.Quote(sel)+`).value = "") === ""`))
		if err = chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS(sel), val)); err == nil || !strings.Contains(err.Error(), "node") {
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	if err != nil && strings.Contains(err.Error(), "node") {
		// A busy live page kept replacing it: set the value in the page,
		// as typing would leave it.
		set := `(function(){var el=document.querySelector(` + strconv.Quote(sel) + `); if(!el) return false; el.value=` + strconv.Quote(val) +
			`; el.dispatchEvent(new Event("input", {bubbles: true})); return true})()`
		if value(p, chromedp.Evaluate[bool](set)) {
			err = nil
		}
	}
	if err != nil {
		p.t.Fatalf("fill %s: %v", sel, err)
	}
}

// login signs in with the login form, as a person would.
func (p *page) login(email, password string) {
	p.t.Helper()
	p.open("/login")
	p.fill("#email", email)
	p.fill("#password", password)
	p.click("form.form button[type=submit]")
}

func (p *page) click(sel string) {
	p.t.Helper()
	// Clicked in the page itself: a live page may replace or move a control
	// between finding it and a mouse reaching it.
	if !value(p, chromedp.Evaluate[bool](`(function(){var el=document.querySelector(`+strconv.Quote(sel)+`); if(!el) return false; el.click(); return true})()`)) {
		p.t.Fatalf("click: no %s at %s", sel, p.location())
	}
	p.run(chromedp.Sleep(200*time.Millisecond), chromedp.WaitReady(chromedp.CSS("body")))
	p.settle()
}

// settle waits until a form sent in the background has its answer in place.
func (p *page) settle() {
	p.t.Helper()
	busy := func() bool { // a page still loading answers nothing: ask again
		b, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.body.hasAttribute("aria-busy")`))
		return err != nil || b
	}
	for deadline := time.Now().Add(10 * time.Second); busy(); {
		if time.Now().After(deadline) {
			p.t.Fatalf("the page stays busy at %s", p.location())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor waits until the page's text holds want (a live update).
func (p *page) waitFor(want string) {
	p.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.text(), want); {
		if time.Now().After(deadline) {
			seq, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(document.getElementById("live-status")||document.body).getAttribute("data-live-seq")+""`))
			p.t.Fatalf("%s never showed %q (live events seen up to %s):\n%s", p.location(), want, seq, p.text())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestBrowser(t *testing.T) {
	e, op := oidcEnv(t)
	p := newPage(t, e.URL)

	t.Run("PublicPagesPolish", func(t *testing.T) {
		p.t = t
		for _, path := range []string{"/", "/login", "/deklaracja-dostepnosci", "/rada", "/konsultacje", "/budzet-obywatelski", "/bip", "/szukaj", "/nie-ma-takiej-strony"} {
			p.open(path)
			p.check("pl" + strings.ReplaceAll(strings.TrimSuffix(path, "/"), "/", "_"))
		}
	})

	t.Run("Keyboard", func(t *testing.T) {
		p.t = t
		p.open("/")
		p.run(chromedp.KeyEvent("\t"))
		active := value(p, chromedp.Evaluate[string](`document.activeElement.className + '|' + document.activeElement.textContent`))
		if !strings.HasPrefix(active, "skip|") {
			t.Fatalf("first Tab does not reach the skip link: %q", active)
		}
		focusVisible := value(p, chromedp.Evaluate[bool](`getComputedStyle(document.activeElement).outlineStyle !== 'none'`))
		if !focusVisible {
			t.Error("keyboard focus is not visible")
		}
		p.run(chromedp.KeyEvent("\r"), chromedp.Sleep(100*time.Millisecond))
		active = value(p, chromedp.Evaluate[string](`document.activeElement.id`))
		if active != "main" {
			t.Fatalf("skip link does not move focus to the content: %q", active)
		}
	})

	t.Run("AdminCreatesSecretary", func(t *testing.T) {
		p.t = t
		p.login("admin@przykladowo.pl", "nie-to-haslo")
		if !strings.Contains(p.text(), "Nieprawidłowy adres e-mail lub hasło") {
			t.Fatal("wrong password: no message")
		}
		p.check("pl_login_error")
		p.fill("#password", "demo-admin-2026")
		p.click("form.form button[type=submit]")
		p.open("/admin/users")
		if !strings.Contains(p.text(), "Konta i role") {
			t.Fatalf("admin page not shown: %s", p.location())
		}
		p.check("pl_admin_users")
		p.click(`a[href="/admin/users/new"]`)
		p.check("pl_admin_user_new")
		p.fill("#email", "zle")
		p.fill("#name", "Beata Sekretarz")
		p.click("form.form button[type=submit]")
		if !strings.Contains(p.text(), "Podaj poprawny adres e-mail") {
			t.Fatal("invalid e-mail: no message next to the field")
		}
		p.check("pl_admin_user_errors")
		p.fill("#email", "beata.sekretarz@przykladowo.pl")
		p.fill("#password", "haslo-beaty-2026")
		p.run(chromedp.Click(chromedp.CSS("#role-secretary")))
		p.click("form.form button[type=submit]")
		if txt := p.text(); !strings.Contains(txt, "Zapisano konto.") || !strings.Contains(txt, "Beata Sekretarz") {
			t.Fatalf("secretary not created: %s", p.location())
		}
		p.click(`a[href^="/admin/users/"]:not([href$="new"])`)
		p.check("pl_admin_user_edit")
		p.click("header form button")
		if !strings.Contains(p.text(), "Zaloguj się") {
			t.Fatal("not logged out")
		}
		if u, err := e.Accounts.FindUserByEmail(system, "beata.sekretarz@przykladowo.pl"); err != nil || !u.HasRole("secretary") {
			t.Fatalf("secretary not stored: %v", err)
		}
	})

	t.Run("English", func(t *testing.T) {
		p.t = t
		p.open("/")
		p.click(".lang-switch")
		if !strings.Contains(p.text(), "Skip to content") {
			t.Fatal("language switch did not switch")
		}
		for _, path := range []string{"/", "/login", "/deklaracja-dostepnosci", "/rada", "/nie-ma-takiej-strony"} {
			p.open(path)
			p.check("en" + strings.ReplaceAll(strings.TrimSuffix(path, "/"), "/", "_"))
		}
		p.open("/")
		p.click(".lang-switch")
	})

	t.Run("ResidentSignsInWithOIDC", func(t *testing.T) {
		p.t = t
		op.Claims["resident_of"] = "Przykładowo"
		p.open("/login")
		p.click(`a[href^="/auth/oidc/login"]`)
		if !strings.Contains(p.text(), "Test identity provider") {
			t.Fatalf("not at the provider: %s", p.location())
		}
		p.fill("#login", "mieszkanka-42")
		p.click("#approve")
		if !strings.Contains(p.text(), "Mieszkanka mieszkanka-42") {
			t.Fatalf("resident not signed in: %s\n%s", p.location(), p.text())
		}
		p.check("pl_resident_signed_in")
	})

	t.Run("BIP", func(t *testing.T) {
		p.t = t
		p.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")
		for _, path := range []string{"/bip", "/bip/kategoria/rada", "/bip/kategoria/uchwaly", "/bip/rejestr-zmian", "/bip/publikacje/2", "/bip/publikacje/3/wersje?od=1&do=2", "/bip/publikacje/6", "/bip/publikacje/1/druk"} {
			p.open(path)
			p.check("pl" + strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "").Replace(path))
		}
		// The day's head of the log, with its long hashes, read on a phone.
		heads := bip.NewService(e.Pool)
		head, err := heads.PublishHead(system, time.Now())
		heads.Close()
		if err != nil || head == nil {
			t.Fatalf("head publication: %v", err)
		}
		p.open(fmt.Sprintf("/bip/publikacje/%d", head.ID))
		p.check("pl_bip_stan_rejestru")
		// A secretary publishes with a preview first.
		p.open("/bip/redakcja/nowa")
		p.check("pl_bip_editor_new")
		value(p, chromedp.Evaluate[bool](`(document.querySelector('#category').value = 'ogloszenia') === 'ogloszenia'`))
		p.fill("#title", "Ogłoszenie o zbiórce odpadów wielkogabarytowych")
		p.fill("#body", "Zbiórka odbędzie się **5 grudnia**.\n\n- sołectwo Dąbrowa\n- sołectwo Lipie")
		p.fill("#produced_by", "Referat Gospodarki Komunalnej")
		p.click(`button[value="preview"]`)
		if !strings.Contains(p.text(), "Podgląd treści") {
			t.Fatal("no preview")
		}
		p.check("pl_bip_editor_preview")
		p.click(`button[value="publish"]`)
		if txt := p.text(); !strings.Contains(txt, "Opublikowano.") || !strings.Contains(txt, "Referat Gospodarki Komunalnej") {
			t.Fatalf("not published: %s", p.location())
		}
		p.check("pl_bip_published")
		p.click(`a[href$="/edycja"]`)
		p.check("pl_bip_editor_revise")
		p.click(`button[value="publish"]`)
		if !strings.Contains(p.text(), "Podaj powód zmiany") {
			t.Fatal("revision without a reason accepted")
		}
		p.check("pl_bip_editor_errors")
		p.open("/bip/publikacje/1/wycofanie")
		p.check("pl_bip_withdraw")
		p.open("/lang/en?next=/bip/publikacje/2")
		p.check("en_bip_publication")
		p.open("/bip/rejestr-zmian")
		p.check("en_bip_changes")
		p.open("/lang/pl?next=/bip")
	})

	t.Run("AdminCategories", func(t *testing.T) {
		p.t = t
		p.login("admin@przykladowo.pl", "demo-admin-2026")
		p.open("/admin/bip/kategorie")
		p.check("pl_admin_categories")
		p.click(`a[href="/admin/bip/kategorie/nowa"]`)
		p.fill("#name_pl", "Petycje")
		p.fill("#name_en", "Petitions")
		p.fill("#slug", "Petycje!")
		p.click("form.form button[type=submit]")
		if !strings.Contains(p.text(), "tylko małe litery") {
			t.Fatal("bad slug accepted")
		}
		p.check("pl_admin_category_errors")
		p.fill("#slug", "petycje")
		p.click("form.form button[type=submit]")
		if !strings.Contains(p.text(), "Zapisano kategorię.") || !strings.Contains(p.text(), "Petycje") {
			t.Fatal("category not created")
		}
	})

	t.Run("Council", func(t *testing.T) {
		p.t = t
		for _, path := range []string{"/rada", "/rada/sesje/1", "/rada/glosowania/2", "/rada/radni/6", "/rada/interpelacje", "/rada/interpelacje/1", "/rada/interpelacje?stan=overdue",
			"/rada/kalendarz", "/rada/kalendarz?miesiac=2026-12", "/rada/uchwaly", "/rada/kluby"} {
			p.open(path)
			p.check("pl" + strings.ReplaceAll(path, "/", "_"))
		}
		// Live: a session page open in the browser shows an agenda item
		// added meanwhile, without a reload.
		p.open("/rada/sesje/2")
		time.Sleep(500 * time.Millisecond) // the script connects
		res := e.do("POST", "/api/v1/sessions/2/agenda", e.token("biuro.rady@przykladowo.pl"), strings.NewReader(`{"title":"Informacja o pracy wójta między sesjami"}`))
		if res.Status != 201 {
			t.Fatalf("agenda: %d", res.Status)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(p.text(), "Informacja o pracy wójta") {
			if time.Now().After(deadline) {
				t.Fatal("the session page did not update live")
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !strings.Contains(p.text(), "Zaktualizowano na żywo") {
			t.Error("no live status message")
		}
		p.check("pl_rada_sesje_2_live")

		p.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
		p.open("/lang/en?next=/rada")
		for _, path := range []string{"/rada", "/rada/sesje/1", "/rada/glosowania/2", "/rada/interpelacje", "/rada/kalendarz", "/rada/uchwaly", "/rada/kluby"} {
			p.open(path)
			if !strings.Contains(p.text(), "Skip to content") {
				t.Fatalf("%s not in English", path)
			}
			p.check("en" + strings.ReplaceAll(path, "/", "_"))
		}
		p.open("/lang/pl?next=/rada")
		p.open("/rada/interpelacje/nowa")
		p.check("pl_rada_interpelacja_nowa")
		p.open("/rada/sesje/2/urzadzenie")
		p.click(`.device form button[type=submit]`) // check in
		if !strings.Contains(p.text(), "Jesteś obecna") {
			t.Fatalf("check-in from the device failed: %s", p.location())
		}
		p.check("pl_rada_device")
		p.login("przewodniczacy@przykladowo.pl", "demo-przewodniczacy-2026")
		p.open("/rada/sesje/2/prowadzenie")
		if !strings.Contains(p.text(), "Prowadzenie sesji XII") {
			t.Fatalf("console not shown: %s", p.location())
		}
		p.check("pl_rada_console")
		// The chair moves the session on to item 3 from the console; the
		// public page marks it.
		value(p, chromedp.Evaluate[bool](`(function(){var s=document.getElementById("current_item"); s.selectedIndex=2; return true})()`))
		p.click(`form[action$="/biezacy"] button[type=submit]`)
		p.open("/rada/sesje/2")
		if !strings.Contains(p.text(), "Teraz omawiany punkt: 3. Podjęcie uchwały budżetowej") {
			t.Fatalf("current item not shown: %s", p.text())
		}
		p.check("pl_rada_sesje_2_current")
		// A prepared vote has a cancel control, folded away until opened;
		// cancelling without a reason shows the message beside the field.
		p.open("/rada/sesje/2/prowadzenie")
		p.fill("#subject", "Głosowanie do unieważnienia")
		p.click(`form[action$="/glosowania"] button[type=submit]`)
		p.click("details.cancel-vote summary")
		p.click("details.cancel-vote button[type=submit]")
		if !strings.Contains(p.text(), "To pole jest wymagane.") {
			t.Fatalf("cancel without a reason: %s", p.text())
		}
		p.check("pl_rada_console_uniewaznienie")
		// Preparing a session: the office's pages, and an error shown next
		// to its field.
		p.open("/rada/sesje/nowa")
		p.check("pl_rada_sesje_nowa")
		p.open("/rada/sesje/2/edycja")
		p.check("pl_rada_sesje_2_edycja")
		p.open("/rada/sesje/nowa")
		p.fill("#number", "12")
		value(p, chromedp.Evaluate[bool](`(document.getElementById("date").value = "2026-12-30") !== ""`))
		p.click("form.form button[type=submit]")
		if !strings.Contains(p.text(), "Sesja o tym numerze już istnieje.") {
			t.Fatalf("duplicate number not reported: %s", p.text())
		}
		p.check("pl_rada_sesje_nowa_errors")
	})

	t.Run("Consultations", func(t *testing.T) {
		p.t = t
		// The demo's closed consultation (1) with results and report, and
		// the open one (2); then the survey with its errors, and the
		// officer's pages.
		for _, path := range []string{"/konsultacje", "/konsultacje/1", "/konsultacje/1/wyniki", "/konsultacje/1/raport", "/konsultacje/2"} {
			p.open(path)
			p.check("pl" + strings.ReplaceAll(path, "/", "_"))
		}
		p.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
		p.open("/konsultacje/2/ankieta")
		p.check("pl_konsultacje_2_ankieta")
		p.click(`form.survey button[type=submit]`) // nothing answered
		if !strings.Contains(p.text(), "Odpowiedź na to pytanie jest wymagana.") {
			t.Fatalf("missing answers not explained: %s", p.text())
		}
		p.check("pl_konsultacje_2_ankieta_errors")
		p.login("konsultacje@przykladowo.pl", "demo-konsultacje-2026")
		for _, path := range []string{"/konsultacje/2/edycja", "/konsultacje/1/edycja", "/konsultacje/nowa"} {
			p.open(path)
			p.check("pl" + strings.ReplaceAll(path, "/", "_"))
		}
	})

	t.Run("ParticipatoryBudget", func(t *testing.T) {
		p.t = t
		// Pages of the 2026 edition (results) and 2027 (voting), read by
		// anyone, then voting with the keyboard-reachable form.
		for _, path := range []string{"/budzet-obywatelski", "/budzet-obywatelski/1", "/budzet-obywatelski/1/wyniki", "/budzet-obywatelski/1/karty", "/budzet-obywatelski/projekty/1", "/budzet-obywatelski/2"} {
			p.open(path)
			p.check("pl" + strings.ReplaceAll(path, "/", "_"))
		}
		p.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
		p.open("/budzet-obywatelski/2/glosuj")
		p.check("pl_budzet_glosuj")
		p.click(`form.form button[type=submit]`) // nothing ticked
		if !strings.Contains(p.text(), "Wybierz co najmniej jeden projekt.") {
			t.Fatalf("empty ballot not explained: %s", p.text())
		}
		p.check("pl_budzet_glosuj_errors")
		p.click(`input[name=p]`)
		p.click(`form.form button[type=submit]`)
		if !strings.Contains(p.text(), "Sprawdź swój głos") || !strings.Contains(p.text(), "Wybrano 1 projekt") {
			t.Fatalf("no check step: %s", p.text())
		}
		p.check("pl_budzet_sprawdz")
		p.click(`form.actions button[type=submit]:not([formmethod])`)
		if !strings.Contains(p.text(), "Głos oddany") {
			t.Fatalf("ballot not cast: %s", p.text())
		}
		p.check("pl_budzet_potwierdzenie")
		p.open("/lang/en?next=/budzet-obywatelski/1/wyniki")
		if !strings.Contains(p.text(), "Results") {
			t.Fatal("results not in English")
		}
		p.check("en_budzet_wyniki")
		p.open("/lang/pl?next=/budzet-obywatelski")
		p.login("bo@przykladowo.pl", "demo-bo-2026")
		p.open("/budzet-obywatelski/nowa")
		p.check("pl_budzet_nowa")
		p.open("/budzet-obywatelski/2/karta-papierowa")
		p.check("pl_budzet_karta_papierowa")
		// Ending the vote without the commission's key: the form says why,
		// beside the key's field.
		p.open("/budzet-obywatelski/2")
		p.check("pl_budzet_etap_klucz")
		p.run(chromedp.SetValue(`#phase`, "results"))
		p.click(`form.inline-form button[type=submit]`)
		if !strings.Contains(p.text(), "Wpisz klucz komisji") {
			t.Fatalf("a missing key not explained: %s", p.text())
		}
		p.check("pl_budzet_etap_bez_klucza")
		// Opening a vote shows the commission's key once.
		tok := e.token("bo@przykladowo.pl")
		r := e.do("POST", "/api/v1/pb/editions", tok, strings.NewReader(`{"year":2029,"name":"Budżet obywatelski 2029","districts":[{"name":"Gmina","budget":10000000,"citywide":true}]}`))
		id := fmt.Sprint(r.json(t)["id"])
		res := e.do("POST", "/api/v1/pb/editions/"+id+"/projects", e.token("jan.kowalski@example.pl"), strings.NewReader(`{"district":`+
			fmt.Sprint(r.json(t)["districts"].([]any)[0].(map[string]any)["id"])+`,"title":"Ławki","description":"x","cost_items":[{"item":"a","cost":100000}]}`))
		e.do("POST", "/api/v1/pb/editions/"+id+"/phase", tok, strings.NewReader(`{"phase":"verification"}`))
		e.do("POST", "/api/v1/pb/projects/"+fmt.Sprint(res.json(t)["id"])+"/verification", tok, strings.NewReader(`{"status":"accepted"}`))
		p.open("/budzet-obywatelski/" + id)
		p.run(chromedp.SetValue(`#phase`, "voting"))
		p.click(`form.inline-form button[type=submit]`)
		if !strings.Contains(p.text(), "Klucz jest pokazywany tylko raz") {
			t.Fatalf("no key page: %s", p.text())
		}
		p.check("pl_budzet_klucz_komisji")
		p.open("/lang/en?next=/budzet-obywatelski/" + id)
		if !strings.Contains(p.text(), "The commission's ballot key") {
			t.Fatalf("the key field is not in English: %s", p.text())
		}
		p.check("en_budzet_etap_klucz")
		p.open("/lang/pl?next=/budzet-obywatelski")
	})

	t.Run("Search", func(t *testing.T) {
		p.t = t
		// Typed without diacritics in the form, narrowed by a facet link,
		// saved by the signed-in officer: all without JavaScript of ours.
		p.open("/szukaj")
		p.check("pl_szukaj")
		p.fill("#q", "uchwala")
		// With the script, results follow the typing before any submit,
		// and the status line announces their number.
		p.run(chromedp.Sleep(1500 * time.Millisecond))
		if loc, st := p.location(), value(p, chromedp.Text(chromedp.CSS("#search-status"))); !strings.Contains(loc, "q=uchwala") || !strings.HasPrefix(st, "Wyniki:") || strings.HasPrefix(st, "Wyniki: 0") {
			t.Fatalf("search as you type: %s, status %q", loc, st)
		}
		p.check("pl_szukaj_na_biezaco")
		p.click(`form.search-form button[type=submit]`)
		if !strings.Contains(p.location(), "q=uchwala") || strings.Contains(p.text(), "Wyniki: 0") || !strings.Contains(p.text(), "Uchwał") {
			t.Fatalf("search without diacritics: %s\n%s", p.location(), p.text())
		}
		p.check("pl_szukaj_wyniki")
		p.click(`aside.facets a`)
		if !strings.Contains(p.location(), "type=") {
			t.Fatalf("facet link did not narrow: %s", p.location())
		}
		p.check("pl_szukaj_filtr")
		p.click(`form[action="/szukaj/zapisane"] button[type=submit]`)
		if !strings.Contains(p.text(), "Zapisano wyszukiwanie") {
			t.Fatalf("not saved: %s", p.text())
		}
		p.open("/szukaj/zapisane")
		p.check("pl_szukaj_zapisane")
		p.open("/konto/powiadomienia")
		if !strings.Contains(p.text(), "Powiadomienia") {
			t.Fatalf("the notices page: %s", p.text())
		}
		p.check("pl_powiadomienia")
		p.open("/szukaj/zapisane")
		// Changed from the search page, by keyboard-reachable links and buttons.
		p.click(`a[href*="zapisane="]`)
		p.check("pl_szukaj_zmiana")
		p.fill("#q", "uchwala budzet")
		p.click(`form.search-form button[type=submit]`)
		p.click(`form[action="/szukaj/zapisane"] button[type=submit]`)
		if !strings.Contains(p.text(), "Zapisano zmiany") || !strings.Contains(p.text(), "uchwala budzet") {
			t.Fatalf("not changed: %s", p.text())
		}
	})

	t.Run("XSSPayloadsNeverRun", func(t *testing.T) {
		p.t = t
		ids := publishPayloads(t, e)
		paths := []string{"/bip", "/bip/kategoria/ogloszenia", "/bip/kategoria/ogloszenia?strona=2", "/bip/rejestr-zmian"}
		for _, id := range ids {
			paths = append(paths, fmt.Sprintf("/bip/publikacje/%d", id), fmt.Sprintf("/bip/publikacje/%d/wersje?od=1&do=2", id))
		}
		for _, path := range paths {
			p.open(path)
			if ran := value(p, chromedp.Evaluate[bool](`window.__xss !== undefined || (window.parent && window.parent.__xss !== undefined)`)); ran {
				t.Fatalf("a payload ran on %s", path)
			}
		}
		t.Logf("%d payloads, %d pages: none ran", len(xssPayloads), len(paths))
	})

	if p.checks < 15 {
		t.Fatalf("axe ran on only %d pages", p.checks)
	}
	t.Logf("axe-core checked %d pages; screenshots in test-output/screenshots", p.checks)
}

// A whole sitting in four browsers at once, as the people in the chamber
// use it: the chair's console at 1280 px, a councillor's phone at 390 px,
// the chamber's screen and a resident's public page. Nothing is reloaded
// by hand: every change reaches the others live.
func TestBrowserSitting(t *testing.T) {
	e := newEnv(t, nil)
	chair := newPage(t, e.URL)
	phone := newPage(t, e.URL)
	screen := newPage(t, e.URL)
	public := newPage(t, e.URL)
	phone.run(chromedp.EmulateViewport(390, 844))
	mark := func(p *page) { value(p, chromedp.Evaluate[bool](`(window.__stay = true)`)) }
	stayed := func(p *page, what string) {
		t.Helper()
		if !value(p, chromedp.Evaluate[bool](`window.__stay === true`)) {
			t.Fatalf("%s: the page was reloaded", what)
		}
	}

	chair.login("przewodniczacy@przykladowo.pl", "demo-przewodniczacy-2026")
	chair.open("/rada/sesje/2/prowadzenie")
	chair.check("pl_sitting_console")
	phone.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	phone.open("/rada/sesje/2/urzadzenie")
	screen.open("/rada/sesje/2/ekran")
	screen.check("pl_sitting_screen")
	public.open("/rada/sesje/2")
	for _, p := range []*page{chair, phone, screen, public} {
		mark(p)
	}
	time.Sleep(500 * time.Millisecond) // the scripts connect

	// Attendance in one go, then the sitting starts on item 3.
	chair.click("#all-present")
	chair.waitFor("Obecnych 15 z 15")
	public.waitFor("15 z 15")
	chair.click("#start-session")
	value(chair, chromedp.Evaluate[bool](`(function(){var s=document.getElementById("current_item"); s.selectedIndex=2; return true})()`))
	chair.click("#set-current")
	screen.waitFor("Podjęcie uchwały budżetowej")
	public.waitFor("Teraz")

	// The councillor asks to speak and ad vocem; the office adds a formal
	// motion by the mayor, which goes first.
	phone.waitFor("Zgłaszam się do dyskusji")
	phone.click("#speak-item")
	phone.waitFor("Czekasz na głos: do dyskusji.")
	phone.click("#speak-ad_vocem")
	phone.check("pl_sitting_device")
	chair.waitFor("Katarzyna Lewandowska")
	chair.fill("#name", "Wójt Gminy Anna Nowak")
	value(chair, chromedp.Evaluate[bool](`(document.getElementById("kind").value = "formal") !== ""`))
	chair.click(`form[action$="/mowcy"] button[type=submit]:not([name])`)
	chair.waitFor("Wójt Gminy Anna Nowak")
	first := value(chair, chromedp.Evaluate[string](`document.querySelector("ol.speakers li strong").textContent`))
	if first != "Wójt Gminy Anna Nowak" {
		t.Fatalf("the formal motion is not first: %q", first)
	}
	chair.click(`ol.speakers li button[value="grant"]`)
	screen.waitFor("Wójt Gminy Anna Nowak")
	public.waitFor("Głos ma: Wójt Gminy Anna Nowak")
	// The countdown runs on every screen on its own.
	a := value(screen, chromedp.Evaluate[string](`document.querySelector("[data-countdown]").textContent`))
	time.Sleep(2100 * time.Millisecond)
	if b := value(screen, chromedp.Evaluate[string](`document.querySelector("[data-countdown]").textContent`)); a == b {
		t.Fatalf("the screen's countdown stands still at %s", a)
	}
	screen.check("pl_sitting_screen_speaker")
	public.check("pl_sitting_public_speaker")

	// A vote on the item, closed early: the chair is warned, then the result
	// is on all four.
	chair.fill("#subject", "Uchwała budżetowa Gminy Przykładowo na rok 2027")
	value(chair, chromedp.Evaluate[bool](`(document.getElementById("majority").value = "absolute_statutory") !== ""`))
	chair.click(`form[action$="/glosowania"] button[type=submit]`) // a plain form: the page reloads
	mark(chair)                                                    // from here on, everything live
	chair.click(`form[action$="/otworz"] button[type=submit]`)
	phone.waitFor("Uchwała budżetowa Gminy Przykładowo na rok 2027")
	phone.click("#choice-for")
	phone.waitFor("Twój głos: Za (zapisany o ")
	chair.waitFor("Oddano głosów: 1 z 15")
	chair.waitFor("Jeszcze bez głosu (14 osób):")
	screen.waitFor("Oddano głosów: 1 z 15")
	chair.click(`form[action$="/zamknij"] button[type=submit]`)
	chair.waitFor("Głosu nie oddało jeszcze 14 osób z 15 obecnych")
	chair.check("pl_sitting_console_confirm")
	chair.click("#confirm-yes")
	chair.waitFor("ODRZUCONO")
	chair.waitFor("za 1 — wymagane 8, bezwzględna większość ustawowego składu")
	screen.waitFor("ODRZUCONO")
	screen.waitFor("Katarzyna Lewandowska — za")
	phone.waitFor("ODRZUCONO")
	public.waitFor("odrzucono")
	for name, p := range map[string]*page{"console": chair, "device": phone, "screen": screen, "public page": public} {
		stayed(p, name)
	}
	chair.check("pl_sitting_console_result")
	screen.check("pl_sitting_screen_result")
	phone.check("pl_sitting_device_result")

	// The same pages in English.
	for _, p := range []*page{chair, phone, screen} {
		p.open("/lang/en?next=/rada")
	}
	chair.open("/rada/sesje/2/prowadzenie")
	chair.check("en_sitting_console")
	phone.open("/rada/sesje/2/urzadzenie")
	phone.check("en_sitting_device")
	screen.open("/rada/sesje/2/ekran")
	if !strings.Contains(screen.text(), "REJECTED") {
		t.Fatal("the English screen is not in English")
	}
	screen.check("en_sitting_screen")
	public.open("/lang/en?next=/rada/sesje/2")
	public.open("/rada/sesje/2")
	public.check("en_sitting_public")
}
