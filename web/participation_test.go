package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ratusz/ratusz/internal/demo"
)

// A resident votes in the demo's 2027 edition from the page, gets a receipt
// and cannot vote again; ballots breaking a rule come back with the rule
// named; the 2026 results are public with the receipt lookup.
func TestParticipatoryBudgetPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	anon := e.browser()
	home := anon.get("/budzet-obywatelski")
	if home.Status != 200 || !strings.Contains(home.Body, "Budżet obywatelski 2027") || !strings.Contains(home.Body, "głosowanie") {
		t.Fatalf("home: %d", home.Status)
	}
	ed := regexp.MustCompile(`href="/budzet-obywatelski/(\d+)">Budżet obywatelski 2027`).FindStringSubmatch(home.Body)
	past := regexp.MustCompile(`href="/budzet-obywatelski/(\d+)">Budżet obywatelski 2026`).FindStringSubmatch(home.Body)
	if ed == nil || past == nil {
		t.Fatal("editions not linked")
	}
	base := "/budzet-obywatelski/" + ed[1]
	if res := anon.get(base + "/glosuj"); res.Status != 200 {
		t.Fatalf("vote page for anonymous: %d", res.Status)
	}
	if page := anon.get(base + "/glosuj").Body; !strings.Contains(page, "Aby oddać głos, zaloguj się.") || !strings.Contains(page, "Zaloguj się, aby oddać głos") {
		t.Fatal("the ballot does not tell a visitor to sign in first")
	}
	b := e.browser()
	form := b.get(base + "/glosuj")
	ids := regexp.MustCompile(`name="p" value="(\d+)"`).FindAllStringSubmatch(form.Body, -1)
	if len(ids) != 6 {
		t.Fatalf("%d projects on the ballot", len(ids))
	}
	// Filled in before signing in: the choices go through the sign-in and
	// come back ticked.
	res := b.post(base+"/glosuj", url.Values{"p": {ids[0][1], ids[3][1]}})
	next, _ := url.Parse(res.Header.Get("Location"))
	if res.Status != http.StatusSeeOther || next.Path != "/login" {
		t.Fatalf("anonymous ballot: %d to %s", res.Status, res.Header.Get("Location"))
	}
	b.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
	back := b.get(next.Query().Get("next"))
	if strings.Count(back.Body, " checked") != 2 || !strings.Contains(back.Body, `value="`+ids[3][1]+`" checked`) {
		t.Fatalf("the choices did not survive the sign-in (%s):\n%s", next.Query().Get("next"), back.Body)
	}
	// A project not on the ballot is refused, named, and nothing is stored.
	res = b.post(base+"/glosuj", url.Values{"p": {ids[0][1], ids[1][1], "999999"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="projects-error"`) || !strings.Contains(res.Body, "Projektu 999999 nie ma na karcie") {
		t.Fatalf("bad ballot: %d", res.Status)
	}
	if strings.Count(res.Body, " checked") != 2 {
		t.Error("the ballot lost the ticks")
	}
	if res := b.post(base+"/glosuj", url.Values{}); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Wybierz co najmniej jeden projekt.") {
		t.Fatalf("empty ballot: %d", res.Status)
	}
	// The check step shows the ballot, how many and what they cost, and
	// casts nothing yet.
	res = b.post(base+"/glosuj", url.Values{"p": {ids[0][1], ids[3][1]}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Wybrano 2 projekty") || !strings.Contains(res.Body, "łączny koszt:") || !strings.Contains(res.Body, `name="confirm" value="1"`) {
		t.Fatalf("check step: %d\n%s", res.Status, res.Body)
	}
	if page := b.get(base); strings.Contains(page.Body, "Twój głos w tej edycji został oddany.") {
		t.Fatal("the check step cast the ballot")
	}
	res = b.post(base+"/glosuj", url.Values{"p": {ids[0][1], ids[3][1]}, "confirm": {"1"}})
	if res.Status != http.StatusCreated || !strings.Contains(res.Body, "Głos oddany") {
		t.Fatalf("ballot: %d %s", res.Status, res.Body)
	}
	code := regexp.MustCompile(`<strong>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</strong>`).FindStringSubmatch(res.Body)
	if code == nil {
		t.Fatal("no receipt code shown")
	}
	// The receipt to keep, as a file; a code that is not one is refused.
	file := b.post(base+"/potwierdzenie", url.Values{"kod": {code[1]}})
	if file.Status != 200 || !strings.HasPrefix(file.Header.Get("Content-Type"), "text/plain") || !strings.Contains(file.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(file.Body, "Kod potwierdzenia: "+code[1]) || !strings.Contains(file.Body, "/karty") {
		t.Fatalf("receipt file: %d %v\n%s", file.Status, file.Header, file.Body)
	}
	if bad := b.post(base+"/potwierdzenie", url.Values{"kod": {"<script>"}}); bad.Status != http.StatusBadRequest {
		t.Fatalf("a bad code: %d", bad.Status)
	}
	if res := b.post(base+"/glosuj", url.Values{"p": {ids[1][1]}, "confirm": {"1"}}); res.Status != http.StatusConflict {
		t.Fatalf("second ballot: %d", res.Status)
	}
	if page := b.get(base); !strings.Contains(page.Body, "Twój głos w tej edycji został oddany.") {
		t.Fatal("edition page does not say the resident voted")
	}
	// The list of ballots is not public during voting: the page says when
	// it will be, and shows none.
	if res := anon.get(base + "/karty"); res.Status != http.StatusOK || !strings.Contains(res.Body, "Karty opublikujemy po zakończeniu głosowania") || strings.Contains(res.Body, "<table") {
		t.Fatalf("ballots during voting: %d\n%s", res.Status, res.Body)
	}

	// The finished edition: results with a chart and a table, the ballot
	// list, the lookup of a code that is no one's.
	pastBase := "/budzet-obywatelski/" + past[1]
	results := anon.get(pastBase + "/wyniki")
	if results.Status != 200 || !strings.Contains(results.Body, `role="img"`) || !strings.Contains(results.Body, "Skatepark przy szkole") || !strings.Contains(results.Body, "Wyniki w BIP") {
		t.Fatalf("results: %d", results.Status)
	}
	if res := anon.get(base + "/wyniki"); res.Status != http.StatusConflict {
		t.Fatalf("results during voting: %d", res.Status)
	}
	list := anon.get(pastBase + "/karty")
	if list.Status != 200 || !strings.Contains(list.Body, "Kart: 60") {
		t.Fatalf("ballot list: %d", list.Status)
	}
	if res := anon.get(pastBase + "/karty?kod=AAAA-BBBB-CCCC-DDDD"); res.Status != http.StatusNotFound || !strings.Contains(res.Body, `id="kod-error"`) {
		t.Fatalf("unknown receipt: %d", res.Status)
	}
	exp := anon.get(pastBase + "/pule/" + regexp.MustCompile(`/pule/(\d+)\.pb`).FindStringSubmatch(anon.get(pastBase).Body)[1] + ".pb")
	if exp.Status != 200 || !strings.HasPrefix(exp.Body, "META") || !strings.Contains(exp.Body, "VOTES") {
		t.Fatalf("export: %d %.200s", exp.Status, exp.Body)
	}

	// The officer: paper ballot for the resident who voted online is refused.
	off := e.browser()
	off.login("bo@przykladowo.pl", "demo-bo-2026")
	res = off.post(base+"/karta-papierowa", url.Values{"voter": {"jan.kowalski@example.pl"}, "p": {ids[1][1]}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "już głosowała") {
		t.Fatalf("paper ballot of an online voter: %d", res.Status)
	}
	if res := off.post(base+"/karta-papierowa", url.Values{"voter": {"dowód XYZ 123456"}, "p": {ids[1][1]}}); res.Status != http.StatusCreated {
		t.Fatalf("paper ballot: %d %s", res.Status, res.Body)
	}
	if res := b.get(base + "/karta-papierowa"); res.Status != http.StatusForbidden {
		t.Fatalf("resident on the paper form: %d", res.Status)
	}
	// Ending the vote publishes the results; the resident's code finds
	// their ballot.
	// Without the commission's key the form comes back, the message beside
	// the key's field; with it, the vote ends.
	if res := off.post(base+"/etap", url.Values{"phase": {"results"}}); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="ballot_key-error"`) {
		t.Fatalf("results without the key: %d", res.Status)
	}
	if res := off.post(base+"/etap", url.Values{"phase": {"results"}, "ballot_key": {demo.DemoBallotKey}}); res.Status != http.StatusSeeOther {
		t.Fatalf("results phase: %d %s", res.Status, res.Body)
	}
	found := anon.get(base + "/karty?kod=" + url.QueryEscape(strings.ToLower(code[1])))
	if found.Status != 200 || !strings.Contains(found.Body, "Twój głos") {
		t.Fatalf("receipt lookup: %d", found.Status)
	}
}

// The JSON API of the participatory budget.
func TestParticipatoryBudgetAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	officer := e.token("bo@przykladowo.pl")
	resident := e.token("jan.kowalski@example.pl")
	do := func(method, path, token, body string) response {
		t.Helper()
		return e.do(method, path, token, strings.NewReader(body))
	}
	if r := do("POST", "/api/v1/pb/editions", resident, `{"year":2028,"name":"BO 2028","districts":[{"name":"Gmina","budget":10000000,"citywide":true}]}`); r.Status != 403 {
		t.Fatalf("resident creates an edition: %d", r.Status)
	}
	if r := do("POST", "/api/v1/pb/editions", officer, `{"year":2028,"name":"BO 2028","vote_type":"lottery","districts":[{"name":"Gmina","budget":10000000}]}`); r.Status != 400 {
		t.Fatalf("bad vote type: %d", r.Status)
	} else if _, field, _ := r.apiError(t); field != "vote_type" {
		t.Fatalf("field %q", field)
	}
	r := do("POST", "/api/v1/pb/editions", officer, `{"year":2028,"name":"BO 2028","vote_type":"cumulative","max_sum_points":5,"districts":[{"name":"Gmina","budget":10000000,"citywide":true}]}`)
	if r.Status != 201 {
		t.Fatalf("edition: %d %s", r.Status, r.Body)
	}
	id := fmt.Sprint(r.json(t)["id"])
	district := fmt.Sprint(r.json(t)["districts"].([]any)[0].(map[string]any)["id"])
	var projects []string
	for _, title := range []string{"Ławki", "Drzewa"} {
		r := do("POST", "/api/v1/pb/editions/"+id+"/projects", resident, `{"district":`+district+`,"title":"`+title+`","description":"Opis","cost_items":[{"item":"całość","cost":2000000}]}`)
		if r.Status != 201 {
			t.Fatalf("project: %d %s", r.Status, r.Body)
		}
		projects = append(projects, fmt.Sprint(r.json(t)["id"]))
	}
	do("POST", "/api/v1/pb/editions/"+id+"/phase", officer, `{"phase":"verification"}`)
	for _, p := range projects {
		if r := do("POST", "/api/v1/pb/projects/"+p+"/verification", officer, `{"status":"accepted"}`); r.Status != 200 {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
	}
	opened := do("POST", "/api/v1/pb/editions/"+id+"/phase", officer, `{"phase":"voting"}`)
	key, _ := opened.json(t)["ballot_key"].(string)
	if opened.Status != 200 || len(key) < 60 || opened.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("opening the vote gives the ballot key once: %d %s", opened.Status, opened.Body)
	}
	if r := do("POST", "/api/v1/pb/editions/"+id+"/ballots", resident, `{"projects":[`+projects[0]+`,`+projects[1]+`],"points":[4,2]}`); r.Status != 400 {
		t.Fatalf("six points of five: %d", r.Status)
	} else if _, field, msg := r.apiError(t); field != "points" || !strings.Contains(msg, "5") {
		t.Fatalf("error %q %q", field, msg)
	}
	if r := do("POST", "/api/v1/pb/editions/"+id+"/ballots", "", `{"projects":[`+projects[0]+`],"points":[1]}`); r.Status != 401 {
		t.Fatalf("no token: %d", r.Status)
	}
	r = do("POST", "/api/v1/pb/editions/"+id+"/ballots", resident, `{"projects":[`+projects[0]+`,`+projects[1]+`],"points":[3,2]}`)
	if r.Status != 201 || r.json(t)["receipt"] == nil {
		t.Fatalf("ballot: %d %s", r.Status, r.Body)
	}
	if r := do("POST", "/api/v1/pb/editions/"+id+"/ballots", resident, `{"projects":[`+projects[0]+`],"points":[1]}`); r.Status != 409 {
		t.Fatalf("second ballot: %d", r.Status)
	}
	if r := do("GET", "/api/v1/pb/editions/"+id+"/results", resident, ``); r.Status != 409 {
		t.Fatalf("results during voting: %d", r.Status)
	}
	if r := do("POST", "/api/v1/pb/editions/"+id+"/phase", officer, `{"phase":"results"}`); r.Status != 400 {
		t.Fatalf("results without the key: %d", r.Status)
	} else if _, field, _ := r.apiError(t); field != "ballot_key" {
		t.Fatalf("error names %q", field)
	}
	if r := do("POST", "/api/v1/pb/editions/"+id+"/phase", officer, `{"phase":"results","ballot_key":"`+key+`"}`); r.Status != 200 {
		t.Fatalf("results: %d %s", r.Status, r.Body)
	}
	r = do("GET", "/api/v1/pb/editions/"+id+"/results", "", ``)
	if r.Status != 200 || !strings.Contains(r.Body, `"score": 3`) {
		t.Fatalf("results: %d %s", r.Status, r.Body)
	}
}

