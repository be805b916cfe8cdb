package web_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/testdb"
)

// Follows and notices over HTTP: the API, the "Obserwuj" box and the
// person's list, a notice of a councillor's ballot by e-mail, and the
// unsubscribe link that needs no sign-in.

// A second resident of the demo, made by the accounts service.
const (
	otherResident = "anna.mieszkanka@example.pl"
	otherPassword = "haslo-mieszkanki-2026"
)

func (e *env) newResident(t *testing.T, email, name string) {
	t.Helper()
	if _, err := e.Accounts.CreateUser(system, account.UserInput{Email: email, Name: name,
		Roles: []ratusz.Role{ratusz.RoleResident}, Password: otherPassword}); err != nil {
		t.Fatal(err)
	}
}

// councillorID is a demo councillor's id, by name.
func (e *env) councillorID(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := e.Pool.QueryRow(system, "SELECT id FROM councillors WHERE name = $1", name).Scan(&id); err != nil {
		t.Fatalf("councillor %s: %v", name, err)
	}
	return id
}

// activeFollows counts an account's follows not ended, in the database.
func (e *env) activeFollows(t *testing.T, email string) int {
	t.Helper()
	return e.count(t, "SELECT count(*) FROM follows f JOIN users u ON u.id = f.user_id WHERE u.email = $1 AND f.ended_at IS NULL", email)
}

type followJSON struct {
	ID     int64 `json:"id"`
	Target struct {
		Type string `json:"type"`
		ID   int64  `json:"id"`
	} `json:"target"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	Delivery string `json:"delivery"`
	Channel  string `json:"channel"`
}

// listFollows is GET /api/v1/follows as token.
func (e *env) listFollows(t *testing.T, token string) []followJSON {
	t.Helper()
	r := e.do("GET", "/api/v1/follows", token, nil)
	if r.Status != 200 {
		t.Fatalf("GET /api/v1/follows: %d %s", r.Status, r.Body)
	}
	var list struct {
		Data []followJSON `json:"data"`
	}
	if err := jsonUnmarshal(r.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list.Data
}

func followIDs(list []followJSON) []int64 {
	var ids []int64
	for _, f := range list {
		ids = append(ids, f.ID)
	}
	return ids
}

// apiErrors returns each field an API error names, in order.
func apiErrors(t *testing.T, r response) []string {
	t.Helper()
	var body struct {
		Error  struct{ Field string } `json:"error"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := jsonUnmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Errors) == 0 {
		return []string{body.Error.Field}
	}
	var fields []string
	for _, e := range body.Errors {
		if e.Message == "" {
			t.Errorf("field %s has no message: %s", e.Field, r.Body)
		}
		fields = append(fields, e.Field)
	}
	return fields
}

