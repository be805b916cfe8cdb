package web_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ratusz/ratusz/internal/testdb"
)

// Text that PostgreSQL cannot store (invalid UTF-8, NUL) used to reach the
// database and come back as a 500; it is now refused at the door with 400
// naming the field, and nothing is written.
func TestUnstorableTextIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	b.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")
	pubs := func() (n int) {
		e.Pool.QueryRow(system, "SELECT count(*) FROM bip_versions").Scan(&n)
		return
	}
	before := pubs()
	fields := map[string]string{"category": "ogloszenia", "title": "Ogłoszenie", "body": "Treść", "produced_by": "Referat",
		"responsible": "Wójt", "produced_at": "2026-11-21", "action": "publish"}

	t.Run("ErrFormInvalidUTF8", func(t *testing.T) {
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, v)
		}
		form.Set("title", "Og\xffłoszenie")
		res := b.post("/bip/redakcja/nowa", form)
		if res.Status != 400 || !strings.Contains(res.Body, "„title”") {
			t.Fatalf("status %d", res.Status)
		}
	})
	t.Run("ErrQueryNUL", func(t *testing.T) {
		if res := b.get("/szukaj?q=" + url.QueryEscape("uchwała\x00")); res.Status != 400 || !strings.Contains(res.Body, "„q”") {
			t.Fatalf("status %d", res.Status)
		}
	})
	t.Run("ErrJSONNUL", func(t *testing.T) {
		tok := e.token("biuro.rady@przykladowo.pl")
		res := e.do("POST", "/api/v1/publications", tok, strings.NewReader(`{"category":"ogloszenia","title":"A\u0000B","body":"x","produced_by":"R","responsible":"W"}`))
		if code, field, _ := res.apiError(t); res.Status != 400 || code != "invalid" || field != "title" {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
	})
	// RFC 2231 encoding lets a client put any byte in a file name.
	for name, param := range map[string]string{"ErrFileNameNUL": `filename*=UTF-8''ska%00n.pdf`, "ErrFileNameCRLF": `filename*=UTF-8''skan%0D%0A.pdf`,
		"ErrFileNameInvalidUTF8": `filename*=UTF-8''ska%FFn.pdf`, "ErrFileNameEmpty": `filename=""`,
		"ErrFileNameBidi": `filename*=UTF-8''a%E2%80%AEfdp.exe`} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for k, v := range fields {
				w.WriteField(k, v)
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="attachments"; `+param)
			part, _ := w.CreatePart(h)
			part.Write([]byte("%PDF-1.4 skan"))
			w.Close()
			res := b.multipart("/bip/redakcja/nowa", w.FormDataContentType(), &buf)
			if res.Status != 400 || !strings.Contains(res.Body, `id="attachments-error"`) || !strings.Contains(res.Body, "nazwę") {
				i := strings.Index(res.Body, "<main")
				t.Fatalf("status %d %.600s", res.Status, res.Body[max(i, 0):])
			}
		})
	}
	t.Run("ErrVersionOutOfRange", func(t *testing.T) {
		for _, path := range []string{"/bip/publikacje/1/wersje/99999999999", "/bip/publikacje/1/druk?wersja=99", "/bip/publikacje/1/druk?wersja=-1"} {
			if res := b.get(path); res.Status != 404 {
				t.Fatalf("%s: status %d", path, res.Status)
			}
		}
	})
	t.Run("ErrPathNotText", func(t *testing.T) {
		for _, path := range []string{"/bip/kategoria/%FF", "/bip/kategoria/%00", "/bip/kategoria/%FF/feed.atom", "/admin/bip/kategorie/%FF"} {
			if res := b.get(path); res.Status != 404 {
				t.Fatalf("%s: status %d", path, res.Status)
			}
		}
	})
	t.Run("ErrUppercaseMediaType", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.URL+"/login", strings.NewReader("email=x%FF%40example.pl&password=x"))
		req.Header.Set("Content-Type", "Application/X-WWW-Form-Urlencoded")
		req.Header.Set("Origin", e.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("ErrProducedLongAgo", func(t *testing.T) {
		tok := e.token("biuro.rady@przykladowo.pl")
		res := e.do("POST", "/api/v1/publications", tok, strings.NewReader(`{"category":"ogloszenia","title":"Stare","body":"x","produced_by":"R","responsible":"W","produced_at":"0000-01-01"}`))
		if _, field, _ := res.apiError(t); res.Status != 400 || field != "produced_at" {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
	})
	if pubs() != before {
		t.Fatal("a refused request published something")
	}
}

// Refused uploads left their multipart-* temporary files behind (the form
// was parsed on a copy of the request, which net/http does not clean up).
// Not parallel: it watches the temporary directory, which it sets.
func TestRefusedUploadsLeaveNoTemporaryFiles(t *testing.T) {
	e := newEnv(t, nil) // first: the test cluster lives in the usual temporary directory
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	b := e.browser()
	b.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")
	big := append([]byte("%PDF-1.4\n"), make([]byte, 20<<20)...)
	send := func(b *browser, path string) int {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("title", "Skan")
		fw, _ := w.CreateFormFile("attachments", "skan.pdf")
		fw.Write(big)
		w.Close()
		return b.multipart(path, w.FormDataContentType(), &buf).Status
	}
	if got := send(b, "/bip/redakcja/nowa"); got != 413 {
		t.Fatalf("over-size attachment: %d", got)
	}
	if got := send(e.browser(), "/budzet-obywatelski/1/zglos"); got != 401 {
		t.Fatalf("anonymous upload: %d", got)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
	if len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatal(err)
	}
	_ = http.StatusOK
}

// Redirects after a language switch or sign-in never leave the site, read
// as a browser reads the address (it drops tabs and line breaks and takes
// a backslash for a slash).
func TestRedirectsStayOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	evil := []string{"/\t/evil.example", "//evil.example", "/\\evil.example", "\\/evil.example", " //evil.example",
		"/\n/evil.example", "/\r\n/evil.example", "https://evil.example", "/\\\\evil.example", "\t//evil.example", "evil.example"}
	for _, next := range evil {
		res := e.browser().get("/lang/en?next=" + url.QueryEscape(next))
		if loc := res.Header.Get("Location"); res.Status != http.StatusSeeOther || loc != "/" {
			t.Errorf("/lang/en?next=%q: %d Location %q", next, res.Status, loc)
		}
		b := e.browser()
		res = b.post("/login", url.Values{"email": {"biuro.rady@przykladowo.pl"}, "password": {"demo-biuro-2026"}, "next": {next}})
		if loc := res.Header.Get("Location"); res.Status != http.StatusSeeOther || loc != "/" {
			t.Errorf("login next=%q: %d Location %q", next, res.Status, loc)
		}
	}
	// A path on the site, with its query, is kept.
	if loc := e.browser().get("/lang/en?next=" + url.QueryEscape("/bip/szukaj?q=uchwała")).Header.Get("Location"); loc != "/bip/szukaj?q=uchwa%c5%82a" {
		t.Errorf("local path lost: %q", loc)
	}
}

// Anyone can read the log's entries and ask whether a head they kept is
// still in it.
func TestBIPLogAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	res := e.do("GET", "/api/v1/bip/log?limit=2", "", nil)
	var page struct {
		Data []struct {
			Seq       int64  `json:"seq"`
			EntryHash string `json:"entry_hash"`
		} `json:"data"`
		Head struct {
			Seq int64 `json:"seq"`
		} `json:"head"`
	}
	if err := jsonUnmarshal(res.Body, &page); err != nil || res.Status != 200 || len(page.Data) != 2 || page.Data[0].Seq != 1 || page.Head.Seq < 2 {
		t.Fatalf("log: %d %s", res.Status, res.Body)
	}
	kept := fmt.Sprintf("%d:%s", page.Data[1].Seq, page.Data[1].EntryHash)
	if res := e.do("GET", "/api/v1/bip/log/check?head="+kept, "", nil); res.Status != 200 || res.json(t)["present"] != true {
		t.Fatalf("check: %d %s", res.Status, res.Body)
	}
	forged := fmt.Sprintf("%d:%s", page.Data[1].Seq, strings.Repeat("0", 64))
	if res := e.do("GET", "/api/v1/bip/log/check?head="+forged, "", nil); res.Status != 200 || res.json(t)["present"] != false {
		t.Fatalf("check of a forged head: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/api/v1/bip/log/check?head=12", "", nil); res.Status != 400 {
		t.Fatalf("a bad head: %d", res.Status)
	} else if _, field, _ := res.apiError(t); field != "head" {
		t.Fatalf("field %q", field)
	}
	if res := e.do("GET", "/api/v1/bip/log?limit=5000", "", nil); res.Status != 400 {
		t.Fatalf("limit: %d", res.Status)
	}
}

// The console's actions answer a visitor who may not run the sitting with
// 401 or 403, as the console's page does, never with the console.
func TestConsoleActionsRefuseOutsiders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var session int64
	if err := e.Pool.QueryRow(system, "SELECT id FROM council_sessions ORDER BY id LIMIT 1").Scan(&session); err != nil {
		t.Fatal(err)
	}
	resident := e.browser()
	resident.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
	councillor := e.browser()
	councillor.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	for _, action := range []string{"obecnosc", "obecnosc/wszyscy", "glosowania", "otworz", "stan", "biezacy", "wyczytanie", "zmiana-porzadku", "zamknij", "uniewaznij", "mowcy", "czasy", "przerwa"} {
		path := fmt.Sprintf("/rada/sesje/%d/%s", session, action)
		for who, want := range map[*browser]int{e.browser(): 401, resident: 403, councillor: 403} {
			res := who.post(path, url.Values{"action": {"start"}})
			if res.Status != want || strings.Contains(res.Body, "prowadzenie") && strings.Contains(res.Body, `action="/rada/sesje/`) {
				t.Errorf("%s: %d, want %d", path, res.Status, want)
			}
		}
	}
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// No secret reaches the log, at its most talkative level: not a password,
// a session id, an API token, a budget receipt, nor an unsubscribe token
// (the mail fallback used to log whole messages, tokens included).
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	dataDir := testdb.TempDir(t)
	e := newEnvLog(t, map[string]string{"RATUSZ_DATA_DIR": dataDir}, &logs, slog.LevelDebug)
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"password": "demo-mieszkaniec-2026", "staff password": "demo-radna-2026"}

	// A resident signs in and votes in the budget.
	b := e.browser()
	b.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
	u, _ := url.Parse(e.URL)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "ratusz_session" {
			secrets["session"] = c.Value
		}
	}
	var edition int64
	e.Pool.QueryRow(system, "SELECT id FROM pb_editions WHERE phase = 'voting' LIMIT 1").Scan(&edition)
	var project string
	e.Pool.QueryRow(system, "SELECT id::text FROM pb_projects WHERE edition_id = $1 AND status = 'accepted' ORDER BY id LIMIT 1", edition).Scan(&project)
	res := b.post(fmt.Sprintf("/budzet-obywatelski/%d/glosuj", edition), url.Values{"p": {project}, "confirm": {"1"}})
	code := regexp.MustCompile(`<strong>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</strong>`).FindStringSubmatch(res.Body)
	if code == nil {
		t.Fatalf("no receipt: %d", res.Status)
	}
	secrets["receipt"] = code[1]
	res = b.get(fmt.Sprintf("/budzet-obywatelski/%d/karty?kod=%s", edition, url.QueryEscape(code[1])))
	_ = res

	// An API token in use.
	tok := e.token("biuro.rady@przykladowo.pl")
	secrets["token"] = strings.TrimPrefix(tok, "rtz_")
	pub := `{"category":"ogloszenia","title":"Obwieszczenie o zmianie planu dla rejonu Sowiej Góry","body":"Plan.","produced_by":"Wydział","responsible":"Naczelnik","produced_at":"2026-11-20"}`
	e.do("POST", "/api/v1/publications", tok, strings.NewReader(`{"category":"ogloszenia","title":"x"`)) // a refused one too

	// A saved search whose alert goes to the mail fallback.
	r := e.browser()
	r.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	r.post("/szukaj/zapisane", url.Values{"q": {"sowiej góry"}})
	if res := e.do("POST", "/api/v1/publications", tok, strings.NewReader(pub)); res.Status != 201 {
		t.Fatalf("publication: %d %s", res.Status, res.Body)
	}
	e.SyncSearch(system)
	if err := e.CheckSearchAlerts(system); err != nil {
		t.Fatal(err)
	}
	spooled, _ := filepath.Glob(filepath.Join(dataDir, "mail", "*.eml"))
	if len(spooled) != 1 {
		t.Fatalf("%d spooled mails, want 1", len(spooled))
	}
	mail, _ := os.ReadFile(spooled[0])
	link := regexp.MustCompile(`/szukaj/wypisz/([A-Za-z0-9_-]+)`).FindStringSubmatch(string(mail))
	if link == nil {
		t.Fatalf("no unsubscribe link in the spooled mail:\n%s", mail)
	}
	secrets["unsubscribe token"] = link[1]
	if fi, _ := os.Stat(spooled[0]); fi.Mode().Perm() != 0o600 {
		t.Fatalf("spooled mail is mode %v", fi.Mode().Perm())
	}
	e.browser().get(link[0])                              // following the link is logged too
	for _, m := range []string{"HEAD", "PUT", "DELETE"} { // and any other method, or a slash more
		e.do(m, link[0], "", nil)
	}
	e.browser().get(link[0] + "/")

	out := logs.String()
	if !strings.Contains(out, "request") {
		t.Fatal("nothing was logged")
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the log holds a %s", what)
		}
	}
}

