package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A sitting run through the API: the speakers list with its rules, limits,
// breaks, everyone present, and the timeline; each refusal a clear 4xx
// that records nothing.
func TestSittingAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	radna := e.token("radna.lewandowska@przykladowo.pl") // councillor 2
	resident := e.token("jan.kowalski@example.pl")
	do := func(method, path, token, body string) response {
		t.Helper()
		var r *strings.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		if r == nil {
			return e.do(method, "/api/v1/sessions/2"+path, token, nil)
		}
		return e.do(method, "/api/v1/sessions/2"+path, token, r)
	}
	want := func(r response, status int, what string) response {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s: %d, want %d\n%s", what, r.Status, status, r.Body)
		}
		return r
	}
	waiting := func() int {
		t.Helper()
		var list struct {
			Waiting []map[string]any `json:"waiting"`
		}
		if err := jsonUnmarshal(want(do("GET", "/speakers", "", ""), 200, "speakers").Body, &list); err != nil {
			t.Fatal(err)
		}
		return len(list.Waiting)
	}

	// Not yet begun: nobody may ask.
	want(do("POST", "/speakers", radna, `{"kind":"item"}`), 409, "a request before the start")
	want(do("POST", "/attendance/all", radna, ""), 403, "a councillor marking everyone")
	want(do("POST", "/attendance/all", "", ""), 401, "anonymous marking everyone")
	if r := want(do("POST", "/attendance/all", office, ""), 200, "everyone present"); r.json(t)["present"] != 15.0 {
		t.Fatalf("present after all: %s", r.Body)
	}
	want(do("POST", "/start", office, ""), 200, "start")

	// Bad requests, each naming what is wrong, none recorded.
	for name, c := range map[string]struct {
		token, body string
		status      int
		field       string
	}{
		"unknown kind":     {radna, `{"kind":"shout"}`, 400, "kind"},
		"for someone else": {radna, `{"kind":"item","councillor":3}`, 403, ""},
		"a name":           {radna, `{"kind":"item","name":"Ktoś"}`, 403, ""},
		"anonymous":        {"", `{"kind":"item"}`, 401, ""},
		"a resident":       {resident, `{"kind":"item"}`, 403, ""},
		"unknown field":    {radna, `{"kind":"item","priority":1}`, 400, "priority"},
		"empty name":       {office, `{"kind":"item","name":"  "}`, 400, "name"},
	} {
		r := want(do("POST", "/speakers", c.token, c.body), c.status, name)
		if c.field != "" {
			if _, field, _ := r.apiError(t); field != c.field {
				t.Fatalf("%s: field %q, want %q", name, field, c.field)
			}
		}
	}
	if n := waiting(); n != 0 {
		t.Fatalf("refused requests were recorded: %d waiting", n)
	}

	r := want(do("POST", "/speakers", radna, `{"kind":"item"}`), 201, "her request")
	mine := fmt.Sprint(r.json(t)["id"])
	if r.Header.Get("Location") != "/api/v1/sessions/2/speakers/"+mine {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
	want(do("POST", "/speakers", radna, `{"kind":"item"}`), 409, "the same request twice")
	mayor := fmt.Sprint(want(do("POST", "/speakers", office, `{"kind":"formal","name":"Wójt Gminy Anna Nowak"}`), 201, "the mayor").json(t)["id"])

	// Only the chair and the office give the floor, reorder and end.
	want(do("POST", "/speakers/"+mine+"/grant", radna, ""), 403, "a councillor granting the floor")
	want(do("PUT", "/speakers/order", radna, `{"order":[`+mine+`,`+mayor+`]}`), 403, "a councillor reordering")
	want(do("PUT", "/speakers/order", office, `{"order":[`+mine+`]}`), 409, "an order missing a request")
	if r := want(do("PUT", "/speakers/order", office, `{"order":[`+mine+`,`+mayor+`]}`), 200, "reorder"); !strings.Contains(r.Body, `"waiting": [`) {
		t.Fatalf("order answer: %s", r.Body)
	}
	r = want(do("POST", "/speakers/"+mine+"/grant", office, ""), 200, "grant")
	if !strings.Contains(r.Body, `"state": "speaking"`) || !strings.Contains(r.Body, `"limit_seconds": 300`) {
		t.Fatalf("granted: %s", r.Body)
	}
	for _, bad := range []string{`{"seconds":0}`, `{"seconds":100000}`, `{"seconds":"60"}`} {
		want(do("POST", "/speakers/"+mine+"/time", office, bad), 400, "time "+bad)
	}
	if r := want(do("POST", "/speakers/"+mine+"/time", office, `{"seconds":60}`), 200, "add a minute"); !strings.Contains(r.Body, `"limit_seconds": 360`) {
		t.Fatalf("after a minute more: %s", r.Body)
	}
	want(do("DELETE", "/speakers/"+mayor, radna, ""), 403, "a councillor withdrawing another's request")
	want(do("POST", "/speakers/"+mine+"/end", office, ""), 200, "end")
	want(do("POST", "/speakers/"+mine+"/end", office, ""), 409, "ending twice")
	want(do("DELETE", "/speakers/"+mayor, office, ""), 200, "withdraw")
	want(do("POST", "/speakers/999999/grant", office, ""), 404, "an unknown request")

	// Limits and breaks: absurd values are refused.
	for _, bad := range []string{`{"item":-5,"ad_vocem":60,"formal":60}`, `{"item":300,"ad_vocem":99999,"formal":60}`, `{"item":300}`} {
		want(do("PUT", "/limits", office, bad), 400, "limits "+bad)
	}
	want(do("PUT", "/limits", radna, `{"item":120,"ad_vocem":30,"formal":30}`), 403, "a councillor setting limits")
	if r := want(do("PUT", "/limits", office, `{"item":120,"ad_vocem":30,"formal":45}`), 200, "limits"); r.json(t)["limit_formal"] != 45.0 {
		t.Fatalf("limits: %s", r.Body)
	}
	want(do("POST", "/breaks", office, `{"action":"nap"}`), 400, "an unknown break action")
	want(do("POST", "/breaks", office, `{"action":"start","minutes":-3}`), 400, "a negative break")
	want(do("POST", "/breaks", office, `{"action":"end"}`), 409, "ending no break")
	if r := want(do("POST", "/breaks", office, `{"action":"start","minutes":15}`), 200, "break"); r.json(t)["break_until"] == nil {
		t.Fatalf("break: %s", r.Body)
	}
	want(do("POST", "/breaks", office, `{"action":"end"}`), 200, "resume")

	// The timeline has it all, in order.
	var tl struct {
		Data []struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
		} `json:"data"`
	}
	if err := jsonUnmarshal(want(do("GET", "/timeline", "", ""), 200, "timeline").Body, &tl); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, x := range tl.Data {
		kinds = append(kinds, x.Kind)
	}
	if got := strings.Join(kinds, " "); got != "started speech_started speech_ended break_started break_ended" {
		t.Fatalf("timeline %s", got)
	}

	// Closed: nothing more can be asked.
	want(do("POST", "/close", office, ""), 200, "close")
	want(do("POST", "/speakers", radna, `{"kind":"item"}`), 409, "a request in a closed sitting")
	want(do("POST", "/attendance/all", office, ""), 409, "attendance in a closed sitting")
	if r := e.do("POST", "/api/v1/votes", office, strings.NewReader(`{"agenda_item":3,"subject":"Po zamknięciu","majority":"simple"}`)); r.Status != 409 {
		t.Fatalf("a vote prepared in a closed sitting: %d %s", r.Status, r.Body)
	}
	// A ballot in a vote of a closed sitting (session I's) is refused too.
	if r := e.do("POST", "/api/v1/votes/2/ballots", radna, strings.NewReader(`{"choice":"for"}`)); r.Status != 409 {
		t.Fatalf("a ballot in a closed sitting: %d %s", r.Status, r.Body)
	}
}