func TestFollowAPI(t *testing.T) {
	t.Parallel()
	dir := testdb.TempDir(t)
	e := newEnv(t, map[string]string{"RATUSZ_DATA_DIR": dir, "RATUSZ_SMS_URL": "spool:"})
	jan := e.token(residentMail)
	e.newResident(t, otherResident, "Anna Mieszkanka")
	anna := e.token(otherResident)
	radna := e.councillorID(t, "Katarzyna Lewandowska")
	follow := fmt.Sprintf(`{"target":{"type":"councillor","id":%d},"delivery":"immediate","channel":"email"}`, radna)
	post := func(token, body string, header ...string) response {
		t.Helper()
		return e.do("POST", "/api/v1/follows", token, strings.NewReader(body), header...)
	}

	t.Run("ErrNoToken", func(t *testing.T) {
		for _, r := range []response{post("", follow), e.do("GET", "/api/v1/follows", "", nil), e.do("DELETE", "/api/v1/follows/1", "", nil)} {
			if code, _, _ := r.apiError(t); r.Status != 401 || code != "unauthorized" || r.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		}
		if n := e.count(t, "SELECT count(*) FROM follows"); n != 0 {
			t.Fatalf("%d follows written without a token", n)
		}
	})

	r := post(jan, follow)
	if r.Status != 201 {
		t.Fatalf("follow: %d %s", r.Status, r.Body)
	}
	var f followJSON
	if err := jsonUnmarshal(r.Body, &f); err != nil {
		t.Fatal(err)
	}
	if f.ID == 0 || f.Target.Type != "councillor" || f.Target.ID != radna || f.Name != "Katarzyna Lewandowska" ||
		f.URL != fmt.Sprintf("/rada/radni/%d", radna) || f.Delivery != "immediate" || f.Channel != "email" {
		t.Fatalf("the follow answered: %s", r.Body)
	}
	if list := e.listFollows(t, jan); len(list) != 1 || list[0] != f {
		t.Fatalf("GET lists %+v, want only %+v", list, f)
	}
	t.Run("OwnOnly", func(t *testing.T) {
		if list := e.listFollows(t, anna); len(list) != 0 {
			t.Fatalf("another resident sees %+v", list)
		}
		if r := e.do("GET", "/api/v1/follows", anna, nil); !strings.Contains(r.Body, `"data": []`) {
			t.Fatalf("an empty list is not an empty array: %s", r.Body)
		}
	})

	t.Run("ErrTwice", func(t *testing.T) {
		r := post(jan, follow)
		if code, _, msg := r.apiError(t); r.Status != 409 || code != "conflict" || !strings.Contains(msg, "Już to obserwujesz") {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if n := e.activeFollows(t, residentMail); n != 1 {
			t.Fatalf("%d follows after the same one twice", n)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		r := post(jan, `{"target":{"type":"nope","id":0},"delivery":"hourly","channel":"fax"}`)
		if code, field, _ := r.apiError(t); r.Status != 400 || code != "invalid" || field != "target.type" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if got := apiErrors(t, r); !slices.Equal(got, []string{"target.type", "delivery", "channel"}) {
			t.Fatalf("fields %v, want target.type, delivery and channel:\n%s", got, r.Body)
		}
		r = post(jan, `{"target":{"type":"councillor","id":999999},"delivery":"daily","channel":"email"}`)
		if _, field, msg := r.apiError(t); r.Status != 400 || field != "target.id" || !strings.Contains(msg, "Nie ma tego") {
			t.Fatalf("an unknown councillor: %d %s", r.Status, r.Body)
		}
		r = post(jan, `{"target":{"type":"councillor","id":1},"delivery":"daily","channel":"email","when":"now"}`)
		if _, field, _ := r.apiError(t); r.Status != 400 || field != "when" {
			t.Fatalf("an unknown field: %d %s", r.Status, r.Body)
		}
		if n := e.count(t, "SELECT count(*) FROM follows"); n != 1 {
			t.Fatalf("%d follows after refused ones", n)
		}
	})

	t.Run("ErrSomeoneElses", func(t *testing.T) {
		id := fmt.Sprint(f.ID)
		if r := e.do("DELETE", "/api/v1/follows/"+id, anna, nil); r.Status != 404 {
			t.Fatalf("another resident ended it: %d %s", r.Status, r.Body)
		}
		if r := e.do("DELETE", "/api/v1/follows/999999", jan, nil); r.Status != 404 {
			t.Fatalf("an unknown follow: %d %s", r.Status, r.Body)
		}
		if list := e.listFollows(t, jan); len(list) != 1 || list[0].ID != f.ID {
			t.Fatalf("after another's DELETE: %+v", list)
		}
	})

	t.Run("Unfollow", func(t *testing.T) {
		for i := range 2 { // a second click is no error
			if r := e.do("DELETE", fmt.Sprintf("/api/v1/follows/%d", f.ID), jan, nil); r.Status != 204 || r.Body != "" {
				t.Fatalf("DELETE %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		if list := e.listFollows(t, jan); len(list) != 0 {
			t.Fatalf("still listed after DELETE: %+v", list)
		}
		// Followed again afresh, as a new follow.
		if r := post(jan, follow); r.Status != 201 || strings.Contains(r.Body, fmt.Sprintf(`"id": %d,`, f.ID)) {
			t.Fatalf("following again: %d %s", r.Status, r.Body)
		}
	})

	t.Run("Phone", func(t *testing.T) {
		put := func(body string) response {
			t.Helper()
			return e.do("PUT", "/api/v1/me/contact", jan, strings.NewReader(body))
		}
		r := put(`{"phone":"abc"}`)
		if code, field, msg := r.apiError(t); r.Status != 400 || code != "invalid" || field != "phone" || !strings.Contains(msg, "numer telefonu") {
			t.Fatalf("a bad phone: %d %s", r.Status, r.Body)
		}
		if n := e.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Fatalf("a bad phone was stored (%d)", n)
		}
		if r := e.do("PUT", "/api/v1/me/contact", "", strings.NewReader(`{"phone":"600 100 200"}`)); r.Status != 401 {
			t.Fatalf("without a token: %d", r.Status)
		}

		type contact struct {
			Phone      string  `json:"phone"`
			VerifiedAt *string `json:"verified_at"`
		}
		r = put(`{"phone":"600 100 200"}`)
		var c contact
		if err := jsonUnmarshal(r.Body, &c); err != nil || r.Status != 200 || c.Phone != "+48600100200" || c.VerifiedAt != nil {
			t.Fatalf("a good phone, not yet confirmed: %d %s", r.Status, r.Body)
		}

		sms := fmt.Sprintf(`{"target":{"type":"councillor","id":%d},"delivery":"immediate","channel":"sms"}`, radna)
		r = post(jan, sms)
		if code, field, msg := r.apiError(t); r.Status != 400 || code != "invalid" || field != "channel" ||
			!strings.Contains(msg, "Telefon do powiadomień SMS") || !strings.Contains(msg, "Moje powiadomienia") {
			t.Fatalf("SMS before the phone is confirmed: %d %s", r.Status, r.Body)
		}
		if r := post(jan, sms, "Cookie", "ratusz_lang=en"); !strings.Contains(r.Body, "“Phone for SMS notices” on the “My notices” page") {
			t.Fatalf("in English: %s", r.Body)
		}
		if n := e.count(t, "SELECT count(*) FROM follows WHERE channel = 'sms'"); n != 0 {
			t.Fatalf("an SMS follow was written before the phone was confirmed (%d)", n)
		}

		// The code the SMS brought confirms the phone; SMS may then be chosen.
		texts, _ := filepath.Glob(filepath.Join(dir, "sms", "*.txt"))
		if len(texts) != 1 {
			t.Fatalf("%d SMS spooled, want the one code", len(texts))
		}
		text, _ := os.ReadFile(texts[0])
		code := regexp.MustCompile(`^To: \+48600100200\n\n.*numeru: (\d{6})\.`).FindSubmatch(text)
		if code == nil {
			t.Fatalf("no code in the SMS:\n%s", text)
		}
		wrong := "000000"
		if string(code[1]) == wrong {
			wrong = "111111"
		}
		verify := func(code string) response {
			return e.do("POST", "/api/v1/me/contact/verify", jan, strings.NewReader(`{"code":"`+code+`"}`))
		}
		if r := verify(wrong); r.Status != 400 {
			t.Fatalf("a wrong code: %d %s", r.Status, r.Body)
		} else if _, field, _ := r.apiError(t); field != "code" {
			t.Fatalf("a wrong code names %q", field)
		}
		r = verify(string(code[1]))
		c = contact{}
		if err := jsonUnmarshal(r.Body, &c); err != nil || r.Status != 200 || c.Phone != "+48600100200" || c.VerifiedAt == nil {
			t.Fatalf("the right code: %d %s", r.Status, r.Body)
		}
		if r := post(jan, sms); r.Status != 201 || !strings.Contains(r.Body, `"channel": "sms"`) {
			t.Fatalf("SMS after the phone is confirmed: %d %s", r.Status, r.Body)
		}
	})
}

// boxForm is what a browser submits from the "Obserwuj" box of a page:
// the form's hidden fields and the choices checked by default.
func boxForm(t *testing.T, page, boxID string) url.Values {
	t.Helper()
	i := strings.Index(page, `<div class="follow-box" id="`+boxID+`">`)
	if i < 0 {
		t.Fatalf("no follow box %s on the page", boxID)
	}
	box := page[i:]
	start := strings.Index(box, `<form method="post" action="/obserwuj"`)
	if start < 0 {
		t.Fatalf("the follow box has no form:\n%s", box[:min(len(box), 600)])
	}
	box = box[start:]
	form := box[:strings.Index(box, "</form>")]
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="(hidden|radio)" name="([^"]+)" value="([^"]*)"( checked)?>`).FindAllStringSubmatch(form, -1) {
		if m[1] == "hidden" || m[4] != "" {
			v.Add(m[2], m[3])
		}
	}
	return v
}

func TestFollowPages(t *testing.T) {
	t.Parallel()
	dir := testdb.TempDir(t)
	e := newEnv(t, map[string]string{"RATUSZ_DATA_DIR": dir, "RATUSZ_SMS_URL": "spool:"})
	radna := e.councillorID(t, "Katarzyna Lewandowska")
	profile := fmt.Sprintf("/rada/radni/%d", radna)
	boxID := fmt.Sprintf("follow-councillor-%d", radna)

	t.Run("ErrAnonymous", func(t *testing.T) {
		anon := e.browser()
		page := anon.get(profile)
		if page.Status != 200 || !strings.Contains(page.Body, "Zaloguj się, aby obserwować") || !strings.Contains(page.Body, `href="/login?next=`+url.QueryEscape(profile)+`"`) {
			t.Fatalf("an anonymous visitor is not asked to sign in: %d", page.Status)
		}
		form := url.Values{"target_type": {"councillor"}, "target_id": {fmt.Sprint(radna)}, "delivery": {"immediate"}, "channel": {"email"}}
		r := anon.post("/obserwuj", form)
		if r.Status != 401 || !strings.Contains(r.Body, `href="/login?next=`) {
			t.Fatalf("anonymous follow: %d\n%s", r.Status, r.Body)
		}
		if r := anon.get("/konto/powiadomienia"); r.Status != 401 {
			t.Fatalf("anonymous list: %d", r.Status)
		}
		if n := e.count(t, "SELECT count(*) FROM follows"); n != 0 {
			t.Fatalf("an anonymous POST wrote %d follows", n)
		}
	})

	jan := e.browser()
	jan.login(residentMail, "demo-mieszkaniec-2026")
	page := jan.get(profile)
	form := boxForm(t, page.Body, boxID)
	if want := (url.Values{"target_type": {"councillor"}, "target_id": {fmt.Sprint(radna)}, "delivery": {"immediate"}, "channel": {"email"}}); form.Encode() != want.Encode() {
		t.Fatalf("the box submits %v, want %v", form, want)
	}
	r := jan.post("/obserwuj", form)
	loc := r.Header.Get("Location")
	if r.Status != 303 || !strings.HasPrefix(loc, "/konto/powiadomienia?dodano=") {
		t.Fatalf("follow: %d %q\n%s", r.Status, loc, r.Body)
	}
	id := strings.TrimPrefix(loc, "/konto/powiadomienia?dodano=")
	list := jan.get(loc)
	for _, want := range []string{"Obserwujesz teraz: Katarzyna Lewandowska.", `<a href="` + profile + `">Katarzyna Lewandowska</a>`,
		">radny lub radna</td>", ">e-mail</td>", `<option value="immediate" selected>od razu, gdy coś się wydarzy</option>`} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if p := jan.get(profile); !strings.Contains(p.Body, "Obserwujesz: od razu, e-mail.") {
		t.Error("the councillor's page does not say she is followed")
	}

	t.Run("English", func(t *testing.T) {
		en := e.browser()
		en.login(residentMail, "demo-mieszkaniec-2026")
		u, _ := url.Parse(e.URL)
		en.Jar.SetCookies(u, []*http.Cookie{{Name: "ratusz_lang", Value: "en", Path: "/"}})
		list := en.get("/konto/powiadomienia?dodano=" + id)
		for _, want := range []string{"<h1>My notices</h1>", "You now follow: Katarzyna Lewandowska.", `<a href="` + profile + `">Katarzyna Lewandowska</a>`,
			">councillor</td>", `<option value="immediate" selected>at once, when something happens</option>`} {
			if !strings.Contains(list.Body, want) {
				t.Errorf("the English list lacks %q", want)
			}
		}
		if strings.Contains(list.Body, "radny lub radna") || strings.Contains(list.Body, "Moje powiadomienia") {
			t.Error("the English list is in Polish")
		}
	})

	t.Run("Weekly", func(t *testing.T) {
		r := jan.post("/konto/powiadomienia/"+id, url.Values{"delivery": {"weekly"}})
		if r.Status != 303 || r.Header.Get("Location") != "/konto/powiadomienia?zmieniono="+id {
			t.Fatalf("change: %d %q", r.Status, r.Header.Get("Location"))
		}
		list := jan.get(r.Header.Get("Location"))
		if !strings.Contains(list.Body, "Zmieniono, kiedy dostajesz wiadomości o: Katarzyna Lewandowska.") || !strings.Contains(list.Body, `<option value="weekly" selected>`) ||
			strings.Contains(list.Body, `<option value="immediate" selected>`) {
			t.Fatalf("the list after the change:\n%s", list.Body)
		}
		if p := jan.get(profile); !strings.Contains(p.Body, "Obserwujesz: raz w tygodniu, e-mail.") {
			t.Error("the councillor's page does not show the change")
		}
		if r := jan.post("/konto/powiadomienia/"+id, url.Values{"delivery": {"hourly"}}); r.Status != 400 || !strings.Contains(r.Body, "Wybierz, kiedy: od razu, raz dziennie lub raz w tygodniu.") {
			t.Fatalf("a bad change: %d", r.Status)
		}
		if n := e.count(t, "SELECT count(*) FROM follows WHERE delivery = 'weekly'"); n != 1 {
			t.Fatalf("a refused change was stored (%d weekly)", n)
		}
	})

	t.Run("ErrBadDelivery", func(t *testing.T) {
		bad := boxForm(t, jan.get(profile).Body, boxID)
		bad.Set("delivery", "hourly")
		r := jan.post("/obserwuj", bad)
		if r.Status != 400 || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, "Wybierz, kiedy: od razu, raz dziennie lub raz w tygodniu.") {
			t.Fatalf("%d\n%s", r.Status, r.Body)
		}
		if !strings.Contains(r.Body, `<a href="`+profile+`">Katarzyna Lewandowska</a>`) {
			t.Error("the refusal does not show the list")
		}
		// SMS is offered, but the phone is not confirmed: the message says where.
		bad.Set("delivery", "daily")
		bad.Set("channel", "sms")
		if r := jan.post("/obserwuj", bad); r.Status != 400 || !strings.Contains(r.Body, "Najpierw podaj numer telefonu i potwierdź go kodem z SMS-a: „Telefon do powiadomień SMS” na stronie „Moje powiadomienia”.") {
			t.Fatalf("SMS before the phone is confirmed: %d\n%s", r.Status, r.Body)
		}
		if n := e.count(t, "SELECT count(*) FROM follows"); n != 1 {
			t.Fatalf("%d follows after a refused one", n)
		}
	})

	t.Run("ErrTwice", func(t *testing.T) {
		r := jan.post("/obserwuj", form)
		if r.Status != 409 || !strings.Contains(r.Body, "Już to obserwujesz w ten sposób; zmień to w swoich powiadomieniach.") ||
			!strings.Contains(r.Body, `<a href="`+profile+`">Katarzyna Lewandowska</a>`) {
			t.Fatalf("%d\n%s", r.Status, r.Body)
		}
		if n := e.count(t, "SELECT count(*) FROM follows"); n != 1 {
			t.Fatalf("%d follows after the same one twice", n)
		}
	})

	t.Run("ErrSomeoneElses", func(t *testing.T) {
		e.newResident(t, otherResident, "Anna Mieszkanka")
		anna := e.browser()
		anna.login(otherResident, otherPassword)
		if l := anna.get("/konto/powiadomienia"); strings.Contains(l.Body, "Katarzyna Lewandowska") || !strings.Contains(l.Body, "Nie obserwujesz jeszcze niczego.") {
			t.Fatal("another resident sees Jan's follow")
		}
		if r := anna.post("/konto/powiadomienia/"+id, url.Values{"delivery": {"daily"}}); r.Status != 404 {
			t.Fatalf("another resident changed it: %d", r.Status)
		}
		if r := anna.post("/konto/powiadomienia/"+id+"/usun", nil); r.Status != 404 {
			t.Fatalf("another resident ended it: %d", r.Status)
		}
		if n := e.count(t, "SELECT count(*) FROM follows WHERE delivery = 'weekly' AND ended_at IS NULL"); n != 1 {
			t.Fatal("another resident's POSTs changed Jan's follow")
		}
	})

	t.Run("ErrPhone", func(t *testing.T) {
		r := jan.post("/konto/telefon", url.Values{"phone": {"123"}})
		if r.Status != 400 {
			t.Fatalf("%d", r.Status)
		}
		for _, want := range []string{
			`<input id="phone" name="phone" type="tel" value="123" required aria-describedby="phone-hint phone-error" aria-invalid="true">`,
			`<p class="field-error" id="phone-error">To nie jest numer telefonu: wpisz 9 cyfr (np. 600 100 200) albo numer z kierunkowym (&#43;48…).</p>`,
			`<a href="#phone">`,
		} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the form shown again lacks %q", want)
			}
		}
		if n := e.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Fatalf("a bad phone was stored (%d)", n)
		}
		if texts, _ := filepath.Glob(filepath.Join(dir, "sms", "*")); len(texts) != 0 {
			t.Fatalf("a code was sent to a bad phone")
		}
	})

	t.Run("Unfollow", func(t *testing.T) {
		r := jan.post("/konto/powiadomienia/"+id+"/usun", nil)
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/konto/powiadomienia?") {
			t.Fatalf("%d %q", r.Status, r.Header.Get("Location"))
		}
		list := jan.get(r.Header.Get("Location"))
		if !strings.Contains(list.Body, "Nie obserwujesz już: Katarzyna Lewandowska.") || !strings.Contains(list.Body, "Nie obserwujesz jeszcze niczego.") || strings.Contains(list.Body, `<a href="`+profile+`">`) {
			t.Fatalf("the list after stopping:\n%s", list.Body)
		}
		if p := jan.get(profile); strings.Contains(p.Body, "Obserwujesz:") || len(boxForm(t, p.Body, boxID)) == 0 {
			t.Fatal("the councillor's page still says she is followed")
		}
	})
}

