package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCouncilPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	home := b.get("/rada")
	if home.Status != 200 || !strings.Contains(home.Body, "Rada Gminy Przykładowo") || !strings.Contains(home.Body, "Sesja XI") || !strings.Contains(home.Body, "Sesja XII") {
		t.Fatalf("council home: %d", home.Status)
	}
	past := b.get("/rada/sesje/1")
	for _, want := range []string{"Sesja XI", "Uchwała w sprawie stawek podatku od nieruchomości", "przyjęto", "Obecnych 13 z 15"} {
		if !strings.Contains(past.Body, want) {
			t.Errorf("session page lacks %q", want)
		}
	}
	vote := b.get("/rada/glosowania/2")
	for _, want := range []string{"Imienny wykaz głosowania", "Danuta Krawczyk", "Przeciw", "Nieobecni", "<svg", `role="img"`, "/bip/publikacje/", "Uchwała nr XI/1/2026"} {
		if !strings.Contains(vote.Body, want) {
			t.Errorf("vote page lacks %q", want)
		}
	}
	if res := b.get("/rada/sesje/999"); res.Status != 404 {
		t.Fatalf("missing session: %d", res.Status)
	}

	// The device: only a councillor of the body, from their own account.
	if res := b.get("/rada/sesje/2/urzadzenie"); res.Status != 401 {
		t.Fatalf("anonymous device: %d", res.Status)
	}
	office := e.browser()
	office.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")
	if res := office.get("/rada/sesje/2/urzadzenie"); res.Status != 403 {
		t.Fatalf("the office on a councillor's device: %d", res.Status)
	}
	radna := e.browser()
	radna.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	if res := radna.get("/rada/sesje/2/prowadzenie"); res.Status != 403 {
		t.Fatalf("a councillor on the chair's console: %d", res.Status)
	}

	// The chair runs session XII from the console, with plain forms.
	chair := e.browser()
	chair.login("przewodniczacy@przykladowo.pl", "demo-przewodniczacy-2026")
	console := chair.get("/rada/sesje/2/prowadzenie")
	if console.Status != 200 || !strings.Contains(console.Body, "brak kworum") {
		t.Fatalf("console: %d", console.Status)
	}
	var item string
	e.Pool.QueryRow(system, "SELECT id::text FROM agenda_items WHERE session_id = 2 AND position = 3").Scan(&item)
	if res := chair.post("/rada/sesje/2/glosowania", url.Values{"agenda_item": {item}, "subject": {""}, "majority": {"absolute"}}); res.Status != 400 || !strings.Contains(res.Body, `id="subject-error"`) {
		t.Fatalf("vote without subject: %d", res.Status)
	}
	if res := chair.post("/rada/sesje/2/glosowania", url.Values{"agenda_item": {item}, "subject": {"Uchwała budżetowa na 2027 r."}, "majority": {"absolute"}}); res.Status != 303 {
		t.Fatalf("create vote: %d", res.Status)
	}
	var vote2 string
	e.Pool.QueryRow(system, "SELECT id::text FROM votes WHERE session_id = 2").Scan(&vote2)
	if res := chair.post("/rada/sesje/2/otworz", url.Values{"vote": {vote2}}); res.Status != 409 || !strings.Contains(res.Body, "Brak kworum") {
		t.Fatalf("open without quorum: %d", res.Status)
	}
	var ids []string
	rows, _ := e.Pool.Query(system, "SELECT c.id::text FROM councillors c ORDER BY c.id LIMIT 8")
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range append(ids[:1:1], ids[2:]...) { // seven marked present by the chair …
		if res := chair.post("/rada/sesje/2/obecnosc", url.Values{"councillor": {id}, "present": {"1"}}); res.Status != 303 {
			t.Fatalf("attendance: %d", res.Status)
		}
	}
	// … and the councillor checks herself in from her device.
	if res := radna.post("/rada/sesje/2/urzadzenie", url.Values{"present": {"1"}}); res.Status != 303 {
		t.Fatalf("check-in: %d", res.Status)
	}
	if res := chair.post("/rada/sesje/2/otworz", url.Values{"vote": {vote2}}); res.Status != 303 {
		t.Fatalf("open: %d", res.Status)
	}
	device := radna.get("/rada/sesje/2/urzadzenie")
	if !strings.Contains(device.Body, "Uchwała budżetowa na 2027 r.") || !strings.Contains(device.Body, `value="against"`) {
		t.Fatal("the device does not offer the open vote")
	}
	if res := radna.post("/rada/sesje/2/urzadzenie", url.Values{"vote": {vote2}, "choice": {"against"}}); res.Status != 303 {
		t.Fatalf("ballot: %d", res.Status)
	}
	if res := radna.post("/rada/sesje/2/urzadzenie", url.Values{"vote": {vote2}, "choice": {"for"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); res.Status != http.StatusForbidden {
		t.Fatalf("cross-site ballot: %d", res.Status)
	}
	if res := radna.get("/rada/sesje/2/urzadzenie"); !strings.Contains(res.Body, "Twój głos: Przeciw (zapisany o ") || !strings.Contains(res.Body, `aria-pressed="true" id="choice-against"`) {
		t.Fatalf("the device does not show her vote:\n%s", res.Body)
	}
	if res := chair.post("/rada/sesje/2/zamknij", url.Values{"vote": {vote2}}); res.Status != 200 || !strings.Contains(res.Body, "Zamknąć głosowanie mimo to?") {
		t.Fatalf("closing with members not voted does not ask: %d", res.Status)
	}
	if res := chair.post("/rada/sesje/2/zamknij", url.Values{"vote": {vote2}, "confirm": {"1"}}); res.Status != 303 {
		t.Fatalf("close: %d", res.Status)
	}
	if res := radna.get("/rada/sesje/2/urzadzenie"); !strings.Contains(res.Body, "ODRZUCONO") || !strings.Contains(res.Body, "Twój głos: Przeciw (zapisany o ") {
		t.Fatalf("after the close the device does not show the result and her vote:\n%s", res.Body)
	}
	result := b.get("/rada/glosowania/" + vote2)
	if !strings.Contains(result.Body, "odrzucono") || !strings.Contains(result.Body, "Katarzyna Lewandowska") {
		t.Fatalf("result page:\n%s", result.Body)
	}
	if !strings.Contains(b.get("/rada/sesje/2").Body, fmt.Sprintf("/rada/glosowania/%s", vote2)) {
		t.Fatal("the session page does not list the vote")
	}
}

func TestCouncilExports(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	ics := b.get("/rada/kalendarz.ics")
	if ics.Status != 200 || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar: %d %v", ics.Status, ics.Header)
	}
	if !strings.HasPrefix(ics.Body, "BEGIN:VCALENDAR\r\n") || strings.Count(ics.Body, "BEGIN:VEVENT") != 2 || !strings.Contains(ics.Body, "DTSTART:20261210T100000Z") {
		t.Fatalf("calendar body:\n%s", ics.Body)
	}
	for _, line := range strings.Split(ics.Body, "\r\n") {
		if len(line) > 75 {
			t.Fatalf("unfolded line of %d octets: %q", len(line), line)
		}
	}
	all := b.get("/rada/glosowania.csv")
	if !strings.HasPrefix(all.Header.Get("Content-Type"), "text/csv") || strings.Count(all.Body, "\n") != 4 || !strings.Contains(all.Body, "Uchwała w sprawie zmiany Statutu Gminy") {
		t.Fatalf("votes CSV:\n%s", all.Body)
	}
	one := b.get("/rada/glosowania/2.csv")
	if one.Status != 200 || !strings.Contains(one.Body, "Danuta Krawczyk,Nasza Gmina,against") || strings.Count(one.Body, "\n") != 16 {
		t.Fatalf("named list CSV: %d\n%s", one.Status, one.Body)
	}
	if res := b.get("/rada/glosowania.csv?sesja=x"); res.Status != 400 {
		t.Fatalf("bad session: %d", res.Status)
	}
}

