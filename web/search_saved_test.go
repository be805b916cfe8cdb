package web_test

import (
	"bufio"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smtpServer is a small SMTP server on loopback, written for the test: it
// speaks enough of the protocol (EHLO, MAIL, RCPT, DATA, QUIT) for
// net/smtp and hands each message's data to the channel.
func smtpServer(t *testing.T) (string, <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	msgs := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { c.Write([]byte(s + "\r\n")) }
				say("220 test ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250-test")
						say("250 8BITMIME")
					case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
						say("250 OK")
					case cmd == "DATA":
						say("354 go ahead")
						var b strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							b.WriteString(strings.TrimPrefix(l, "."))
						}
						msgs <- b.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("502 not implemented")
					}
				}
			}(c)
		}
	}()
	return "smtp://" + ln.Addr().String(), msgs
}

func TestSearchSavedAlerts(t *testing.T) {
	t.Parallel()
	smtpURL, mails := smtpServer(t)
	e := searchEnv(t, map[string]string{"RATUSZ_SMTP_URL": smtpURL})
	query := url.Values{"q": {"obwieszczenie kruka"}}

	t.Run("ErrAnonymous", func(t *testing.T) {
		res := e.browser().post("/szukaj/zapisane", query)
		if res.Status != 401 {
			t.Fatalf("%d", res.Status)
		}
	})
	b := e.browser()
	b.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	t.Run("ErrEmpty", func(t *testing.T) {
		if res := b.post("/szukaj/zapisane", url.Values{"q": {"  "}}); res.Status != 400 {
			t.Fatalf("%d", res.Status)
		}
	})
	res := b.post("/szukaj/zapisane", query)
	if res.Status != 303 || !strings.Contains(res.Header.Get("Location"), "zapisano=1") {
		t.Fatalf("save: %d %s", res.Status, res.Header.Get("Location"))
	}
	list := b.get("/szukaj/zapisane")
	if list.Status != 200 || !strings.Contains(list.Body, "obwieszczenie kruka") {
		t.Fatalf("list: %d\n%s", list.Status, list.Body)
	}
	if err := e.CheckSearchAlerts(system); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-mails:
		t.Fatalf("mail with nothing new:\n%s", m)
	case <-time.After(300 * time.Millisecond):
	}

	office := e.token("biuro.rady@przykladowo.pl")
	pub := `{"category":"ogloszenia","title":"Obwieszczenie o planie dla rejonu Żabiego Kruka","body":"Plan <b>miejscowy</b>.","produced_by":"Wydział Architektury","responsible":"Naczelnik","produced_at":"2026-11-20"}`
	if res := e.do("POST", "/api/v1/publications", office, strings.NewReader(pub)); res.Status != 201 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	if err := e.CheckSearchAlerts(system); err != nil {
		t.Fatal(err)
	}
	var mail string
	select {
	case mail = <-mails:
	case <-time.After(5 * time.Second):
		t.Fatal("no alert e-mail after a matching publication")
	}
	if !strings.Contains(mail, "To: radna.lewandowska@przykladowo.pl") || !strings.Contains(mail, "Obwieszczenie o planie dla rejonu Żabiego Kruka") || !strings.Contains(mail, e.URL+"/bip/publikacje/") {
		t.Fatalf("mail:\n%s", mail)
	}
	// Sent once only.
	e.CheckSearchAlerts(system)
	select {
	case m := <-mails:
		t.Fatalf("second mail for the same result:\n%s", m)
	case <-time.After(300 * time.Millisecond):
	}

	link := regexp.MustCompile(`/szukaj/wypisz/[A-Za-z0-9_-]+`).FindString(mail)
	if link == "" {
		t.Fatalf("no unsubscribe link:\n%s", mail)
	}
	var stored int
	e.Pool.QueryRow(system, "SELECT count(*) FROM search_saved_tokens WHERE sha = sha256(convert_to($1, 'UTF8'))", strings.TrimPrefix(link, "/szukaj/wypisz/")).Scan(&stored)
	if stored != 0 {
		t.Error("the unsubscribe token is stored in the clear")
	}
	t.Run("ErrUnknownToken", func(t *testing.T) {
		if res := e.browser().get("/szukaj/wypisz/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); res.Status != 404 {
			t.Fatalf("%d", res.Status)
		}
	})
	// Without signing in: the link shows a confirmation, the button unsubscribes.
	anon := e.browser()
	form := anon.get(link)
	if form.Status != 200 || !strings.Contains(form.Body, `action="`+link+`"`) {
		t.Fatalf("unsubscribe page: %d\n%s", form.Status, form.Body)
	}
	if res := anon.post(link, url.Values{}); res.Status != 200 {
		t.Fatalf("unsubscribe: %d", res.Status)
	}
	var active bool
	e.Pool.QueryRow(system, "SELECT active FROM search_saved").Scan(&active)
	if active {
		t.Fatal("still subscribed")
	}
	if again := anon.get(link); again.Status != 200 || strings.Contains(again.Body, `action="`+link+`"`) {
		t.Errorf("after unsubscribing the link should say it is done: %d", again.Status)
	}
	pub2 := strings.Replace(pub, "Obwieszczenie o planie", "Obwieszczenie o zmianie planu", 1)
	e.do("POST", "/api/v1/publications", office, strings.NewReader(pub2))
	e.SyncSearch(system)
	e.CheckSearchAlerts(system)
	select {
	case m := <-mails:
		t.Fatalf("mail after unsubscribing:\n%s", m)
	case <-time.After(300 * time.Millisecond):
	}
}