// spooledMail is a message the site wrote to its mail spool.
type spooledMail struct {
	Header        netmail.Header
	Subject, Body string
}

// spooledMails reads the mail spool of a data directory, in file-name order
// (by the second a message was written; no order within one second).
func spooledMails(t *testing.T, dataDir string) []spooledMail {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataDir, "mail", "*.eml"))
	sort.Strings(files)
	var out []spooledMail
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			continue // being written
		}
		body, _ := io.ReadAll(m.Body)
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
		}
		out = append(out, spooledMail{m.Header, subject, string(body)})
	}
	return out
}

// waitMail runs the notifier until the spool holds a message to `to`
// whose body contains `about`, and returns it.
func waitMail(t *testing.T, e *env, dataDir, to, about string) spooledMail {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := e.Notify(system); err != nil {
			t.Fatal(err)
		}
		for _, m := range spooledMails(t, dataDir) {
			if m.Header.Get("To") == to && strings.Contains(m.Body, about) && strings.Contains(m.Body, "/powiadomienia/wypisz/") {
				return m
			}
		}
	}
	var got []string
	for _, m := range spooledMails(t, dataDir) {
		got = append(got, "To: "+m.Header.Get("To")+"\nSubject: "+m.Subject+"\n\n"+m.Body)
	}
	t.Fatalf("no mail to %s about %q; the spool holds %d:\n%s", to, about, len(got), strings.Join(got, "\n----\n"))
	return spooledMail{}
}

