package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The council office prepares a session from its pages: creates it, builds
// the agenda with a sub-item and papers, attaches a file and announces it
// in BIP; refusals come back next to their fields and write nothing.
func TestSessionOfficePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	// Residents and councillors may not prepare sessions.
	if res := b.get("/rada/sesje/nowa"); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", res.Status)
	}
	b.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	if res := b.get("/rada/sesje/nowa"); res.Status != http.StatusForbidden {
		t.Fatalf("councillor: %d", res.Status)
	}
	b = e.browser()
	b.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")

	form := url.Values{"body": {"1"}, "number": {"13"}, "kind": {"extraordinary"}, "title": {"Sesja nadzwyczajna"},
		"date": {"2026-12-22"}, "time": {"16:30"}, "place": {"Sala sesyjna"}, "broadcast_url": {"ftp://wideo"}}
	res := b.post("/rada/sesje/nowa", form)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="broadcast_url-error"`) || !strings.Contains(res.Body, "https://") {
		t.Fatalf("bad URL: %d", res.Status)
	}
	if !strings.Contains(res.Body, `value="Sesja nadzwyczajna"`) {
		t.Error("the form lost what was typed")
	}
	form.Set("date", "22.12.2026")
	form.Set("broadcast_url", "")
	if res = b.post("/rada/sesje/nowa", form); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="date-error"`) {
		t.Fatalf("bad date: %d", res.Status)
	}
	form.Set("date", "2026-12-22")
	res = b.post("/rada/sesje/nowa", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	edit := res.Header.Get("Location")
	base := strings.TrimSuffix(edit[:strings.Index(edit, "?")], "/edycja")
	page := b.get(edit)
	if !strings.Contains(page.Body, "Zapisano.") || !strings.Contains(page.Body, `value="16:30"`) {
		t.Fatalf("edit page: %d", page.Status)
	}

	for _, item := range []url.Values{{"item_title": {"Otwarcie sesji"}}, {"item_title": {"Zmiany w budżecie"}, "item_papers": {"DS-95/26, DS-96/26"}},
		{"item_label": {"1a"}, "item_title": {"Przyjęcie porządku obrad"}}} {
		if res := b.post(base+"/porzadek", item); res.Status != http.StatusSeeOther {
			t.Fatalf("add item %v: %d %s", item, res.Status, res.Body)
		}
	}
	res = b.post(base+"/porzadek", url.Values{"item_label": {"1a"}, "item_title": {"Jeszcze raz"}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, `id="item_label-error"`) || !strings.Contains(res.Body, `value="Jeszcze raz"`) {
		t.Fatalf("duplicate label: %d", res.Status)
	}
	var items []any
	api := e.do("GET", strings.Replace(base, "/rada/sesje/", "/api/v1/sessions/", 1), "", nil).json(t)
	items = api["agenda"].([]any)
	if len(items) != 3 || items[1].(map[string]any)["label"] != "1a" || fmt.Sprint(items[2].(map[string]any)["papers"]) != "[DS-95/26 DS-96/26]" {
		t.Fatalf("agenda: %v", items)
	}
	second := fmt.Sprint(items[2].(map[string]any)["id"])

	// A file for item 2, then the announcement.
	upload := func(name string, data []byte) response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("file_item", second)
		if name != "" {
			fw, _ := w.CreateFormFile("file", name)
			fw.Write(data)
		}
		w.Close()
		req, _ := http.NewRequest("POST", e.URL+base+"/pliki", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", e.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		r, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var body bytes.Buffer
		body.ReadFrom(r.Body)
		return response{r.StatusCode, r.Header, body.String()}
	}
	if res := upload("", nil); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="file-error"`) {
		t.Fatalf("no file: %d", res.Status)
	}
	if res := upload("projekt.pdf", []byte("%PDF-1.4 projekt uchwały")); res.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	page = b.get(base)
	if !strings.Contains(page.Body, "projekt.pdf") || !strings.Contains(page.Body, "DS-95/26, DS-96/26") {
		t.Fatal("the session page lacks the file or the papers")
	}
	// The edit page shows what will be published; announcing asks that it
	// was read, and publishes nothing until then.
	editPage := b.get(base + "/edycja")
	if !strings.Contains(editPage.Body, "Tak będzie wyglądać ogłoszenie w BIP") || !strings.Contains(editPage.Body, "zawiadomienie i porządek obrad") {
		t.Fatalf("the edit page does not show the notice to be published:\n%s", editPage.Body)
	}
	if res := b.post(base+"/oglos", nil); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "zaznacz, że jest sprawdzone") {
		t.Fatalf("announce unconfirmed: %d", res.Status)
	}
	if api := e.do("GET", strings.Replace(base, "/rada/sesje/", "/api/v1/sessions/", 1), "", nil).json(t); api["announcement_url"] != nil {
		t.Fatal("announced without the confirmation")
	}
	if res := b.post(base+"/oglos", url.Values{"confirm": {"1"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("announce: %d %s", res.Status, res.Body)
	}
	if res := b.post(base+"/oglos", url.Values{"confirm": {"1"}}); res.Status != http.StatusConflict || !strings.Contains(res.Body, "już ogłoszona") {
		t.Fatalf("announce twice: %d", res.Status)
	}
	page = b.get(base)
	i := strings.Index(page.Body, `href="/bip/publikacje/`)
	if i < 0 {
		t.Fatal("the session page does not link the announcement")
	}
	pub := page.Body[i+6 : i+6+strings.Index(page.Body[i+6:], `"`)]
	bipPage := b.get(pub)
	for _, want := range []string{"Zwołuję XIII sesję nadzwyczajną Rady Gminy Przykładowo", "22 grudnia 2026 r.", "16:30", "1a.", "projekt.pdf"} {
		if !strings.Contains(bipPage.Body, want) {
			t.Errorf("BIP announcement lacks %q", want)
		}
	}
}

// The console runs a session: start, current item, an agenda change by
// vote, a roll-call vote and a secret one.
func TestConsoleRunsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	// Fifteen present in session XII.
	for id := 1; id <= 15; id++ {
		if res := e.do("POST", "/api/v1/sessions/2/attendance", office, strings.NewReader(fmt.Sprintf(`{"councillor":%d,"present":true}`, id))); res.Status != 200 {
			t.Fatalf("attendance: %d %s", res.Status, res.Body)
		}
	}
	b := e.browser()
	b.login("przewodniczacy@przykladowo.pl", "demo-przewodniczacy-2026")
	post := func(path string, form url.Values, want int) response {
		t.Helper()
		res := b.post("/rada/sesje/2/"+path, form)
		if res.Status != want {
			t.Fatalf("%s %v: %d %s", path, form, res.Status, res.Body)
		}
		return res
	}
	post("stan", url.Values{"action": {"start"}}, http.StatusSeeOther)
	sess := e.do("GET", "/api/v1/sessions/2", "", nil).json(t)
	items := sess["agenda"].([]any)
	third := fmt.Sprint(items[2].(map[string]any)["id"])
	post("biezacy", url.Values{"current_item": {third}}, http.StatusSeeOther)
	if page := b.get("/rada/sesje/2"); !strings.Contains(page.Body, `aria-current="step"`) || !strings.Contains(page.Body, "Teraz omawiany punkt") {
		t.Fatal("current item not marked")
	}
	// During the session: adding directly is refused, with a message.
	if res := e.do("POST", "/api/v1/sessions/2/agenda", office, strings.NewReader(`{"title":"Bez głosowania"}`)); res.Status != http.StatusConflict {
		t.Fatalf("agenda add during session: %d", res.Status)
	}
	res := post("zmiana-porzadku", url.Values{"op": {"add"}, "change_title": {""}}, http.StatusBadRequest)
	if !strings.Contains(res.Body, `id="change_title-error"`) {
		t.Fatal("missing title not shown next to its field")
	}
	post("zmiana-porzadku", url.Values{"op": {"add"}, "change_label": {"3a"}, "change_title": {"Stanowisko w sprawie linii kolejowej"}}, http.StatusSeeOther)
	votes := e.do("GET", "/api/v1/sessions/2", "", nil).json(t)["votes"].([]any)
	change := votes[len(votes)-1].(map[string]any)
	if change["majority"] != "absolute_statutory" || !strings.Contains(change["subject"].(string), "Zmiana porządku obrad") {
		t.Fatalf("agenda change vote %v", change)
	}
	changeID := fmt.Sprint(change["id"])

	// The devices fail mid-vote: the chair cancels the open vote, with a
	// reason (an empty one comes back beside that vote's field), and the
	// change is voted by roll call instead.
	post("otworz", url.Values{"vote": {changeID}}, http.StatusSeeOther)
	if res := post("uniewaznij", url.Values{"vote": {changeID}, "reason": {" "}}, http.StatusBadRequest); !strings.Contains(res.Body, `id="reason-`+changeID+`-error"`) {
		t.Fatal("an empty reason is not shown beside the vote's field")
	}
	post("uniewaznij", url.Values{"vote": {changeID}, "reason": {"Awaria systemu do głosowania"}}, http.StatusSeeOther)
	if v := e.do("GET", "/api/v1/votes/"+changeID, "", nil).json(t); v["state"] != "cancelled" || v["cancel_reason"] != "Awaria systemu do głosowania" || v["outcome"] != nil {
		t.Fatalf("cancelled vote %v", v)
	}
	if page := b.get("/rada/glosowania/" + changeID); !strings.Contains(page.Body, "Głosowanie unieważnione: Awaria systemu do głosowania") {
		t.Fatal("the vote page does not say it was cancelled")
	}
	// A second cancel (a double click, another operator) is explained.
	if res := post("uniewaznij", url.Values{"vote": {changeID}, "reason": {"znowu"}}, http.StatusConflict); !strings.Contains(res.Body, "Unieważnić można tylko głosowanie przygotowane lub trwające.") {
		t.Fatal("a refused cancel shows no message")
	}
	if res := e.do("POST", "/api/v1/votes/"+changeID+"/cancel", office, strings.NewReader(`{"reason":"znowu"}`)); res.Status != http.StatusConflict {
		t.Fatalf("cancelling a cancelled vote: %d", res.Status)
	}
	if res := e.do("POST", "/api/v1/votes/"+changeID+"/cancel", e.token("radna.lewandowska@przykladowo.pl"), strings.NewReader(`{"reason":"x"}`)); res.Status != http.StatusForbidden {
		t.Fatalf("a councillor cancelling: %d", res.Status)
	}

	// The devices fail: the change is voted by roll call instead — prepare
	// a roll-call vote, record the choices, close.
	post("glosowania", url.Values{"agenda_item": {third}, "subject": {"Zmiana porządku obrad (imiennie)"}, "majority": {"absolute_statutory"}, "mode": {"roll_call"}}, http.StatusSeeOther)
	votes = e.do("GET", "/api/v1/sessions/2", "", nil).json(t)["votes"].([]any)
	rc := fmt.Sprint(votes[len(votes)-1].(map[string]any)["id"])
	post("otworz", url.Values{"vote": {rc}}, http.StatusSeeOther)
	console := b.get("/rada/sesje/2/prowadzenie")
	if !strings.Contains(console.Body, `name="c1" value="for"`) {
		t.Fatal("the console has no roll-call form")
	}
	form := url.Values{"vote": {rc}}
	for id := 1; id <= 10; id++ {
		form.Set(fmt.Sprintf("c%d", id), "for")
	}
	form.Set("c11", "against")
	post("wyczytanie", form, http.StatusSeeOther)
	// Four of the fifteen present were not read out: closing asks first.
	if res := post("zamknij", url.Values{"vote": {rc}}, http.StatusOK); !strings.Contains(res.Body, "Głosu nie oddały jeszcze 4 osoby z 15 obecnych") || !strings.Contains(res.Body, `name="confirm" value="1"`) {
		t.Fatalf("closing with four not voted does not ask:\n%s", res.Body)
	}
	if v := e.do("GET", "/api/v1/votes/"+rc, "", nil).json(t); v["state"] != "open" {
		t.Fatalf("asking closed the vote: %v", v["state"])
	}
	post("zamknij", url.Values{"vote": {rc}, "confirm": {"1"}}, http.StatusSeeOther)
	v := e.do("GET", "/api/v1/votes/"+rc, "", nil).json(t)
	if c := v["counts"].(map[string]any); c["for"] != 10.0 || c["against"] != 1.0 || c["not_voting"] != 4.0 || v["mode"] != "roll_call" {
		t.Fatalf("roll call result %v", v)
	}
	// A councillor's own token may not record others' choices.
	radna := e.token("radna.lewandowska@przykladowo.pl")
	if res := e.do("POST", "/api/v1/votes/"+changeID+"/ballots", radna, strings.NewReader(`{"councillor":3,"choice":"for"}`)); res.Status != http.StatusForbidden {
		t.Fatalf("councillor recording a roll call: %d", res.Status)
	}

	// Secret vote: closed with the tellers' totals only.
	post("glosowania", url.Values{"agenda_item": {third}, "subject": {"Wybór wiceprzewodniczącego"}, "majority": {"absolute"}, "mode": {"secret"}}, http.StatusSeeOther)
	votes = e.do("GET", "/api/v1/sessions/2", "", nil).json(t)["votes"].([]any)
	sv := fmt.Sprint(votes[len(votes)-1].(map[string]any)["id"])
	post("otworz", url.Values{"vote": {sv}}, http.StatusSeeOther)
	res = post("zamknij", url.Values{"vote": {sv}, "count_for": {"9"}, "count_against": {"9"}, "count_abstain": {"0"}}, http.StatusBadRequest)
	if !strings.Contains(res.Body, "Oddano 18 głosów, a obecnych jest tylko 15 radnych.") {
		t.Fatal("too many secret votes not explained")
	}
	if res := e.do("POST", "/api/v1/votes/"+sv+"/close", office, nil); res.Status != http.StatusBadRequest {
		t.Fatalf("secret vote closed without totals: %d", res.Status)
	}
	if res := e.do("POST", "/api/v1/votes/"+sv+"/close", office, strings.NewReader(`{"counts":{"for":9,"against":4,"abstain":1}}`)); res.Status != 200 {
		t.Fatalf("secret close: %d %s", res.Status, res.Body)
	}
	v = e.do("GET", "/api/v1/votes/"+sv, "", nil).json(t)
	if c := v["counts"].(map[string]any); c["for"] != 9.0 || c["not_voting"] != 1.0 || len(v["ballots"].([]any)) != 0 || v["outcome"] != "adopted" {
		t.Fatalf("secret result %v", v)
	}
	// A re-vote links the vote it repeats.
	post("glosowania", url.Values{"agenda_item": {third}, "subject": {"Reasumpcja"}, "majority": {"simple"}, "repeats": {sv}}, http.StatusSeeOther)
	votes = e.do("GET", "/api/v1/sessions/2", "", nil).json(t)["votes"].([]any)
	if fmt.Sprint(votes[len(votes)-1].(map[string]any)["repeats"]) != sv {
		t.Fatalf("re-vote %v", votes[len(votes)-1])
	}
	if page := b.get("/rada/sesje/2"); !strings.Contains(page.Body, "reasumpcja głosowania nr "+sv) || !strings.Contains(page.Body, "tajne") {
		t.Fatalf("session page lacks the re-vote or the secret vote's mode:\n%s", page.Body)
	}
	// Closed with nobody for, the re-vote replaces the adopted result.
	re := fmt.Sprint(votes[len(votes)-1].(map[string]any)["id"])
	post("otworz", url.Values{"vote": {re}}, http.StatusSeeOther)
	post("zamknij", url.Values{"vote": {re}, "confirm": {"1"}}, http.StatusSeeOther)
	if v := e.do("GET", "/api/v1/votes/"+sv, "", nil).json(t); fmt.Sprint(v["superseded_by"]) != re {
		t.Fatalf("the repeated vote does not name its re-vote: %v\nre-vote: %s", v["superseded_by"], e.do("GET", "/api/v1/votes/"+re, "", nil).Body)
	}
	if page := b.get("/rada/glosowania/" + sv); !strings.Contains(page.Body, "Wynik tego głosowania zastąpiła reasumpcja:") || !strings.Contains(page.Body, `href="/rada/glosowania/`+re+`"`) {
		t.Fatalf("vote page does not say its result was replaced:\n%s", page.Body)
	}
	if page := b.get("/rada/sesje/2"); !strings.Contains(page.Body, "wynik zastąpiony w reasumpcji") {
		t.Fatal("session page does not mark the replaced result")
	}
	if csv := b.get("/rada/glosowania.csv?sesja=2").Body; !strings.Contains(csv, ",repeats,superseded_by") || !regexp.MustCompile(`(?m)^`+sv+`,.*,,`+re+`\r?$`).MatchString(csv) {
		t.Fatalf("CSV does not link the replaced vote to its re-vote:\n%s", csv)
	}
	// Repeating it again is refused, naming the field.
	if res := post("glosowania", url.Values{"agenda_item": {third}, "subject": {"Jeszcze raz"}, "majority": {"simple"}, "repeats": {sv}}, http.StatusBadRequest); !strings.Contains(res.Body, "powtórzyć można tylko ją") {
		t.Fatal("a second re-vote of a replaced result is not explained")
	}
	// Closing the sitting asks first, naming the items never taken up.
	if res := post("stan", url.Values{"action": {"close"}}, http.StatusOK); !strings.Contains(res.Body, "Nie rozpatrzono") || !strings.Contains(res.Body, "Zamknąć sesję?") {
		t.Fatalf("closing the sitting does not ask:\n%s", res.Body)
	}
	if s := e.do("GET", "/api/v1/sessions/2", "", nil).json(t); s["state"] != "in_progress" {
		t.Fatalf("asking closed the sitting: %v", s["state"])
	}
	post("stan", url.Values{"action": {"close"}, "confirm": {"1"}}, http.StatusSeeOther)
	// In a closed sitting the console offers nothing to prepare or open.
	if c := b.get("/rada/sesje/2/prowadzenie").Body; strings.Contains(c, `action="/rada/sesje/2/glosowania"`) || strings.Contains(c, `action="/rada/sesje/2/otworz"`) {
		t.Fatal("a closed sitting's console still offers to prepare or open a vote")
	}
	if res := post("glosowania", url.Values{"agenda_item": {third}, "subject": {"Po zamknięciu"}, "majority": {"simple"}}, http.StatusConflict); !strings.Contains(res.Body, "Sesja jest zamknięta.") {
		t.Fatal("preparing a vote in a closed sitting is not explained")
	}
	if res := e.do("POST", "/api/v1/sessions/2/current", office, strings.NewReader(`{"agenda_item":`+third+`}`)); res.Status != http.StatusConflict {
		t.Fatalf("current item on a closed session: %d", res.Status)
	}
}