func TestICSAndCSVEscaping(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	body := e.do("POST", "/api/v1/bodies", office, strings.NewReader(`{"name":"Komisja; Rewizyjna, Budżetowa i Gospodarki Komunalnej oraz Ochrony Środowiska Naturalnego","statutory_size":3}`)).json(t)["id"]
	sess := e.do("POST", "/api/v1/sessions", office, strings.NewReader(fmt.Sprintf(`{"body":%v,"number":1,"title":"=HYPERLINK(\"x\")","starts_at":"2026-12-01T10:00:00Z"}`, body))).json(t)["id"]
	item := e.do("POST", fmt.Sprintf("/api/v1/sessions/%v/agenda", sess), office, strings.NewReader(`{"title":"Punkt"}`)).json(t)["id"]
	e.do("POST", "/api/v1/votes", office, strings.NewReader(fmt.Sprintf(`{"agenda_item":%v,"subject":"=1+1","majority":"simple"}`, item)))
	ics := e.browser().get("/rada/kalendarz.ics").Body
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, `Komisja\; Rewizyjna\, Budżetowa`) {
		t.Fatalf("iCalendar text not escaped or not unfolding:\n%s", ics)
	}
	csv := e.browser().get(fmt.Sprintf("/rada/glosowania.csv?sesja=%v", sess)).Body
	if !strings.Contains(csv, "'=1+1") {
		t.Fatalf("a formula reaches the spreadsheet:\n%s", csv)
	}
}