// mailsTo counts the spooled messages to an address about something.
func mailsTo(t *testing.T, dataDir, to, about string) int {
	n := 0
	for _, m := range spooledMails(t, dataDir) {
		if m.Header.Get("To") == to && strings.Contains(m.Body, about) {
			n++
		}
	}
	return n
}

// councilVote runs a named vote in the demo's next session (XII): the
// office marks everyone present, prepares and opens the vote, Katarzyna
// Lewandowska casts her ballot from her account, and the office closes
// it. It returns the vote's id.
func councilVote(t *testing.T, e *env, subject, choice string) string {
	t.Helper()
	office := e.token("biuro.rady@przykladowo.pl")
	radna := e.token("radna.lewandowska@przykladowo.pl")
	var session, item int64
	if err := e.Pool.QueryRow(system, `SELECT s.id, a.id FROM council_sessions s JOIN agenda_items a ON a.session_id = s.id
		WHERE s.number = 12 AND a.position = 3`).Scan(&session, &item); err != nil {
		t.Fatal(err)
	}
	post := func(path, token, body string, status int) response {
		t.Helper()
		r := e.do("POST", path, token, strings.NewReader(body))
		if r.Status != status {
			t.Fatalf("POST %s: %d, want %d\n%s", path, r.Status, status, r.Body)
		}
		return r
	}
	post(fmt.Sprintf("/api/v1/sessions/%d/attendance/all", session), office, ``, 200)
	vote := fmt.Sprint(post("/api/v1/votes", office, fmt.Sprintf(`{"agenda_item":%d,"subject":%q,"majority":"simple"}`, item, subject), 201).json(t)["id"])
	post("/api/v1/votes/"+vote+"/open", office, ``, 200)
	post("/api/v1/votes/"+vote+"/ballots", radna, `{"choice":"`+choice+`"}`, 201)
	post("/api/v1/votes/"+vote+"/close", office, ``, 200)
	return vote
}