// Residents and journalists: the calendar, the register of resolutions,
// the club summaries.
func TestCouncilRegisters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	cal := b.get("/rada/kalendarz?miesiac=2026-11")
	if cal.Status != 200 || !strings.Contains(cal.Body, "listopad 2026") || !strings.Contains(cal.Body, "Sesja XI Rady Gminy Przykładowo") || strings.Contains(cal.Body, "Sesja XII") {
		t.Fatalf("calendar: %d", cal.Status)
	}
	if res := b.get("/rada/kalendarz?miesiac=listopad"); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "RRRR-MM") {
		t.Fatalf("bad month: %d", res.Status)
	}
	reg := b.get("/rada/uchwaly")
	if reg.Status != 200 || !strings.Contains(reg.Body, "Uchwał: 2") || !strings.Contains(reg.Body, "XI/1/2026") || !strings.Contains(reg.Body, "XI/2/2026") {
		t.Fatalf("register: %d", reg.Status)
	}
	if res := b.get("/rada/uchwaly?rok=2025"); !strings.Contains(res.Body, "Uchwał: 0") {
		t.Fatal("year filter")
	}
	clubs := b.get("/rada/kluby")
	// Niezależni: 5 members, two of them absent from session XI.
	if clubs.Status != 200 || !strings.Contains(clubs.Body, "Wspólnie dla Gminy") || !strings.Contains(clubs.Body, "60%") {
		t.Fatalf("clubs: %d", clubs.Status)
	}
}