// A councillor's profile counts their votes by the named lists' rules.
func TestCouncillorProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	home := b.get("/rada")
	if !strings.Contains(home.Body, "Kluby radnych") || !strings.Contains(home.Body, `href="/rada/radni/6"`) {
		t.Fatal("no clubs with links to profiles")
	}
	// Danuta Krawczyk (id 6) in the demo: for, against, against.
	p := b.get("/rada/radni/6")
	for _, want := range []string{"Danuta Krawczyk", "Nasza Gmina", "obecna na 1 z 1 sesji", "<th scope=\"row\">Za</th><td>1</td>", "<th scope=\"row\">Przeciw</th><td>2</td>", "Uchwała w sprawie stawek podatku"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("profile lacks %q", want)
		}
	}
	// Lidia Jabłońska (id 14) was absent.
	if p := b.get("/rada/radni/14"); !strings.Contains(p.Body, "<th scope=\"row\">Nieobecna</th><td>3</td>") || !strings.Contains(p.Body, "Radna: Lidia Jabłońska") || !strings.Contains(p.Body, "obecna na 0 z 1 sesji") {
		t.Fatal("absences not counted, or not said of a woman")
	}
	// Where a person's gender is known, no page hedges it with "(a)".
	for _, path := range []string{"/rada/radni/14", "/rada/radni/1", "/rada/glosowania/2", "/rada/glosowania/3"} {
		if page := b.get(path).Body; strings.Contains(page, "(a)") {
			i := strings.Index(page, "(a)")
			t.Errorf("%s says %q of a person whose gender is known", path, page[max(0, i-40):i+3])
		}
	}
	if res := b.get("/rada/radni/999"); res.Status != 404 {
		t.Fatalf("missing councillor: %d", res.Status)
	}
}

func TestInterpellationPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	radna := e.browser()
	radna.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	if res := radna.post("/rada/interpelacje/nowa", url.Values{"kind": {"interpelacja"}, "subject": {"oświetlenia ul. Polnej"}, "content": {""}}); res.Status != 400 || !strings.Contains(res.Body, `id="content-error"`) || !strings.Contains(res.Body, "oświetlenia ul. Polnej") {
		t.Fatalf("empty content: %d", res.Status)
	}
	res := radna.post("/rada/interpelacje/nowa", url.Values{"kind": {"interpelacja"}, "subject": {"oświetlenia ul. Polnej"}, "content": {"Mieszkańcy zgłaszają brak oświetlenia."}})
	if res.Status != 303 {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	path := strings.Split(res.Header.Get("Location"), "?")[0]
	office := e.browser()
	office.login("biuro.rady@przykladowo.pl", "demo-biuro-2026")
	if res := office.get("/rada/interpelacje/nowa"); res.Status != 403 {
		t.Fatalf("the office filing: %d", res.Status)
	}
	if res := radna.post(path+"/odpowiedz", url.Values{"answer": {"x"}}); res.Status != 403 {
		t.Fatalf("a councillor answering: %d", res.Status)
	}
	if res := office.post(path+"/odpowiedz", url.Values{"answer": {" "}}); res.Status != 400 || !strings.Contains(res.Body, `id="answer-error"`) {
		t.Fatalf("empty answer: %d", res.Status)
	}
	if res := office.post(path+"/odpowiedz", url.Values{"answer": {"Lampy zostaną zamontowane w styczniu."}}); res.Status != 303 {
		t.Fatalf("answer: %d", res.Status)
	}
	page := e.browser().get(path)
	for _, want := range []string{"Katarzyna Lewandowska", "oświetlenia ul. Polnej", "Lampy zostaną zamontowane", "odpowiedziano", "/bip/publikacje/"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	reg := e.browser().get("/rada/interpelacje?stan=answered")
	if !strings.Contains(reg.Body, "oświetlenia ul. Polnej") {
		t.Fatal("answered filter")
	}
	overdue := e.browser().get("/rada/interpelacje?stan=overdue")
	if !strings.Contains(overdue.Body, `class="overdue"`) || !strings.Contains(overdue.Body, "po terminie") {
		t.Fatal("the demo's overdue interpellation is not marked")
	}
	if res := e.browser().get("/rada/interpelacje?stan=zgubione"); res.Status != 400 || !strings.Contains(res.Body, `id="stan-error"`) {
		t.Fatalf("bad filter: %d", res.Status)
	}
}