const voteSubject = "Uchwała w sprawie zmian w budżecie gminy na 2027 r."

// A councillor's ballot reaches her follower once, by e-mail, in Polish
// that agrees with her gender, with a link to the vote and a one-click
// unsubscribe.
func TestNoticeOfACouncillorsBallot(t *testing.T) {
	t.Parallel()
	dir := testdb.TempDir(t)
	e := newEnv(t, map[string]string{"RATUSZ_DATA_DIR": dir})
	jan := e.token(residentMail)
	radna := e.councillorID(t, "Katarzyna Lewandowska")
	if r := e.do("POST", "/api/v1/follows", jan, strings.NewReader(fmt.Sprintf(`{"target":{"type":"councillor","id":%d},"delivery":"immediate","channel":"email"}`, radna))); r.Status != 201 {
		t.Fatalf("follow: %d %s", r.Status, r.Body)
	}
	vote := councilVote(t, e, voteSubject, "abstain")

	title := "Katarzyna Lewandowska: wstrzymała się — " + voteSubject + " (odrzucono)"
	m := waitMail(t, e, dir, residentMail, title)
	if m.Subject != "Gmina Przykładowo: "+title {
		t.Errorf("subject %q", m.Subject)
	}
	voteURL := e.URL + "/rada/glosowania/" + vote
	if !strings.Contains(m.Body, "- "+title+"\r\n  "+voteURL+"\r\n") {
		t.Errorf("the body does not give the vote's link %s:\n%s", voteURL, m.Body)
	}
	for _, hedge := range []string{"(a)", "wstrzymał się", "abstain", "%!"} {
		if strings.Contains(m.Subject+m.Body, hedge) {
			t.Errorf("the message says %q:\n%s", hedge, m.Body)
		}
	}
	if !strings.Contains(m.Body, e.URL+"/konto/powiadomienia") {
		t.Error("the message does not say where follows are managed")
	}
	unsub := regexp.MustCompile(`^<(` + regexp.QuoteMeta(e.URL) + `/powiadomienia/wypisz/[A-Za-z0-9_-]{43})>$`).FindStringSubmatch(m.Header.Get("List-Unsubscribe"))
	if unsub == nil {
		t.Fatalf("List-Unsubscribe %q", m.Header.Get("List-Unsubscribe"))
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", m.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(m.Body, unsub[1]+"\r\n") {
		t.Error("the body's unsubscribe link is not the header's")
	}
	if !strings.Contains(m.Header.Get("Content-Type"), "charset=utf-8") {
		t.Errorf("Content-Type %q", m.Header.Get("Content-Type"))
	}

	// Once only, and to nobody else.
	if err := e.Notify(system); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the background notifier's turn too
	if all := spooledMails(t, dir); len(all) != 1 {
		t.Fatalf("%d messages, want the one", len(all))
	}
}