// The session endpoints of the API, with their refusals.
func TestSessionAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	do := func(method, path, token, body string) response {
		t.Helper()
		return e.do(method, path, token, strings.NewReader(body))
	}
	if r := do("POST", "/api/v1/bodies/1/terms", office, `{"name":"X kadencja","starts_on":"2029-05-01"}`); r.Status != 201 {
		t.Fatalf("term: %d %s", r.Status, r.Body)
	}
	if r := do("POST", "/api/v1/bodies/1/terms", office, `{"name":"X","starts_on":"1 maja"}`); r.Status != 400 {
		t.Fatalf("bad term date: %d", r.Status)
	} else if _, field, _ := r.apiError(t); field != "starts_on" {
		t.Fatalf("field %q", field)
	}
	r := do("POST", "/api/v1/sessions", office, `{"body":1,"number":1,"kind":"ceremonial","title":"Sesja inauguracyjna","starts_at":"2029-05-07T12:00:00+02:00","place":"Aula"}`)
	if r.Status != 201 {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	id := fmt.Sprint(r.json(t)["id"])
	path := "/api/v1/sessions/" + id
	sess := do("GET", path, "", "").json(t)
	if sess["kind"] != "ceremonial" || sess["roman"] != "I" || sess["term"] == nil || sess["place"] != "Aula" {
		t.Fatalf("session %v", sess)
	}
	if r := do("PUT", path, "", `{"number":1,"starts_at":"2029-05-07T12:00:00+02:00"}`); r.Status != 401 {
		t.Fatalf("PUT without a token: %d", r.Status)
	}
	if r := do("PUT", path, e.token("radna.lewandowska@przykladowo.pl"), `{"number":1,"starts_at":"2029-05-07T12:00:00+02:00"}`); r.Status != 403 {
		t.Fatalf("PUT by a councillor: %d", r.Status)
	}
	if r := do("PUT", path, office, `{"number":1,"kind":"ceremonial","starts_at":"2029-05-07T12:00:00+02:00","recording_url":"javascript:alert(1)"}`); r.Status != 400 {
		t.Fatalf("bad URL: %d", r.Status)
	} else if _, field, _ := r.apiError(t); field != "recording_url" {
		t.Fatalf("field %q", field)
	}
	if r := do("POST", path+"/announce", office, ``); r.Status != 409 {
		t.Fatalf("announce with no agenda: %d", r.Status)
	}
	if r := do("POST", path+"/agenda", office, `{"label":"1","title":"Ślubowanie radnych"}`); r.Status != 201 {
		t.Fatalf("agenda: %d %s", r.Status, r.Body)
	}
	item := fmt.Sprint(do("GET", path, "", "").json(t)["agenda"].([]any)[0].(map[string]any)["id"])
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "rota.txt")
	fw.Write([]byte("Ślubuję uroczyście…"))
	w.Close()
	if r := e.do("POST", "/api/v1/agenda/"+item+"/files", office, &buf, "Content-Type", w.FormDataContentType()); r.Status != 201 {
		t.Fatalf("file: %d %s", r.Status, r.Body)
	}
	if r := do("POST", "/api/v1/agenda/"+item+"/files", office, `{}`); r.Status != 400 {
		t.Fatalf("file without multipart: %d", r.Status)
	}
	if r := do("POST", path+"/agenda-changes", office, `{"op":"add","title":"Wybór przewodniczącego"}`); r.Status != 409 {
		t.Fatalf("agenda change before the session: %d", r.Status)
	}
	r = do("POST", path+"/announce", office, ``)
	if r.Status != 200 || r.json(t)["announcement_url"] == nil {
		t.Fatalf("announce: %d %s", r.Status, r.Body)
	}
	if r := do("POST", path+"/start", office, ``); r.Status != 200 || r.json(t)["state"] != "in_progress" {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	if r := do("POST", path+"/agenda-changes", office, `{"op":"add","label":"2","title":"Wybór przewodniczącego"}`); r.Status != 201 {
		t.Fatalf("agenda change: %d %s", r.Status, r.Body)
	}
	if r := do("POST", path+"/close", office, ``); r.Status != 200 || r.json(t)["state"] != "closed" {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	if r := do("POST", path+"/start", office, ``); r.Status != 409 {
		t.Fatalf("start a closed session: %d", r.Status)
	}
}
