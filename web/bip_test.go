package web_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestBIPAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	councillor := e.token("radna.lewandowska@przykladowo.pl")
	body := `{"category":"uchwaly","title":"Uchwała nr XIV/160/2026","body":"## § 1\n\nTreść.","produced_by":"Rada Gminy","responsible":"Przewodniczący Rady","produced_at":"2026-11-20"}`
	count := func() (n int) {
		e.Pool.QueryRow(system, "SELECT count(*) FROM bip_versions").Scan(&n)
		return
	}
	before := count()

	cats := e.do("GET", "/api/v1/categories", "", nil)
	if cats.Status != 200 || !strings.Contains(cats.Body, `"slug": "uchwaly"`) || !strings.Contains(cats.Body, `"parent": "rada"`) {
		t.Fatalf("categories: %d %s", cats.Status, cats.Body)
	}

	for name, c := range map[string]struct {
		token, body string
		status      int
		field       string
	}{
		"ErrAnonymous":     {"", body, 401, ""},
		"ErrCouncillor":    {councillor, body, 403, ""},
		"ErrUnknownField":  {office, strings.Replace(body, `"title"`, `"tytul":"x","title"`, 1), 400, "tytul"},
		"ErrNoTitle":       {office, strings.Replace(body, `"Uchwała nr XIV/160/2026"`, `""`, 1), 400, "title"},
		"ErrCategory":      {office, strings.Replace(body, `"uchwaly"`, `"nie-ma-takiej"`, 1), 400, "category"},
		"ErrDate":          {office, strings.Replace(body, `"2026-11-20"`, `"20.11.2026"`, 1), 400, "produced_at"},
		"ErrFutureDate":    {office, strings.Replace(body, `"2026-11-20"`, `"2099-01-01"`, 1), 400, "produced_at"},
		"ErrNoResponsible": {office, strings.Replace(body, `"Przewodniczący Rady"`, `" "`, 1), 400, "responsible"},
	} {
		t.Run(name, func(t *testing.T) {
			res := e.do("POST", "/api/v1/publications", c.token, strings.NewReader(c.body))
			_, field, msg := res.apiError(t)
			if res.Status != c.status || field != c.field || msg == "" {
				t.Fatalf("got %d field=%q %s", res.Status, field, res.Body)
			}
			if count() != before {
				t.Fatal("a refused request stored a version")
			}
		})
	}

	res := e.do("POST", "/api/v1/publications", office, strings.NewReader(body))
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	created := res.json(t)
	id := fmt.Sprint(created["id"])
	if created["version"] != 1.0 || created["url"] != e.URL+"/bip/publikacje/"+id {
		t.Fatalf("created %v", created)
	}
	got := e.do("GET", "/api/v1/publications/"+id, "", nil).json(t)
	meta := got["metadata"].(map[string]any)
	if meta["entered_by"] != "Joanna Kamińska" || meta["produced_by"] != "Rada Gminy" || meta["published_at"] == nil {
		t.Fatalf("metadata %v", meta)
	}
	if !strings.Contains(got["body_html"].(string), "<h3") {
		t.Fatalf("body not rendered: %v", got["body_html"])
	}

	revision := strings.Replace(body, `"Treść."`, `"Treść poprawiona."`, 1)
	if res := e.do("PUT", "/api/v1/publications/"+id, office, strings.NewReader(revision)); res.Status != 400 {
		t.Fatalf("revision without a reason: %d", res.Status)
	} else if _, field, _ := res.apiError(t); field != "change_reason" {
		t.Fatalf("field %q", field)
	}
	revision = strings.Replace(revision, `{`, `{"change_reason":"Korekta oczywistej omyłki",`, 1)
	if res := e.do("PUT", "/api/v1/publications/"+id, councillor, strings.NewReader(revision)); res.Status != 403 {
		t.Fatalf("councillor revised: %d", res.Status)
	}
	res = e.do("PUT", "/api/v1/publications/"+id, office, strings.NewReader(revision))
	if res.Status != 200 || res.json(t)["version"] != 2.0 {
		t.Fatalf("revise: %d %s", res.Status, res.Body)
	}
	versions := e.do("GET", "/api/v1/publications/"+id+"/versions", "", nil)
	if !strings.Contains(versions.Body, `"change_reason": "Korekta oczywistej omyłki"`) || strings.Count(versions.Body, `"version"`) != 2 {
		t.Fatalf("versions %s", versions.Body)
	}
	res = e.do("POST", "/api/v1/publications/"+id+"/withdraw", office, strings.NewReader(`{"change_reason":"Uchylona"}`))
	if res.Status != 200 || res.json(t)["withdrawn"] != true {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	if res := e.do("PUT", "/api/v1/publications/"+id, office, strings.NewReader(revision)); res.Status != 409 {
		t.Fatalf("revising a withdrawn publication: %d", res.Status)
	}
	if res := e.do("GET", "/api/v1/publications/999999", "", nil); res.Status != 404 {
		t.Fatalf("missing: %d", res.Status)
	}
}