// The unsubscribe link works without a session: a GET asks, a POST ends
// the follows its message was about (the page's button and the one-click
// POST of mail programs); a bad link is a 404; the token is never logged.
func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	dir := testdb.TempDir(t)
	e := newEnvLog(t, map[string]string{"RATUSZ_DATA_DIR": dir}, &logs, slog.LevelDebug)
	jan := e.token(residentMail)
	e.newResident(t, otherResident, "Anna Mieszkanka")
	anna := e.token(otherResident)
	radna := e.councillorID(t, "Katarzyna Lewandowska")
	var body int64
	e.Pool.QueryRow(system, "SELECT id FROM council_bodies WHERE name = 'Rada Gminy Przykładowo'").Scan(&body)
	follow := func(token, typ string, id int64) {
		t.Helper()
		if r := e.do("POST", "/api/v1/follows", token, strings.NewReader(fmt.Sprintf(`{"target":{"type":%q,"id":%d},"delivery":"immediate","channel":"email"}`, typ, id))); r.Status != 201 {
			t.Fatalf("follow: %d %s", r.Status, r.Body)
		}
	}
	follow(jan, "councillor", radna)
	follow(jan, "body", body)
	follow(anna, "councillor", radna)
	targets := func(token string) []string {
		t.Helper()
		var out []string
		for _, f := range e.listFollows(t, token) {
			out = append(out, f.Target.Type)
		}
		sort.Strings(out)
		return out
	}

	councilVote(t, e, voteSubject, "against")
	ballot := waitMail(t, e, dir, residentMail, "Katarzyna Lewandowska: przeciw — "+voteSubject)
	result := waitMail(t, e, dir, residentMail, "Głosowanie: "+voteSubject+" — odrzucono (za: 0, przeciw: 1, wstrzymało się: 0)")
	link := func(m spooledMail) (path, token string) {
		t.Helper()
		l := regexp.MustCompile(`/powiadomienia/wypisz/([A-Za-z0-9_-]+)>$`).FindStringSubmatch(m.Header.Get("List-Unsubscribe"))
		if l == nil {
			t.Fatalf("List-Unsubscribe %q", m.Header.Get("List-Unsubscribe"))
		}
		return strings.TrimSuffix(l[0], ">"), l[1]
	}
	path, token := link(ballot)
	resultPath, resultToken := link(result)
	if token == resultToken {
		t.Fatal("two messages share an unsubscribe token")
	}

	t.Run("GetOnlyAsks", func(t *testing.T) {
		for range 2 { // a mail scanner's prefetch, then the person
			r := e.browser().get(path)
			if r.Status != 200 {
				t.Fatalf("%d\n%s", r.Status, r.Body)
			}
			for _, want := range []string{"Wypisz się z powiadomień", "Ta wiadomość dotyczyła:", "<li>Katarzyna Lewandowska: przeciw — " + voteSubject + " (odrzucono)</li>",
				`<form method="post" action="` + path + `">`, `<button type="submit">Przestań obserwować</button>`} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
		}
		if got := targets(jan); !slices.Equal(got, []string{"body", "councillor"}) {
			t.Fatalf("a GET unsubscribed: Jan follows %v", got)
		}
	})

	t.Run("Button", func(t *testing.T) {
		r := e.browser().post(path, url.Values{}) // no session; our own page's Origin
		if r.Status != 200 || !strings.Contains(r.Body, "Gotowe: nie będziesz już dostawać tych powiadomień.") {
			t.Fatalf("%d\n%s", r.Status, r.Body)
		}
		if got := targets(jan); !slices.Equal(got, []string{"body"}) {
			t.Fatalf("after the button Jan follows %v, want only the council", got)
		}
		if got := targets(anna); !slices.Equal(got, []string{"councillor"}) {
			t.Fatalf("Jan's unsubscribe ended Anna's follow: %v", got)
		}
		// Again, and the page: it is already done.
		if r := e.browser().post(path, url.Values{}); r.Status != 200 || !strings.Contains(r.Body, "Te powiadomienia są już wyłączone.") {
			t.Fatalf("a second POST: %d\n%s", r.Status, r.Body)
		}
		if r := e.browser().get(path); r.Status != 200 || !strings.Contains(r.Body, "Te powiadomienia są już wyłączone.") || strings.Contains(r.Body, `<form method="post" action="`+path) {
			t.Fatalf("the link after unsubscribing: %d\n%s", r.Status, r.Body)
		}
	})

	t.Run("OneClick", func(t *testing.T) {
		// RFC 8058: the mail provider's server POSTs this, with no Origin,
		// no cookies and no Sec-Fetch headers.
		req, _ := http.NewRequest("POST", e.URL+resultPath, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), "Gotowe: nie będziesz już dostawać tych powiadomień.") {
			t.Fatalf("%d\n%s", res.StatusCode, b)
		}
		if got := targets(jan); len(got) != 0 {
			t.Fatalf("after the one-click POST Jan follows %v", got)
		}
	})

	t.Run("ErrBadToken", func(t *testing.T) {
		unknown := strings.Repeat("A", 43) // 32 bytes, but no message's
		for _, p := range []string{"/powiadomienia/wypisz/garbage", "/powiadomienia/wypisz/" + unknown, "/powiadomienia/wypisz/" + token[:42] + "!"} {
			if r := e.browser().get(p); r.Status != 404 || !strings.Contains(r.Body, "Ten link do wypisania się jest nieważny.") {
				t.Errorf("GET %s: %d", p, r.Status)
			}
			if r := e.browser().post(p, url.Values{"List-Unsubscribe": {"One-Click"}}); r.Status != 404 {
				t.Errorf("POST %s: %d", p, r.Status)
			}
		}
	})

	t.Run("NoMoreNotices", func(t *testing.T) {
		councilVote(t, e, "Uchwała w sprawie nazwy ulicy", "for")
		waitMail(t, e, dir, otherResident, "Katarzyna Lewandowska: za — Uchwała w sprawie nazwy ulicy")
		if err := e.Notify(system); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "SELECT count(*) FROM notices n JOIN users u ON u.id = n.user_id WHERE u.email = $1 AND n.title LIKE '%nazwy ulicy%'", residentMail); n != 0 {
			t.Fatalf("Jan has %d notices of the vote after unsubscribing", n)
		}
		if n := mailsTo(t, dir, residentMail, "nazwy ulicy"); n != 0 {
			t.Fatalf("Jan got %d messages after unsubscribing", n)
		}
	})

	out := logs.String()
	if !strings.Contains(out, "/powiadomienia/wypisz/{token}") {
		t.Fatal("the unsubscribe requests were not logged")
	}
	for _, tok := range []string{token, resultToken} {
		if strings.Contains(out, tok) {
			t.Error("the log holds an unsubscribe token")
		}
	}
}