// The sitting from the chair's console, a councillor's device, the big
// screen and the public page, without JavaScript: every action is a form
// that returns to where it was.
func TestSittingPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	chair := e.browser()
	chair.login("przewodniczacy@przykladowo.pl", "demo-przewodniczacy-2026")
	radna := e.browser()
	radna.login("radna.lewandowska@przykladowo.pl", "demo-radna-2026")
	anon := e.browser()
	post := func(b *browser, path string, form url.Values, status int) response {
		t.Helper()
		res := b.post("/rada/sesje/2/"+path, form)
		if res.Status != status {
			t.Fatalf("%s %v: %d, want %d\n%s", path, form, res.Status, status, res.Body)
		}
		return res
	}
	// Everyone present in one go; a toggle returns to its person.
	if res := post(chair, "obecnosc/wszyscy", url.Values{"back": {"att-h"}}, http.StatusSeeOther); res.Header.Get("Location") != "/rada/sesje/2/prowadzenie#att-h" {
		t.Fatalf("after all present: %s", res.Header.Get("Location"))
	}
	if res := post(chair, "obecnosc", url.Values{"councillor": {"15"}, "present": {"0"}, "back": {"att-15"}}, http.StatusSeeOther); res.Header.Get("Location") != "/rada/sesje/2/prowadzenie#att-15" {
		t.Fatalf("after a toggle: %s", res.Header.Get("Location"))
	}
	if res := post(chair, "obecnosc", url.Values{"councillor": {"15"}, "present": {"1"}, "back": {"javascript:alert(1)"}}, http.StatusSeeOther); res.Header.Get("Location") != "/rada/sesje/2/prowadzenie" {
		t.Fatalf("a bad anchor is kept: %s", res.Header.Get("Location"))
	}
	post(radna, "obecnosc/wszyscy", url.Values{}, http.StatusForbidden)

	post(chair, "stan", url.Values{"action": {"start"}}, http.StatusSeeOther)
	items := e.do("GET", "/api/v1/sessions/2", "", nil).json(t)["agenda"].([]any)
	third := items[2].(map[string]any)
	post(chair, "biezacy", url.Values{"current_item": {fmt.Sprint(third["id"])}}, http.StatusSeeOther)

	// The councillor asks to speak from the device; the chair gives the floor.
	post(radna, "urzadzenie", url.Values{"speak": {"item"}}, http.StatusSeeOther)
	if res := post(radna, "urzadzenie", url.Values{"speak": {"item"}}, http.StatusConflict); !strings.Contains(res.Body, "To zgłoszenie już czeka na liście mówców.") {
		t.Fatal("a second request is not explained on the device")
	}
	post(radna, "urzadzenie", url.Values{"speak": {"shout"}}, http.StatusBadRequest)
	post(chair, "mowcy", url.Values{"action": {"add"}, "kind": {"formal"}, "name": {"Wójt Gminy Anna Nowak"}}, http.StatusSeeOther)
	console := chair.get("/rada/sesje/2/prowadzenie").Body
	if i, j := strings.Index(console, "Wójt Gminy Anna Nowak"), strings.Index(console, "Katarzyna Lewandowska</strong> <span class=\"meta\">(do dyskusji"); i < 0 || j < 0 || i > j {
		t.Fatalf("the formal motion is not first on the console's list:\n%s", console)
	}
	speakers := e.do("GET", "/api/v1/sessions/2/speakers", "", nil).json(t)["waiting"].([]any)
	formal := fmt.Sprint(speakers[0].(map[string]any)["id"])
	post(radna, "mowcy", url.Values{"action": {"grant"}, "speech": {formal}}, http.StatusForbidden)
	post(chair, "mowcy", url.Values{"action": {"grant"}, "speech": {formal}}, http.StatusSeeOther)
	screen := anon.get("/rada/sesje/2/ekran")
	if screen.Status != 200 || !strings.Contains(screen.Body, "Wójt Gminy Anna Nowak") || !strings.Contains(screen.Body, "data-countdown") || !strings.Contains(screen.Body, "Katarzyna Lewandowska") {
		t.Fatalf("the screen does not show the speaker, the countdown and the next:\n%s", screen.Body)
	}
	if strings.Contains(screen.Body, `class="main-nav"`) {
		t.Fatal("the screen has the site's navigation")
	}
	public := anon.get("/rada/sesje/2").Body
	if !strings.Contains(public, "Głos ma: <strong>Wójt Gminy Anna Nowak</strong>") || !strings.Contains(public, "Obecnych 15 z 15") {
		t.Fatalf("the public page lacks the speaker or the attendance:\n%s", public)
	}
	post(chair, "mowcy", url.Values{"action": {"time"}, "speech": {formal}, "seconds": {"abc"}}, http.StatusBadRequest)
	post(chair, "czasy", url.Values{"limit_item": {"-1"}, "limit_ad_vocem": {"60"}, "limit_formal": {"60"}}, http.StatusBadRequest)

	// A vote on the current item: the form proposes the item and its title.
	if !strings.Contains(console, `value="`+fmt.Sprint(third["title"])+`"`) {
		t.Fatal("the new vote's subject is not the current item's title")
	}
	post(chair, "glosowania", url.Values{"agenda_item": {fmt.Sprint(third["id"])}, "subject": {"Uchwała w sprawie zmian w budżecie"}, "majority": {"absolute_statutory"}}, http.StatusSeeOther)
	votes := e.do("GET", "/api/v1/sessions/2", "", nil).json(t)["votes"].([]any)
	vote := fmt.Sprint(votes[len(votes)-1].(map[string]any)["id"])
	post(chair, "otworz", url.Values{"vote": {vote}}, http.StatusSeeOther)
	post(radna, "urzadzenie", url.Values{"vote": {vote}, "choice": {"for"}}, http.StatusSeeOther)
	if c := chair.get("/rada/sesje/2/prowadzenie").Body; !strings.Contains(c, "Oddano głosów: 1 z 15") || !strings.Contains(c, "Jeszcze bez głosu (14 osób):") || !strings.Contains(c, "Marek Zieliński") {
		t.Fatalf("the console does not show progress and who has not voted:\n%s", c)
	}
	if p := anon.get("/rada/sesje/2").Body; strings.Contains(p, "Jeszcze bez głosu") || strings.Contains(p, "Marek Zieliński, ") {
		t.Fatal("the public page names who has not voted")
	}
	if s := anon.get("/rada/sesje/2/ekran").Body; !strings.Contains(s, "Oddano głosów: 1 z 15") || strings.Contains(s, "Jeszcze bez głosu") {
		t.Fatal("the screen shows the wrong progress, or names who has not voted")
	}
	if res := post(chair, "zamknij", url.Values{"vote": {vote}}, http.StatusOK); !strings.Contains(res.Body, "Głosu nie oddało jeszcze 14 osób z 15 obecnych") {
		t.Fatalf("closing early does not warn:\n%s", res.Body)
	}
	post(chair, "zamknij", url.Values{"vote": {vote}, "confirm": {"1"}}, http.StatusSeeOther)
	c := chair.get("/rada/sesje/2/prowadzenie").Body
	if !strings.Contains(c, "ODRZUCONO") || !strings.Contains(c, "za 1 — wymagane 8, bezwzględna większość ustawowego składu") {
		t.Fatalf("the console does not read out the result:\n%s", c)
	}
	if s := anon.get("/rada/sesje/2/ekran").Body; !strings.Contains(s, "ODRZUCONO") || !strings.Contains(s, "Katarzyna Lewandowska — za") {
		t.Fatalf("the screen does not show the result with the named list:\n%s", s)
	}
	if d := radna.get("/rada/sesje/2/urzadzenie").Body; !strings.Contains(d, "Twój głos: Za (zapisany o ") {
		t.Fatal("the device does not show her vote after the close")
	}

	// English pages speak English, times included.
	en := e.browser()
	en.get("/lang/en")
	if s := en.get("/rada/sesje/2/ekran").Body; !strings.Contains(s, "REJECTED") || !strings.Contains(s, `<html lang="en">`) {
		t.Fatal("the English screen is not in English")
	}

	// Closing the sitting: asked first, then the timeline is on the page.
	post(chair, "stan", url.Values{"action": {"close"}}, http.StatusOK)
	post(chair, "stan", url.Values{"action": {"close"}, "confirm": {"1"}}, http.StatusSeeOther)
	page := anon.get("/rada/sesje/2").Body
	for _, want := range []string{"Przebieg sesji", "Otwarcie obrad", "Głos zabiera: Wójt Gminy Anna Nowak", "Zamknięcie głosowania: Uchwała w sprawie zmian w budżecie", "Zamknięcie obrad"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the closed session's page lacks %q:\n%s", want, page)
		}
	}
	if res := post(radna, "urzadzenie", url.Values{"speak": {"item"}}, http.StatusConflict); !strings.Contains(res.Body, "Sesja jest zamknięta.") {
		t.Fatal("a request in a closed sitting is not explained")
	}
}