// The officer opens an edition from its form; a pool line it cannot read
// comes back next to the field.
func TestEditionForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	b := e.browser()
	b.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
	if res := b.get("/budzet-obywatelski/nowa"); res.Status != http.StatusForbidden {
		t.Fatalf("resident: %d", res.Status)
	}
	b = e.browser()
	b.login("bo@przykladowo.pl", "demo-bo-2026")
	form := url.Values{"year": {"2028"}, "name": {"Budżet obywatelski 2028"}, "pools": {"Pula ogólnogminna; 500 000\nDąbrowa 100 000"}, "citywide": {"1"},
		"vote_type": {"approval"}, "rule": {"equalshares/add1"}, "min_length": {"1"}, "max_length": {"5"}, "date_voting": {"2028-05-10"}}
	res := b.post("/budzet-obywatelski/nowa", form)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="pools-error"`) || !strings.Contains(res.Body, "Dąbrowa 100 000") {
		t.Fatalf("bad pool line: %d", res.Status)
	}
	form.Set("pools", "Pula ogólnogminna; 500 000\nDąbrowa; 100 000,50")
	res = b.post("/budzet-obywatelski/nowa", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	page := b.get(res.Header.Get("Location"))
	for _, want := range []string{"Budżet obywatelski 2028", "600\u00a0000,50\u00a0zł", "od 2028-05-10", "metoda równych udziałów z uzupełnieniem", "Dąbrowa"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("edition page lacks %q", want)
		}
	}
}

// A resident submits a project with its estimate and a file from the form.
func TestSubmitProjectForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.do("POST", "/api/v1/pb/editions", e.token("bo@przykladowo.pl"), strings.NewReader(`{"year":2028,"name":"BO 2028","districts":[{"name":"Gmina","budget":10000000,"citywide":true}]}`))
	if r.Status != 201 {
		t.Fatalf("edition: %d %s", r.Status, r.Body)
	}
	id := fmt.Sprint(r.json(t)["id"])
	district := fmt.Sprint(r.json(t)["districts"].([]any)[0].(map[string]any)["id"])
	b := e.browser()
	b.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")
	post := func(fields map[string]string, file string) response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		if file != "" {
			fw, _ := w.CreateFormFile("files", file)
			fw.Write([]byte("%PDF-1.4 mapa"))
		}
		w.Close()
		req, _ := http.NewRequest("POST", e.URL+"/budzet-obywatelski/"+id+"/zglos", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", e.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return response{res.StatusCode, res.Header, string(body)}
	}
	fields := map[string]string{"district": district, "title": "Ławki nad stawem", "description": "Sześć ławek.", "cost_items": "ławki; 12 000\nmontaż 3000"}
	res := post(fields, "mapa.pdf")
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `id="cost_items-error"`) || !strings.Contains(res.Body, "montaż 3000") || !strings.Contains(res.Body, "Ławki nad stawem") {
		t.Fatalf("bad estimate line: %d", res.Status)
	}
	fields["cost_items"] = "ławki; 12 000\nmontaż; 3 000,50"
	res = post(fields, "mapa.pdf")
	if res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	page := b.get(res.Header.Get("Location"))
	if !strings.Contains(page.Body, "15\u00a0000,50\u00a0zł") || !strings.Contains(page.Body, "mapa.pdf") || !strings.Contains(page.Body, "zgłoszony, w weryfikacji") {
		t.Fatalf("project page: %d", page.Status)
	}
	link := regexp.MustCompile(`href="(/budzet-obywatelski/pliki/\d+/[^"]+)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatal("no file link")
	}
	if f := b.get(link[1]); f.Status != 200 || f.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("file: %d %s", f.Status, f.Header.Get("Content-Type"))
	}
}