// An admin holds every role for managing, but an admin account is not a
// resident's: it does not cast a budget ballot.
func TestAdminDoesNotVoteInTheBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var edition int64
	e.Pool.QueryRow(system, "SELECT id FROM pb_editions WHERE phase = 'voting' LIMIT 1").Scan(&edition)
	var project string
	e.Pool.QueryRow(system, "SELECT id::text FROM pb_projects WHERE edition_id = $1 AND status = 'accepted' ORDER BY id LIMIT 1", edition).Scan(&project)
	b := e.browser()
	b.login("admin@przykladowo.pl", "demo-admin-2026")
	if res := b.post(fmt.Sprintf("/budzet-obywatelski/%d/glosuj", edition), url.Values{"p": {project}}); res.Status != 403 {
		t.Fatalf("the admin's ballot: %d", res.Status)
	}
}

// Behind https the site tells browsers to keep to https (HSTS); on plain
// http (the demo) it does not.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, nil)
	if h := plain.browser().get("/").Header.Get("Strict-Transport-Security"); h != "" {
		t.Fatalf("HSTS over http: %q", h)
	}
	secure := newEnv(t, map[string]string{"RATUSZ_BASE_URL": "https://bip.przykladowo.pl"})
	if h := secure.browser().get("/").Header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
		t.Fatalf("no HSTS with an https base URL: %q", h)
	}
}