// While the mail server is down nothing is marked as sent: the alert goes
// out when it is back.
func TestSearchSavedAlertsMailDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the server is down
	e := searchEnv(t, map[string]string{"RATUSZ_SMTP_URL": "smtp://" + addr})
	b := e.browser()
	b.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	if res := b.post("/szukaj/zapisane", url.Values{"q": {"kormorany"}}); res.Status != 303 {
		t.Fatalf("save: %d", res.Status)
	}
	office := e.token("biuro.rady@przykladowo.pl")
	pub := `{"category":"ogloszenia","title":"Ogłoszenie o kormoranach","body":"Kormorany nad stawem.","produced_by":"Wydział","responsible":"Naczelnik","produced_at":"2026-11-20"}`
	if res := e.do("POST", "/api/v1/publications", office, strings.NewReader(pub)); res.Status != 201 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	e.SyncSearch(system)
	if err := e.CheckSearchAlerts(system); err == nil {
		t.Fatal("no error with the mail server down")
	}
	var seen int
	e.Pool.QueryRow(system, "SELECT count(*) FROM search_saved_seen s JOIN search_documents d ON d.id = s.doc_id WHERE d.title LIKE '%kormoranach%'").Scan(&seen)
	if seen != 0 {
		t.Fatal("an unsent alert was marked as seen")
	}
}

// A saved search is changed from the search page: the list describes its
// filters and links to it; saving there replaces it, for its owner only.
func TestSearchSavedEdit(t *testing.T) {
	t.Parallel()
	e := searchEnv(t, nil)
	b := e.browser()
	b.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	if res := b.post("/szukaj/zapisane", url.Values{"q": {"sesja"}, "typ": {"session"}, "od": {"2026-01-01"}}); res.Status != 303 {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	var id int64
	e.Pool.QueryRow(system, "SELECT id FROM search_saved").Scan(&id)
	sid := strconv.FormatInt(id, 10)
	list := b.get("/szukaj/zapisane")
	edit := "/szukaj?from=2026-01-01&amp;q=sesja&amp;type=session&amp;zapisane=" + sid
	if !strings.Contains(list.Body, "Rodzaj: sesja · Od dnia: 2026-01-01") || !strings.Contains(list.Body, `href="`+edit+`"`) {
		t.Fatalf("list does not describe or link the saved search:\n%s", list.Body)
	}
	page := b.get("/szukaj?q=sesja&typ=session&zapisane=" + sid)
	if page.Status != 200 || !strings.Contains(page.Body, `name="zastap" value="`+sid+`"`) || !strings.Contains(page.Body, "Zapisz zmiany w zapisanym wyszukiwaniu") {
		t.Fatalf("edit page: %d\n%s", page.Status, page.Body)
	}
	// The words and filters chosen there keep the page in edit mode.
	if !strings.Contains(page.Body, `name="zapisane" value="`+sid+`"`) {
		t.Error("the search form drops the saved search being changed")
	}

	other := e.browser()
	other.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
	t.Run("ErrAnotherPersonsSearch", func(t *testing.T) {
		if res := other.get("/szukaj?zapisane=" + sid); res.Status != 404 {
			t.Errorf("another person opens it: %d", res.Status)
		}
		if res := other.post("/szukaj/zapisane", url.Values{"q": {"przejęte"}, "zastap": {sid}}); res.Status != 404 {
			t.Errorf("another person replaces it: %d", res.Status)
		}
		if res := e.browser().get("/szukaj?zapisane=" + sid); res.Status != 401 {
			t.Errorf("anonymous: %d", res.Status)
		}
		for _, bad := range []string{"abc", "0", "-1", ""} {
			if res := b.post("/szukaj/zapisane", url.Values{"q": {"x"}, "zastap": {bad}}); res.Status != 404 {
				t.Errorf("replacing saved search %q: %d", bad, res.Status)
			}
		}
		// A link cannot slip a replacement into the page's save form.
		if res := b.get("/szukaj?q=x&zastap=" + sid); strings.Contains(res.Body, `name="zastap"`) {
			t.Error("a zastap parameter in the address reached the save form")
		}
	})

	var saved int
	e.Pool.QueryRow(system, "SELECT count(*) FROM search_saved").Scan(&saved)
	if saved != 1 {
		t.Fatalf("%d saved searches after refused replacements", saved)
	}
	res := b.post("/szukaj/zapisane", url.Values{"q": {"budżet"}, "status": {"adopted"}, "zastap": {sid}})
	if res.Status != 303 || res.Header.Get("Location") != "/szukaj/zapisane?zmieniono=1" {
		t.Fatalf("replace: %d %s", res.Status, res.Header.Get("Location"))
	}
	var n int
	var q, f string
	e.Pool.QueryRow(system, "SELECT count(*), min(query), min(filters::text) FROM search_saved WHERE active").Scan(&n, &q, &f)
	if n != 1 || q != "budżet" || strings.Contains(f, "session") || !strings.Contains(f, "adopted") {
		t.Fatalf("after replacing: %d saved, %q %s", n, q, f)
	}
	if list := b.get("/szukaj/zapisane?zmieniono=1"); !strings.Contains(list.Body, "Zapisano zmiany") || !strings.Contains(list.Body, "Stan: przyjęto") {
		t.Errorf("list after the change:\n%s", list.Body)
	}
	// A BIP category is named, not shown as its slug.
	b.post("/szukaj/zapisane", url.Values{"q": {"budżet"}, "kategoria": {"uchwaly"}})
	if list := b.get("/szukaj/zapisane"); !strings.Contains(list.Body, "Kategoria: Uchwały") {
		t.Errorf("category shown as a slug:\n%s", list.Body)
	}
}