// upload builds the editor's multipart form; files map raw names (as a
// client sends them) to contents.
func upload(fields map[string]string, files map[string][]byte) (string, io.Reader) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename="%s"`, name))
		h.Set("Content-Type", "application/octet-stream")
		part, _ := w.CreatePart(h)
		part.Write(data)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}

func (b *browser) multipart(path, contentType string, body io.Reader) response {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", b.e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(out)}
}

func TestBIPEditor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	b.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")
	fields := map[string]string{"category": "ogloszenia", "title": "Ogłoszenie o przetargu na odśnieżanie dróg gminnych",
		"body": "Wójt Gminy ogłasza przetarg.\n\n- termin: 15 grudnia", "produced_by": "Referat Inwestycji", "responsible": "Wójt Gminy", "produced_at": "2026-11-21", "action": "publish"}
	versions := func() (n int) {
		e.Pool.QueryRow(system, "SELECT count(*) FROM bip_versions").Scan(&n)
		return
	}
	before := versions()

	t.Run("ErrPathTraversal", func(t *testing.T) {
		ct, body := upload(fields, map[string][]byte{"../../etc/passwd": []byte("root:x:0:0")})
		res := b.multipart("/bip/redakcja/nowa", ct, body)
		if res.Status != 400 || !strings.Contains(res.Body, "zawiera ścieżkę") || !strings.Contains(res.Body, `id="attachments-error"`) {
			t.Fatalf("status %d", res.Status)
		}
		if versions() != before {
			t.Fatal("stored despite a path in the file name")
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		ct, body := upload(fields, map[string][]byte{"skan.pdf": append([]byte("%PDF-1.4\n"), make([]byte, 20<<20)...)})
		res := b.multipart("/bip/redakcja/nowa", ct, body)
		if res.Status != 413 || !strings.Contains(res.Body, "za duży") {
			t.Fatalf("status %d", res.Status)
		}
		if versions() != before {
			t.Fatal("stored despite an over-size file")
		}
	})
	t.Run("ErrMissingField", func(t *testing.T) {
		f := map[string]string{}
		for k, v := range fields {
			f[k] = v
		}
		f["responsible"] = ""
		ct, body := upload(f, nil)
		res := b.multipart("/bip/redakcja/nowa", ct, body)
		if res.Status != 400 || !strings.Contains(res.Body, `id="responsible-error"`) || !strings.Contains(res.Body, "Ogłoszenie o przetargu") {
			t.Fatalf("status %d", res.Status)
		}
	})
	// A file chosen before a preview or a refusal is kept for its uploader,
	// and published when the form is sent again without choosing it anew.
	t.Run("KeepsFilesAcrossPreview", func(t *testing.T) {
		f := map[string]string{}
		for k, v := range fields {
			f[k] = v
		}
		f["action"], f["title"] = "preview", "Ogłoszenie z planem odśnieżania"
		ct, body := upload(f, map[string][]byte{"plan-odsniezania.txt": []byte("Trasy odśnieżania: 1, 2, 3.")})
		res := b.multipart("/bip/redakcja/nowa", ct, body)
		id := regexp.MustCompile(`name="staged" value="(\d+)" checked> <label for="staged-\d+">plan-odsniezania.txt`).FindStringSubmatch(res.Body)
		if res.Status != 200 || id == nil {
			t.Fatalf("the preview lost the chosen file: %d\n%s", res.Status, res.Body)
		}
		// Someone else cannot take it.
		other := e.browser()
		other.login("admin@przykladowo.pl", "demo-admin-2026")
		f["action"] = "publish"
		f["staged"] = id[1]
		ct, body = upload(f, nil)
		if r := other.multipart("/bip/redakcja/nowa", ct, body); r.Status != 400 || !strings.Contains(r.Body, "wybierz go ponownie") {
			t.Fatalf("another's staged file: %d", r.Status)
		}
		ct, body = upload(f, nil)
		res = b.multipart("/bip/redakcja/nowa", ct, body)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("publish with the kept file: %d\n%s", res.Status, res.Body)
		}
		pub := b.get(res.Header.Get("Location"))
		if !strings.Contains(pub.Body, "plan-odsniezania.txt") {
			t.Fatal("the kept file was not published")
		}
		var left int
		e.Pool.QueryRow(system, "SELECT count(*) FROM bip_staged").Scan(&left)
		if left != 0 {
			t.Fatalf("%d staged files left after publishing", left)
		}
		before = versions()
	})
	t.Run("Preview", func(t *testing.T) {
		f := map[string]string{}
		for k, v := range fields {
			f[k] = v
		}
		f["action"] = "preview"
		ct, body := upload(f, nil)
		res := b.multipart("/bip/redakcja/nowa", ct, body)
		if res.Status != 200 || !strings.Contains(res.Body, "<li>termin: 15 grudnia</li>") {
			t.Fatalf("preview %d", res.Status)
		}
		if versions() != before {
			t.Fatal("preview published")
		}
	})
	t.Run("ErrCouncillorCannotPublish", func(t *testing.T) {
		c := e.browser()
		c.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
		if res := c.get("/bip/redakcja/nowa"); res.Status != 403 {
			t.Fatalf("form: %d", res.Status)
		}
		ct, body := upload(fields, nil)
		if res := c.multipart("/bip/redakcja/nowa", ct, body); res.Status != 403 {
			t.Fatalf("post: %d", res.Status)
		}
	})

	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	html := []byte("<html><body><script>alert(document.cookie)</script></body></html>")
	ct, body := upload(fields, map[string][]byte{"specyfikacja.pdf": pdf, "zalacznik.html": html})
	res := b.multipart("/bip/redakcja/nowa", ct, body)
	if res.Status != 303 {
		t.Fatalf("publish: %d\n%s", res.Status, res.Body)
	}
	page := b.get(res.Header.Get("Location"))
	for _, want := range []string{"Opublikowano.", "Ogłoszenie o przetargu", "Referat Inwestycji", "Joanna Kamińska", "specyfikacja.pdf", "zalacznik.html", "Metryczka"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("publication page lacks %q", want)
		}
	}
	var pdfID, htmlID int64
	e.Pool.QueryRow(system, "SELECT id FROM bip_attachments WHERE name = 'specyfikacja.pdf'").Scan(&pdfID)
	e.Pool.QueryRow(system, "SELECT id FROM bip_attachments WHERE name = 'zalacznik.html'").Scan(&htmlID)

	got := e.do("GET", fmt.Sprintf("/bip/zalaczniki/%d/specyfikacja.pdf", pdfID), "", nil)
	if got.Status != 200 || got.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "inline") || got.Body != string(pdf) {
		t.Fatalf("pdf: %d %v", got.Status, got.Header)
	}
	got = e.do("GET", fmt.Sprintf("/bip/zalaczniki/%d/x", htmlID), "", nil)
	if got.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(got.Header.Get("Content-Security-Policy"), "sandbox") || got.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("an HTML upload is served so a browser could run it: %v", got.Header)
	}
	var sum []byte
	e.Pool.QueryRow(system, "SELECT sha256 FROM bip_attachments WHERE id = $1", pdfID).Scan(&sum)
	if !strings.Contains(page.Body, fmt.Sprintf("%x", sum)) {
		t.Fatal("the page does not show the attachment's SHA-256")
	}

	// Revise: drop the HTML file, keep the PDF, give a reason.
	id := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/bip/publikacje/")
	f := map[string]string{}
	for k, v := range fields {
		f[k] = v
	}
	f["body"] = "Wójt Gminy ogłasza przetarg nieograniczony.\n\n- termin: 15 grudnia"
	f["keep"] = fmt.Sprint(pdfID)
	ct, body = upload(f, nil)
	if res := b.multipart("/bip/publikacje/"+id+"/edycja", ct, body); res.Status != 400 || !strings.Contains(res.Body, "Podaj powód zmiany") {
		t.Fatalf("revision without reason: %d", res.Status)
	}
	f["change_reason"] = "Doprecyzowanie trybu"
	ct, body = upload(f, nil)
	if res := b.multipart("/bip/publikacje/"+id+"/edycja", ct, body); res.Status != 303 {
		t.Fatalf("revise: %d\n%s", res.Status, res.Body)
	}
	page = b.get("/bip/publikacje/" + id)
	if !strings.Contains(page.Body, "specyfikacja.pdf") || strings.Contains(page.Body, "zalacznik.html") || !strings.Contains(page.Body, "Doprecyzowanie trybu") {
		t.Fatal("revision did not carry the right attachments or reason")
	}
	diff := b.get("/bip/publikacje/" + id + "/wersje?od=1&do=2")
	if !strings.Contains(diff.Body, "<del>przetarg.</del><ins>przetarg nieograniczony.</ins>") {
		t.Fatalf("diff does not mark the inserted word:\n%s", diff.Body)
	}
	if res := b.get("/bip/publikacje/" + id + "/wersje?od=0&do=9"); res.Status != 400 || !strings.Contains(res.Body, `id="od-error"`) {
		t.Fatalf("bad diff range: %d", res.Status)
	}
	old := b.get("/bip/publikacje/" + id + "/wersje/1")
	if !strings.Contains(old.Body, "zalacznik.html") || !strings.Contains(old.Body, "Oglądasz wersję 1") {
		t.Fatal("version 1 is not readable as it was")
	}
	if res := b.get("/bip/publikacje/" + id + "/druk"); res.Status != 200 || strings.Contains(res.Body, "main-nav") || !strings.Contains(res.Body, "Metryczka") {
		t.Fatalf("print view: %d", res.Status)
	}

	// Withdraw: a reason is required; afterwards the page says so.
	if res := b.post("/bip/publikacje/"+id+"/wycofanie", url.Values{"change_reason": {""}}); res.Status != 400 {
		t.Fatalf("withdraw without reason: %d", res.Status)
	}
	if res := b.post("/bip/publikacje/"+id+"/wycofanie", url.Values{"change_reason": {"Przetarg unieważniony"}}); res.Status != 303 {
		t.Fatalf("withdraw: %d", res.Status)
	}
	page = b.get("/bip/publikacje/" + id)
	if !strings.Contains(page.Body, "Publikacja wycofana.") || !strings.Contains(page.Body, "Przetarg unieważniony") || !strings.Contains(page.Body, "nieograniczony") {
		t.Fatal("withdrawn publication not marked, or its content gone")
	}
}

func TestBIPPublicPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	home := b.get("/bip")
	if home.Status != 200 || !strings.Contains(home.Body, "Menu przedmiotowe") || !strings.Contains(home.Body, "Imienny wykaz głosowania") {
		t.Fatalf("BIP home: %d", home.Status)
	}
	cat := b.get("/bip/kategoria/uchwaly")
	if cat.Status != 200 || !strings.Contains(cat.Body, "Uchwała nr X/99/2026") || strings.Contains(cat.Body, "Zarządzenie nr") {
		t.Fatalf("category listing: %d", cat.Status)
	}
	if res := b.get("/bip/kategoria/nie-ma"); res.Status != 404 {
		t.Fatalf("unknown category: %d", res.Status)
	}
	if res := b.get("/bip/kategoria/uchwaly?strona=zero"); res.Status != 400 {
		t.Fatalf("bad page number: %d", res.Status)
	}

	var feed struct {
		Title   string `xml:"title"`
		Entries []struct {
			Title string `xml:"title"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	atom := b.get("/bip/feed.atom")
	if err := xml.Unmarshal([]byte(atom.Body), &feed); err != nil || len(feed.Entries) < 6 || !strings.HasPrefix(feed.Entries[0].Link.Href, e.URL+"/bip/publikacje/") {
		t.Fatalf("feed: %v %+v", err, feed)
	}
	if !strings.HasPrefix(atom.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatal("feed content type")
	}
	catFeed := b.get("/bip/kategoria/uchwaly/feed.atom")
	feed.Entries = nil
	if err := xml.Unmarshal([]byte(catFeed.Body), &feed); err != nil || len(feed.Entries) != 4 { // two demo resolutions and two adopted in session XI
		t.Fatalf("category feed: %v %d", err, len(feed.Entries))
	}

	var index struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(b.get("/sitemap.xml").Body), &index); err != nil || len(index.Sitemaps) != 2 {
		t.Fatalf("sitemap index: %v %+v", err, index)
	}
	// Every module's demo publishes to BIP: count what it published.
	var pubs, head int
	if err := e.Pool.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM bip_publications), (SELECT max(seq) FROM bip_log)").Scan(&pubs, &head); err != nil || pubs < 10 {
		t.Fatalf("demo publications: %d %v", pubs, err)
	}
	part := b.get(strings.TrimPrefix(index.Sitemaps[1].Loc, e.URL))
	if strings.Count(part.Body, "<loc>") != pubs {
		t.Fatalf("publications sitemap: %s", part.Body)
	}

	reg := b.get("/bip/rejestr-zmian")
	if reg.Status != 200 || !strings.Contains(reg.Body, "Dziennik skrótów") || !strings.Contains(reg.Body, fmt.Sprintf("Bieżący wpis nr %d", head)) {
		t.Fatalf("change register: %d", reg.Status)
	}
	withdrawn := b.get("/bip/rejestr-zmian?rodzaj=withdraw")
	if !strings.Contains(withdrawn.Body, "Liczba zmian: 1") || !strings.Contains(withdrawn.Body, "unieważniony") {
		t.Fatal("filter by kind")
	}
	if res := b.get("/bip/rejestr-zmian?od=wczoraj"); res.Status != 400 || !strings.Contains(res.Body, `id="od-error"`) {
		t.Fatalf("bad date: %d", res.Status)
	}
	if res := b.get("/bip/rejestr-zmian?od=2000-01-01&do=2000-01-02"); !strings.Contains(res.Body, "Liczba zmian: 0") {
		t.Fatal("date filter")
	}
}