// Sixty saves sent at once passed the limit of fifty; now fifty are kept
// and the rest refused.
func TestSavedSearchLimitHoldsInParallel(t *testing.T) {
	t.Parallel()
	e := searchEnv(t, nil)
	b := e.browser()
	b.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	var wg sync.WaitGroup
	codes := make(chan int, 60)
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- b.post("/szukaj/zapisane", url.Values{"q": {fmt.Sprintf("uchwała %d", i)}}).Status
		}()
	}
	wg.Wait()
	close(codes)
	refused := 0
	for c := range codes {
		if c == 400 {
			refused++
		}
	}
	var n int
	e.Pool.QueryRow(system, "SELECT count(*) FROM search_saved WHERE active").Scan(&n)
	if n != 50 || refused != 10 {
		t.Fatalf("%d saved, %d refused; want 50 and 10", n, refused)
	}
}

// A consultation's description is rendered when saved and read as stored:
// a page view renders no Markdown (a crafted description used to cost
// seconds on every anonymous view).
func TestConsultationDescriptionRenderedOnSave(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var id int64
	if err := e.Pool.QueryRow(system, "SELECT id FROM consultations WHERE state = 'open' ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Pool.Exec(system, "UPDATE consultations SET description = '**nie to**', description_html = '<p>zapisane przy zapisie</p>' WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	page := e.browser().get(fmt.Sprintf("/konsultacje/%d", id))
	if !strings.Contains(page.Body, "zapisane przy zapisie") || strings.Contains(page.Body, "<strong>nie to</strong>") {
		t.Fatalf("the page rendered the description again: %d", page.Status)
	}
	// A row from before (no stored rendering) is rendered once, on first read.
	e.Pool.Exec(system, "UPDATE consultations SET description_html = NULL WHERE id = $1", id)
	if page := e.browser().get(fmt.Sprintf("/konsultacje/%d", id)); !strings.Contains(page.Body, "<strong>nie to</strong>") {
		t.Fatal("an old row was not rendered")
	}
	var stored *string
	e.Pool.QueryRow(system, "SELECT description_html FROM consultations WHERE id = $1", id).Scan(&stored)
	if stored == nil || !strings.Contains(*stored, "<strong>nie to</strong>") {
		t.Fatal("the rendering of an old row was not stored")
	}
}
