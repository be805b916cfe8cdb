package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	officerEmail = "konsultacje@przykladowo.pl"
	residentMail = "jan.kowalski@example.pl"
)

func (e *env) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConsultationAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	officer, resident := e.token(officerEmail), e.token(residentMail)
	now := time.Now()
	body := fmt.Sprintf(`{"title":"Budowa ścieżki rowerowej","description":"Opis","starts_at":%q,"ends_at":%q,"eligibility":"residents",
		"questions":[{"id":"q1","type":"single","text":"Czy?","options":["Tak","Nie"],"required":true},
		{"id":"q2","type":"multiple","text":"Co?","options":["A","B","C"],"max_choices":2},
		{"id":"q3","type":"scale","text":"Ocena","min":1,"max":5,"show_if":{"question":"q1","equals":"Tak"}},
		{"id":"q4","type":"text","text":"Uwagi"}]}`, now.Add(-time.Hour).Format(time.RFC3339), now.Add(48*time.Hour).Format(time.RFC3339))

	t.Run("ErrCreate", func(t *testing.T) {
		if r := e.do("POST", "/api/v1/consultations", "", strings.NewReader(body)); r.Status != 401 {
			t.Fatalf("no token: %d", r.Status)
		}
		if r := e.do("POST", "/api/v1/consultations", resident, strings.NewReader(body)); r.Status != 403 {
			t.Fatalf("resident: %d", r.Status)
		}
		bad := strings.Replace(body, `"options":["A","B","C"]`, `"options":["A"]`, 1)
		r := e.do("POST", "/api/v1/consultations", officer, strings.NewReader(bad))
		if _, field, _ := r.apiError(t); r.Status != 400 || field != "q2" {
			t.Fatalf("one option: %d %s", r.Status, r.Body)
		}
	})
	before := e.count(t, "SELECT count(*) FROM consultations")
	r := e.do("POST", "/api/v1/consultations", officer, strings.NewReader(body))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	id := int(r.json(t)["id"].(float64))
	if e.count(t, "SELECT count(*) FROM consultations") != before+1 {
		t.Fatal("not stored once")
	}
	base := fmt.Sprintf("/api/v1/consultations/%d", id)
	// A draft answers no one but the office.
	if r := e.do("POST", base+"/responses", resident, strings.NewReader(`{"answers":{"q1":"Tak"}}`)); r.Status != 404 {
		t.Fatalf("draft: %d %s", r.Status, r.Body)
	}
	// A document through the API: only the officer, only to a draft.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "trasa.pdf")
	fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
	mw.Close()
	if r := e.do("POST", base+"/documents", resident, bytes.NewReader(buf.Bytes()), "Content-Type", mw.FormDataContentType()); r.Status != 403 {
		t.Fatalf("resident uploads: %d", r.Status)
	}
	if r := e.do("POST", base+"/documents", officer, bytes.NewReader(buf.Bytes()), "Content-Type", mw.FormDataContentType()); r.Status != 201 || !strings.Contains(r.Body, "/konsultacje/dokumenty/") {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if r := e.do("POST", base+"/open", resident, nil); r.Status != 403 {
		t.Fatalf("resident opens: %d", r.Status)
	}
	if r := e.do("POST", base+"/open", officer, nil); r.Status != 200 {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	if r := e.do("PUT", base, officer, strings.NewReader(body)); r.Status != 409 {
		t.Fatalf("edit when open: %d", r.Status)
	}
	if r := e.do("POST", base+"/documents", officer, bytes.NewReader(buf.Bytes()), "Content-Type", mw.FormDataContentType()); r.Status != 409 {
		t.Fatalf("upload when open: %d", r.Status)
	}
	if r := e.do("GET", base, "", nil); r.Status != 200 || !strings.Contains(r.Body, `"trasa.pdf"`) {
		t.Fatalf("consultation: %d %s", r.Status, r.Body)
	}

	t.Run("ErrAnswers", func(t *testing.T) {
		for answers, field := range map[string]string{
			`{"q1":"Może"}`:                     "q1",
			`{"q1":"Tak","q2":["A","B","C"]}`:   "q2",
			`{"q1":"Tak","q3":6}`:               "q3",
			`{"q2":["A"]}`:                      "q1",
			`{"q1":"Tak","q9":"x"}`:             "q9",
			`{"q1":"Tak","q2":["A","Z"]}`:       "q2",
			`{"q1":"Tak","q4":{"html":"<b>x"}}`: "q4",
		} {
			r := e.do("POST", base+"/responses", resident, strings.NewReader(`{"answers":`+answers+`}`))
			if _, f, msg := r.apiError(t); r.Status != 400 || f != field || msg == "" {
				t.Errorf("%s: %d %s", answers, r.Status, r.Body)
			}
		}
		// Two wrong at once: both named, in the order of the survey.
		r := e.do("POST", base+"/responses", resident, strings.NewReader(`{"answers":{"q1":"Tak","q2":["A","B","C"],"q3":6}}`))
		var body struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		if err := jsonUnmarshal(r.Body, &body); err != nil || r.Status != 400 || len(body.Errors) != 2 || body.Errors[0].Field != "q2" || body.Errors[1].Field != "q3" {
			t.Errorf("two errors at once: %d %s", r.Status, r.Body)
		}
		if r := e.do("POST", base+"/responses", "", strings.NewReader(`{"answers":{"q1":"Tak"}}`)); r.Status != 401 {
			t.Errorf("no token: %d", r.Status)
		}
		if n := e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = $1", id); n != 0 {
			t.Fatalf("%d responses stored by refused requests", n)
		}
	})

	r = e.do("POST", base+"/responses", resident, strings.NewReader(`{"answers":{"q1":"Tak","q2":["A","B"],"q3":4,"q4":"tekst"}}`))
	if r.Status != 201 {
		t.Fatalf("respond: %d %s", r.Status, r.Body)
	}
	if r := e.do("POST", base+"/responses", resident, strings.NewReader(`{"answers":{"q1":"Nie"}}`)); r.Status != 409 {
		t.Fatalf("second response: %d", r.Status)
	}
	if r := e.do("PUT", base+"/responses/mine", resident, strings.NewReader(`{"answers":{"q1":"Tak","q3":9}}`)); r.Status != 400 {
		t.Fatalf("bad change: %d", r.Status)
	}
	if r := e.do("PUT", base+"/responses/mine", resident, strings.NewReader(`{"answers":{"q1":"Nie","q2":["C"]}}`)); r.Status != 200 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := e.do("GET", base+"/responses/mine", resident, nil); !strings.Contains(r.Body, `"Nie"`) || strings.Contains(r.Body, `"q3"`) {
		t.Fatalf("mine: %s", r.Body)
	}

	// Results: not public while it runs, the officer sees them.
	if r := e.do("GET", base+"/results", resident, nil); r.Status != 403 {
		t.Fatalf("results while open: %d", r.Status)
	}
	if r := e.do("GET", base+"/results", officer, nil); r.Status != 200 {
		t.Fatalf("officer results: %d", r.Status)
	}
	r = e.do("POST", base+"/remarks", resident, strings.NewReader(`{"section":"§ 1","body":"Ścieżka powinna być szersza."}`))
	if r.Status != 201 {
		t.Fatalf("remark: %d %s", r.Status, r.Body)
	}
	rid := int(r.json(t)["id"].(float64))
	if r := e.do("POST", base+"/close", officer, nil); r.Status != 409 {
		t.Fatalf("close with an unanswered remark: %d", r.Status)
	}
	if r := e.do("PUT", fmt.Sprintf("%s/remarks/%d/answer", base, rid), officer, strings.NewReader(`{"verdict":"maybe"}`)); r.Status != 400 {
		t.Fatalf("bad verdict: %d", r.Status)
	}
	if r := e.do("PUT", fmt.Sprintf("%s/remarks/%d/answer", base, rid), officer, strings.NewReader(`{"verdict":"accepted","justification":"Poszerzono do 3 m."}`)); r.Status != 200 {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	if r := e.do("POST", base+"/close", officer, nil); r.Status != 200 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	var res struct {
		Responses int `json:"responses"`
		Questions []struct {
			ID      string `json:"id"`
			Options []struct {
				Label string `json:"label"`
				Count int    `json:"count"`
			} `json:"options"`
		} `json:"questions"`
	}
	r = e.do("GET", base+"/results", "", nil)
	if err := jsonUnmarshal(r.Body, &res); err != nil || r.Status != 200 {
		t.Fatalf("public results: %d %s", r.Status, r.Body)
	}
	if res.Responses != 1 || res.Questions[0].ID != "q1" || res.Questions[0].Options[1].Label != "Nie" || res.Questions[0].Options[1].Count != 1 {
		t.Fatalf("results: %+v", res)
	}
	if r := e.do("PUT", base+"/responses/mine", resident, strings.NewReader(`{"answers":{"q1":"Tak"}}`)); r.Status != 409 {
		t.Fatalf("change after close: %d", r.Status)
	}
}

// A resident answers the survey from the page, without JavaScript: errors
// come back next to the question, a good response is kept and can be
// changed; a text answer and a remark carrying HTML show as text on the
// results, the report and in BIP.
func TestConsultationPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	anon := e.browser()
	list := anon.get("/konsultacje")
	if list.Status != 200 || !strings.Contains(list.Body, "Rewitalizacja parku przy ul. Lipowej") || !strings.Contains(list.Body, "regulaminu utrzymania czystości") {
		t.Fatalf("list: %d", list.Status)
	}
	closed := anon.get("/konsultacje/1/raport")
	if closed.Status != 200 || !strings.Contains(closed.Body, "Harmonogram zmieniono zgodnie z uwagą.") || !strings.Contains(closed.Body, `role="img"`) ||
		!strings.Contains(closed.Body, "<strong>Uwzględniona.</strong> Harmonogram") || !strings.Contains(closed.Body, "<strong>Nieuwzględniona.</strong>") {
		t.Fatalf("demo report: %d", closed.Status)
	}
	if r := anon.get("/konsultacje/1/wyniki.csv"); r.Status != 200 || !strings.HasPrefix(r.Body, "question,") || !strings.Contains(r.Body, "q1,Czy popierasz projekt regulaminu?,,Tak,") {
		t.Fatalf("csv: %d %s", r.Status, r.Body)
	}
	if r := anon.get("/konsultacje/2/wyniki"); r.Status != 403 {
		t.Fatalf("results of an open consultation: %d", r.Status)
	}
	if r := anon.post("/konsultacje/2/ankieta", url.Values{"q1": {"Tak"}}); r.Status != 401 {
		t.Fatalf("anonymous response: %d", r.Status)
	}
	if r := anon.get("/konsultacje/2/ankieta"); !strings.Contains(r.Body, `href="/login?next=/konsultacje/2/ankieta"`) || strings.Contains(r.Body, `name="q1"`) {
		t.Fatal("the survey does not ask a visitor to sign in first")
	}

	b := e.browser()
	b.login(residentMail, "demo-mieszkaniec-2026")
	survey := b.get("/konsultacje/2/ankieta")
	if survey.Status != 200 || !strings.Contains(survey.Body, `<legend><span class="qn">1.</span> Czy korzystasz z parku?`) || !strings.Contains(survey.Body, `id="q2-hint"`) {
		t.Fatalf("survey: %d", survey.Status)
	}
	before := e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = 2")
	// Too many choices: the form comes back with the error beside q3 and
	// what was typed kept.
	xss := `<script>alert("x")</script>`
	form := url.Values{"q1": {"Tak"}, "q2": {"4"}, "q3": {"Plac zabaw", "Oświetlenie", "Ławki", "Zieleń"}, "q4.0": {"1"}, "q4.1": {"2"}, "q4.2": {"3"},
		"q5.1": {"dobrze"}, "q6": {xss}}
	r := b.post("/konsultacje/2/ankieta", form)
	if r.Status != 400 || !strings.Contains(r.Body, `id="q3-error"`) || !strings.Contains(r.Body, `<li><a href="#q3">3. Co jest dla ciebie najważniejsze?</a>: Wybierz najwyżej 3.</li>`) || !regexp.MustCompile(`<fieldset class="field" id="q3" aria-describedby="q3-hint q3-error"`).MatchString(r.Body) ||
		!strings.Contains(r.Body, "&lt;script&gt;alert") || strings.Contains(r.Body, xss) {
		t.Fatalf("too many choices: %d\n%s", r.Status, r.Body)
	}
	// Everything wrong is said at once: a required question left out and a
	// ranking with one place twice, each in the summary and beside it.
	both := url.Values{"q1": {"Tak"}, "q2": {"4"}, "q4.0": {"1"}, "q4.1": {"1"}}
	if r := b.post("/konsultacje/2/ankieta", both); r.Status != 400 || !strings.Contains(r.Body, `id="q3-error"`) || !strings.Contains(r.Body, `id="q4-error"`) ||
		!strings.Contains(r.Body, `<a href="#q3">`) || !strings.Contains(r.Body, `<a href="#q4">`) {
		t.Fatalf("not every error shown at once: %d\n%s", r.Status, r.Body)
	}
	// Two options in one place of the ranking.
	form["q3"] = []string{"Zieleń"}
	form["q4.1"] = []string{"1"}
	if r := b.post("/konsultacje/2/ankieta", form); r.Status != 400 || !strings.Contains(r.Body, `id="q4-error"`) {
		t.Fatalf("ranking: %d", r.Status)
	}
	if e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = 2") != before {
		t.Fatal("a refused response was stored")
	}
	form["q4.1"] = []string{"2"}
	if r := b.post("/konsultacje/2/ankieta", form); r.Status != http.StatusSeeOther {
		t.Fatalf("respond: %d %s", r.Status, r.Body)
	}
	if page := b.get("/konsultacje/2"); !strings.Contains(page.Body, "Twoja odpowiedź jest zapisana") || !strings.Contains(page.Body, "Zmień swoją odpowiedź") {
		t.Fatal("the page does not say the response is saved")
	}
	// The survey shows the saved answers; changing it keeps one response.
	again := b.get("/konsultacje/2/ankieta")
	if !strings.Contains(again.Body, `value="Zieleń" checked`) || !strings.Contains(again.Body, "&lt;script&gt;") {
		t.Fatal("saved answers not shown")
	}
	form["q1"] = []string{"Nie"}
	if r := b.post("/konsultacje/2/ankieta", form); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d", r.Status)
	}
	if n := e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = 2"); n != before+1 {
		t.Fatalf("%d responses, want %d", n, before+1)
	}
	// A remark: an empty one comes back with the error beside the field.
	if r := b.post("/konsultacje/2/uwagi", url.Values{"section": {"§ 2"}, "body": {" "}}); r.Status != 400 || !strings.Contains(r.Body, `id="body-error"`) || !strings.Contains(r.Body, `value="§ 2"`) {
		t.Fatalf("empty remark: %d", r.Status)
	}
	if r := b.post("/konsultacje/2/uwagi", url.Values{"section": {"§ 2"}, "body": {xss}}); r.Status != http.StatusSeeOther {
		t.Fatalf("remark: %d", r.Status)
	}

	// The officer moderates, answers every remark and closes.
	o := e.browser()
	o.login(officerEmail, "demo-konsultacje-2026")
	if r := b.get("/konsultacje/2/edycja"); r.Status != 403 {
		t.Fatalf("resident on the office page: %d", r.Status)
	}
	edit := o.get("/konsultacje/2/edycja")
	if edit.Status != 200 || strings.Contains(edit.Body, xss) {
		t.Fatalf("edit page: %d", edit.Status)
	}
	// Live results, if the officer chooses, while it runs.
	if r := o.post("/konsultacje/2/wyniki-na-zywo", url.Values{"live": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("live results: %d", r.Status)
	}
	if r := anon.get("/konsultacje/2/wyniki"); r.Status != 200 || !strings.Contains(r.Body, "wyniki są wstępne") {
		t.Fatalf("live results page: %d", r.Status)
	}
	if r := o.post("/konsultacje/2/zamknij", nil); r.Status != 409 || !strings.Contains(r.Body, "Odpowiedz najpierw na każdą uwagę") {
		t.Fatalf("close with unanswered remarks: %d", r.Status)
	}
	var mine int64
	if err := e.Pool.QueryRow(context.Background(), "SELECT id FROM consultation_responses WHERE consultation_id = 2 AND answers->>'q6' LIKE '<script%'").Scan(&mine); err != nil {
		t.Fatal(err)
	}
	if r := o.post("/konsultacje/2/moderacja", url.Values{"response": {fmt.Sprint(mine)}, "question": {"q6"}, "visible": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("moderate: %d", r.Status)
	}
	rows, _ := e.Pool.Query(context.Background(), "SELECT id FROM consultation_remarks WHERE consultation_id = 2 ORDER BY id")
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if r := o.post(fmt.Sprintf("/konsultacje/2/uwagi/%d/odpowiedz", ids[0]), url.Values{"verdict": {"rejected"}, "justification": {""}}); r.Status != 400 ||
		!strings.Contains(r.Body, fmt.Sprintf(`id="justification-%d-error"`, ids[0])) {
		t.Fatalf("rejected without a reason: %d", r.Status)
	}
	for _, id := range ids {
		if r := o.post(fmt.Sprintf("/konsultacje/2/uwagi/%d/odpowiedz", id), url.Values{"verdict": {"partly"}, "justification": {"Częściowo uwzględniono."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("answer: %d", r.Status)
		}
	}
	if r := o.post("/konsultacje/2/zamknij", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	for _, path := range []string{"/konsultacje/2/wyniki", "/konsultacje/2/raport", "/konsultacje/2"} {
		r := anon.get(path)
		if r.Status != 200 || strings.Contains(r.Body, xss) {
			t.Fatalf("%s: %d or HTML interpreted", path, r.Status)
		}
		if path != "/konsultacje/2" && !strings.Contains(r.Body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Fatalf("%s does not show the text answer or remark as text", path)
		}
	}
	var pub int64
	if err := e.Pool.QueryRow(context.Background(), "SELECT report_publication_id FROM consultations WHERE id = 2").Scan(&pub); err != nil {
		t.Fatal(err)
	}
	bipPage := anon.get(fmt.Sprintf("/bip/publikacje/%d", pub))
	if bipPage.Status != 200 || strings.Contains(bipPage.Body, "<script>alert") || !strings.Contains(bipPage.Body, "&lt;script&gt;") || !strings.Contains(bipPage.Body, "Raport z konsultacji") {
		t.Fatalf("report in BIP: %d", bipPage.Status)
	}
}

// A consultation open to anyone takes one response per browser, without an
// account, and says it is not binding.
func TestConsultationOpenToAnyone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	officer := e.token(officerEmail)
	now := time.Now()
	r := e.do("POST", "/api/v1/consultations", officer, strings.NewReader(fmt.Sprintf(`{"title":"Nazwa nowego skweru","starts_at":%q,"ends_at":%q,"eligibility":"open",
		"questions":[{"type":"single","text":"Która nazwa?","options":["Skwer Lipowy","Skwer Pamięci"],"required":true}]}`, now.Add(-time.Minute).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339))))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	id := int(r.json(t)["id"].(float64))
	e.do("POST", fmt.Sprintf("/api/v1/consultations/%d/open", id), officer, nil)
	path := fmt.Sprintf("/konsultacje/%d/ankieta", id)
	first, second := e.browser(), e.browser()
	page := first.get(path)
	if !strings.Contains(page.Body, "niewiążący") {
		t.Fatal("not labelled non-binding")
	}
	for _, b := range []*browser{first, second} {
		if r := b.post(path, url.Values{"q1": {"Skwer Lipowy"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("respond: %d %s", r.Status, r.Body)
		}
	}
	// The same browser again changes its response instead of adding one.
	if r := first.post(path, url.Values{"q1": {"Skwer Pamięci"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d", r.Status)
	}
	if n := e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = $1 AND user_id IS NULL AND length(browser_hash) = 32", id); n != 2 {
		t.Fatalf("%d responses, want 2", n)
	}
}

// The officer prepares a consultation from the pages: the details form
// shows errors beside the fields, questions are added one at a time, a
// document is uploaded, and opening publishes the announcement in BIP.
func TestConsultationOffice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	o := e.browser()
	o.login(officerEmail, "demo-konsultacje-2026")
	if r := e.browser().get("/konsultacje/nowa"); r.Status != 401 {
		t.Fatalf("anonymous: %d", r.Status)
	}
	form := url.Values{"title": {"Program współpracy z organizacjami pozarządowymi"}, "description": {"Projekt programu na 2027 r."}, "eligibility": {"verified"},
		"starts_date": {time.Now().Format("2006-01-02")}, "starts_time": {"00:00"}, "ends_date": {"2020-01-01"}, "ends_time": {"12:00"}}
	r := o.post("/konsultacje/nowa", form)
	if r.Status != 400 || !strings.Contains(r.Body, `id="ends_date-error"`) || !strings.Contains(r.Body, `value="Program współpracy z organizacjami pozarządowymi"`) {
		t.Fatalf("ends before start: %d", r.Status)
	}
	form.Set("ends_date", time.Now().AddDate(0, 0, 14).Format("2006-01-02"))
	r = o.post("/konsultacje/nowa", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	edit := r.Header.Get("Location")
	base := strings.TrimSuffix(strings.Split(edit, "?")[0], "/edycja")
	// A draft is not public.
	if r := e.browser().get(base); r.Status != 404 {
		t.Fatalf("draft seen by the public: %d", r.Status)
	}
	if r := o.post(base+"/pytania", url.Values{"q_type": {"single"}, "q_text": {"Czy popierasz program?"}, "q_options": {"Tak"}}); r.Status != 400 || !strings.Contains(r.Body, `id="q_options-error"`) {
		t.Fatalf("one option: %d", r.Status)
	}
	if r := o.post(base+"/pytania", url.Values{"q_type": {"single"}, "q_text": {"Czy popierasz program?"}, "q_options": {"Tak\r\nNie"}, "q_required": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("question: %d %s", r.Status, r.Body)
	}
	if r := o.post(base+"/pytania", url.Values{"q_type": {"longtext"}, "q_text": {"Dlaczego nie?"}, "q_show_if": {"q1"}, "q_equals": {"Może"}}); r.Status != 400 || !strings.Contains(r.Body, `id="q_equals-error"`) {
		t.Fatalf("bad condition: %d", r.Status)
	}
	if r := o.post(base+"/pytania", url.Values{"q_type": {"longtext"}, "q_text": {"Dlaczego nie?"}, "q_show_if": {"q1"}, "q_equals": {"Nie"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("conditional question: %d", r.Status)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "program.pdf")
	fw.Write([]byte("%PDF-1.4\n1 0 obj\n%%EOF\n"))
	w.Close()
	if r := o.multipart(base+"/dokumenty", w.FormDataContentType(), &buf); r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	page := o.get(edit)
	if !strings.Contains(page.Body, "program.pdf") || !strings.Contains(page.Body, "Dlaczego nie?") || !strings.Contains(page.Body, "pokazywane, gdy q1 = „Nie”") {
		t.Fatal("the edit page lacks the document or the question")
	}
	if r := o.post(base+"/otworz", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	var pub int64
	if err := e.Pool.QueryRow(context.Background(), "SELECT announcement_publication_id FROM consultations WHERE title LIKE 'Program współpracy%'").Scan(&pub); err != nil {
		t.Fatal(err)
	}
	ann := e.browser().get(fmt.Sprintf("/bip/publikacje/%d", pub))
	if !strings.Contains(ann.Body, "Konsultacje społeczne: Program współpracy") || !strings.Contains(ann.Body, "program.pdf") {
		t.Fatalf("announcement: %d", ann.Status)
	}
	// Once open, questions cannot change; a verified-only survey refuses
	// a resident who is not verified.
	if r := o.post(base+"/pytania", url.Values{"q_type": {"text"}, "q_text": {"Nowe"}}); r.Status != 409 {
		t.Fatalf("question after opening: %d", r.Status)
	}
	b := e.browser()
	b.login(residentMail, "demo-mieszkaniec-2026")
	if r := b.post(base+"/ankieta", url.Values{"q1": {"Tak"}}); r.Status != 403 {
		t.Fatalf("unverified resident: %d", r.Status)
	}
	if r := b.get(base + "/ankieta"); !strings.Contains(r.Body, "tylko mieszkańcy o potwierdzonej tożsamości") || strings.Contains(r.Body, `name="q1"`) {
		t.Fatal("the survey does not tell an unverified resident why they cannot answer")
	}
}

// Fifty residents answering at the same moment through the API are all
// stored, once each; each one's second, simultaneous attempt is refused.
func TestConsultationConcurrentResponders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	const n = 50
	tokens := make([]string, n)
	for i := range tokens {
		email := fmt.Sprintf("mieszkaniec%d@example.pl", i)
		if _, err := e.Pool.Exec(context.Background(), "INSERT INTO users (email, name, roles) VALUES ($1, $2, '{resident}')", email, fmt.Sprintf("Mieszkaniec %d", i)); err != nil {
			t.Fatal(err)
		}
		tokens[i] = e.token(email)
	}
	before := e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = 2")
	statuses := make(chan int, 2*n)
	var wg sync.WaitGroup
	for i := range tokens {
		for range 2 {
			wg.Go(func() {
				req, _ := http.NewRequest("POST", e.URL+"/api/v1/consultations/2/responses", strings.NewReader(`{"answers":{"q1":"Tak","q3":["Zieleń"]}}`))
				req.Header.Set("Authorization", "Bearer "+tokens[i])
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			})
		}
	}
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	if got[201] != n || got[409] != n {
		t.Fatalf("statuses: %v", got)
	}
	if after := e.count(t, "SELECT count(*) FROM consultation_responses WHERE consultation_id = 2"); after != before+n {
		t.Fatalf("%d responses stored, want %d", after-before, n)
	}
}

// Past the limit of remarks, the form comes back with the message beside
// the remark and the text still in it, and nothing is stored.
func TestRemarkLimitShownOnTheForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var id int64
	e.Pool.QueryRow(context.Background(), "SELECT id FROM consultations WHERE state = 'open' ORDER BY id LIMIT 1").Scan(&id)
	e.Pool.Exec(context.Background(), `INSERT INTO consultation_remarks (consultation_id, body, user_id)
		SELECT $1, 'uwaga ' || g, (SELECT id FROM users WHERE email = $2) FROM generate_series(1, 20) g`, id, residentMail)
	before := e.count(t, "SELECT count(*) FROM consultation_remarks")
	b := e.browser()
	b.login(residentMail, "demo-mieszkaniec-2026")
	r := b.post(fmt.Sprintf("/konsultacje/%d/uwagi", id), url.Values{"body": {"Dwudziesta pierwsza uwaga"}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, `id="body-error"`) || !strings.Contains(r.Body, "najwyżej 20 uwag") || !strings.Contains(r.Body, "Dwudziesta pierwsza uwaga") {
		t.Fatalf("over the limit: %d\n%s", r.Status, r.Body)
	}
	if n := e.count(t, "SELECT count(*) FROM consultation_remarks"); n != before {
		t.Fatalf("%d remarks, want %d", n, before)
	}
}