// The e-mail address for notices, through the API and the page: one kind
// at a time, a bad address named, the code from the mail confirms it.
func TestEmailContact(t *testing.T) {
	t.Parallel()
	dir := testdb.TempDir(t)
	e := newEnv(t, map[string]string{"RATUSZ_DATA_DIR": dir, "RATUSZ_SMS_URL": "spool:"})
	jan := e.token(residentMail)
	put := func(body string) response {
		t.Helper()
		return e.do("PUT", "/api/v1/me/contact", jan, strings.NewReader(body))
	}
	verify := func(body string) response {
		t.Helper()
		return e.do("POST", "/api/v1/me/contact/verify", jan, strings.NewReader(body))
	}
	if r := put(`{"phone":"600100200","email":"jan@example.org"}`); r.Status != 400 {
		t.Fatalf("both at once: %d %s", r.Status, r.Body)
	}
	if r := put(`{"email":"jan@"}`); r.Status != 400 {
		t.Fatalf("a bad address: %d %s", r.Status, r.Body)
	} else if _, field, _ := r.apiError(t); field != "email" {
		t.Fatalf("a bad address names %q", field)
	}
	if n := e.count(t, "SELECT count(*) FROM contacts"); n != 0 {
		t.Fatalf("%d contacts written from bad input", n)
	}
	r := put(`{"email":"jan.inny@example.org"}`)
	if c := r.json(t); r.Status != 200 || c["email"] != "jan.inny@example.org" || c["email_verified_at"] != nil || c["email_to"] != "" {
		t.Fatalf("set: %d %s", r.Status, r.Body)
	}
	var code string
	for _, m := range spooledMails(t, dir) {
		if m.Header.Get("To") == "jan.inny@example.org" {
			code = regexp.MustCompile(`\b\d{6}\b`).FindString(m.Body)
		}
	}
	if code == "" {
		t.Fatal("no code mailed")
	}
	if r := verify(`{"code":"` + code + `","email_code":"` + code + `"}`); r.Status != 400 {
		t.Fatalf("both codes at once: %d %s", r.Status, r.Body)
	}
	if r := verify(`{"email_code":"12"}`); r.Status != 400 {
		t.Fatalf("a wrong code: %d %s", r.Status, r.Body)
	} else if _, field, _ := r.apiError(t); field != "email_code" {
		t.Fatalf("a wrong code names %q", field)
	}
	if r := verify(`{"email_code":"` + code + `"}`); r.Status != 200 || r.json(t)["email_to"] != "jan.inny@example.org" {
		t.Fatalf("verify: %d %s", r.Status, r.Body)
	}

	// On the page: a bad address is shown again beside its field.
	b := e.browser()
	b.login(residentMail, "demo-mieszkaniec-2026")
	res := b.post("/konto/email", url.Values{"email": {"jan at example"}})
	if res.Status != 400 || !strings.Contains(res.Body, `id="email-error"`) || !strings.Contains(res.Body, `value="jan at example"`) || !strings.Contains(res.Body, `href="#email"`) {
		t.Fatalf("a bad address on the page: %d\n%s", res.Status, res.Body)
	}
	if page := b.get("/konto/powiadomienia").Body; !strings.Contains(page, "Powiadomienia przychodzą na adres jan.inny@example.org (potwierdzony).") {
		t.Fatalf("the page does not say where notices go:\n%s", page)
	}
}