// The office sets a councillor's gender; pages speak of her accordingly.
func TestCouncillorGender(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	if r := e.do("PUT", "/api/v1/councillors/2/gender", office, strings.NewReader(`{"gender":"x"}`)); r.Status != 400 {
		t.Fatalf("a bad gender: %d", r.Status)
	}
	if r := e.do("PUT", "/api/v1/councillors/2/gender", e.token("radna.lewandowska@przykladowo.pl"), strings.NewReader(`{"gender":"m"}`)); r.Status != 403 {
		t.Fatalf("a councillor setting it: %d", r.Status)
	}
	if r := e.do("PUT", "/api/v1/councillors/999/gender", office, strings.NewReader(`{"gender":"f"}`)); r.Status != 404 {
		t.Fatalf("an unknown councillor: %d", r.Status)
	}
	if p := e.browser().get("/rada/radni/2").Body; !strings.Contains(p, "Radna: Katarzyna Lewandowska") {
		t.Fatal("the first name's gender was not guessed")
	}
	if r := e.do("PUT", "/api/v1/councillors/2/gender", office, strings.NewReader(`{"gender":""}`)); r.Status != 200 {
		t.Fatalf("unset: %d %s", r.Status, r.Body)
	}
	if p := e.browser().get("/rada/radni/2").Body; !strings.Contains(p, "Radny(-a): Katarzyna Lewandowska") {
		t.Fatal("with the gender unset the page does not fall back to the neutral form")
	}
	if o := e.do("GET", "/oparl/v1/person/1", "", nil).Body; !strings.Contains(o, `"gender": "male"`) {
		t.Fatalf("OParl Person lacks the gender:\n%s", o)
	}
}