// Ranking and choose-one ballots from the form: a place given twice or not
// a number is refused and named; choose-one takes one project in each pool.
func TestBallotFormsByVoteType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	officer, resident := e.token("bo@przykladowo.pl"), e.token("jan.kowalski@example.pl")
	edition := func(voteType string) (string, []string, []string) {
		r := e.do("POST", "/api/v1/pb/editions", officer, strings.NewReader(`{"year":2028,"name":"BO `+voteType+`","vote_type":"`+voteType+`",
			"districts":[{"name":"Gmina","budget":10000000,"citywide":true},{"name":"Lipie","budget":5000000}]}`))
		if r.Status != 201 {
			t.Fatalf("edition: %d %s", r.Status, r.Body)
		}
		id := fmt.Sprint(r.json(t)["id"])
		var projects, pools []string
		for _, d := range r.json(t)["districts"].([]any) {
			pool := fmt.Sprint(d.(map[string]any)["id"])
			pools = append(pools, pool)
			for i := 0; i < 2; i++ {
				p := e.do("POST", "/api/v1/pb/editions/"+id+"/projects", resident, strings.NewReader(`{"district":`+pool+`,"title":"P`+fmt.Sprint(i)+`","description":"x","cost_items":[{"item":"a","cost":100000}]}`))
				projects = append(projects, fmt.Sprint(p.json(t)["id"]))
			}
		}
		e.do("POST", "/api/v1/pb/editions/"+id+"/phase", officer, strings.NewReader(`{"phase":"verification"}`))
		for _, p := range projects {
			e.do("POST", "/api/v1/pb/projects/"+p+"/verification", officer, strings.NewReader(`{"status":"accepted"}`))
		}
		e.do("POST", "/api/v1/pb/editions/"+id+"/phase", officer, strings.NewReader(`{"phase":"voting"}`))
		return id, projects, pools
	}
	b := e.browser()
	b.login("jan.kowalski@example.pl", "demo-mieszkaniec-2026")

	id, p, _ := edition("ordinal")
	res := b.post("/budzet-obywatelski/"+id+"/glosuj", url.Values{"n" + p[0]: {"1"}, "n" + p[1]: {"1"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Miejsce 1 nadano dwóm projektom.") {
		t.Fatalf("same place twice: %d", res.Status)
	}
	if res := b.post("/budzet-obywatelski/"+id+"/glosuj", url.Values{"n" + p[0]: {"pierwszy"}}); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "musi być liczbą całkowitą") {
		t.Fatalf("place not a number: %d", res.Status)
	}
	if res := b.post("/budzet-obywatelski/"+id+"/glosuj", url.Values{"n" + p[1]: {"1"}, "n" + p[0]: {"2"}, "confirm": {"1"}}); res.Status != http.StatusCreated {
		t.Fatalf("ranking: %d %s", res.Status, res.Body)
	}

	id, p, pools := edition("choose-1")
	form := b.get("/budzet-obywatelski/" + id + "/glosuj")
	if !strings.Contains(form.Body, `name="p`+pools[0]+`"`) || !strings.Contains(form.Body, `name="p`+pools[1]+`"`) {
		t.Fatal("choose-one pools share one radio group")
	}
	if res := b.post("/budzet-obywatelski/"+id+"/glosuj", url.Values{"p" + pools[0]: {p[0]}, "p" + pools[1]: {p[3]}, "confirm": {"1"}}); res.Status != http.StatusCreated {
		t.Fatalf("one per pool: %d %s", res.Status, res.Body)
	}
}
