package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz/council"
)

const oparlVoteEventType = "https://github.com/ratusz/ratusz/blob/main/docs/OPARL.md#voteevent"

// oparlEnv is the demo site with a paper, a file and a place added, so
// that every OParl list has something in it.
type oparlEnv struct {
	*env
	body int64 // the demo council
}

func newOParlEnv(t *testing.T) *oparlEnv {
	t.Helper()
	e := &oparlEnv{env: newEnv(t, nil)}
	ctx := context.Background()
	if err := e.Pool.QueryRow(ctx, "SELECT id FROM council_bodies WHERE kind = 'council' ORDER BY id LIMIT 1").Scan(&e.body); err != nil {
		t.Fatal(err)
	}
	var item int64
	if err := e.Pool.QueryRow(ctx, `SELECT a.id FROM agenda_items a JOIN council_sessions s ON s.id = a.session_id
		WHERE s.body_id = $1 AND s.number = 12 ORDER BY a.position DESC LIMIT 1`, e.body).Scan(&item); err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.4 projekt")
	sum := sha256.Sum256(data)
	for _, sql := range []struct {
		q    string
		args []any
	}{
		{`UPDATE council_sessions SET place = 'Sala sesyjna, ul. Rynek 1' WHERE body_id = $1 AND place = ''`, []any{e.body}},
		{`INSERT INTO council_papers (body_id, reference) VALUES ($1, 'DS-99/26') ON CONFLICT DO NOTHING`, []any{e.body}},
		{`INSERT INTO agenda_item_papers (agenda_item_id, paper_id) SELECT $1, id FROM council_papers WHERE body_id = $2 AND reference = 'DS-99/26'`, []any{item, e.body}},
		{`INSERT INTO agenda_files (agenda_item_id, name, content_type, size, sha256, data) VALUES ($1, 'projekt uchwały.pdf', 'application/pdf', $2, $3, $4)`,
			[]any{item, len(data), sum[:], data}},
		{`INSERT INTO council_terms (body_id, name, starts_on) SELECT $1, 'IX kadencja', '2024-05-07' WHERE NOT EXISTS (SELECT 1 FROM council_terms WHERE body_id = $1)`, []any{e.body}},
	} {
		if _, err := e.Pool.Exec(ctx, sql.q, sql.args...); err != nil {
			t.Fatalf("%s: %v", sql.q, err)
		}
	}
	return e
}

// get fetches an OParl URL (absolute or a path) and checks what every
// answer must have.
func (e *oparlEnv) get(t *testing.T, u string, status int) (map[string]any, response) {
	t.Helper()
	r := e.do("GET", strings.TrimPrefix(u, e.URL), "", nil)
	if r.Status != status {
		t.Fatalf("GET %s: %d, want %d\n%s", u, r.Status, status, r.Body)
	}
	if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: headers %v", u, r.Header)
	}
	return r.json(t), r
}

func (e *oparlEnv) bodyURL() string { return fmt.Sprintf("%s/oparl/v1/body/%d", e.URL, e.body) }

// all follows a list's next links to its end.
func (e *oparlEnv) all(t *testing.T, u string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for pages := 0; u != ""; pages++ {
		if pages > 1000 {
			t.Fatalf("%s: the next links do not end", u)
		}
		page, _ := e.get(t, u, 200)
		for _, v := range page["data"].([]any) {
			out = append(out, v.(map[string]any))
		}
		u, _ = page["links"].(map[string]any)["next"].(string)
	}
	return out
}

// From the system object every link leads somewhere: the body, each of its
// lists, every object in them, and every object those point to, each
// served at its id with the type it was listed with. No answer carries a
// councillor's e-mail address.
func TestOParlCrawl(t *testing.T) {
	t.Parallel()
	e := newOParlEnv(t)
	system, _ := e.get(t, "/oparl/v1/system", 200)
	if system["type"] != "https://schema.oparl.org/1.1/System" || system["oparlVersion"] != "https://schema.oparl.org/1.1/" ||
		system["id"] != e.URL+"/oparl/v1/system" {
		t.Fatalf("system %v", system)
	}
	for _, p := range []string{"/oparl/v1", "/oparl/v1/"} {
		if r := e.do("GET", p, "", nil); r.Status != 200 || !strings.Contains(r.Body, `"oparlVersion"`) {
			t.Errorf("%s does not lead to the system: %d", p, r.Status)
		}
	}
	bodies, _ := e.get(t, system["body"].(string), 200)
	data := bodies["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["name"] != "Rada Gminy Przykładowo" || data[0].(map[string]any)["id"] != e.bodyURL() {
		t.Fatalf("bodies %v", bodies)
	}
	body, _ := e.get(t, e.bodyURL(), 200)
	if body["type"] != "https://schema.oparl.org/1.1/Body" || len(body["legislativeTerm"].([]any)) == 0 {
		t.Fatalf("body %v", body)
	}

	lists := map[string]string{
		"organization": "Organization", "person": "Person", "meeting": "Meeting", "paper": "Paper",
		"agendaItem": "AgendaItem", "file": "File", "locationList": "Location", "legislativeTermList": "LegislativeTerm",
		"membership": "Membership", "ratusz:voteEvent": "",
	}
	files, _ := e.get(t, body["file"].(string), 200)
	file := files["data"].([]any)[0].(map[string]any)
	if r := e.do("GET", strings.TrimPrefix(file["accessUrl"].(string), e.URL), "", nil); r.Status != 200 ||
		fmt.Sprintf("%x", sha256.Sum256([]byte(r.Body))) != file["ratusz:sha256Checksum"] {
		t.Fatalf("the file at %s: %d, or not the one described: %v", file["accessUrl"], r.Status, file)
	}
	for key, typ := range lists {
		want := "https://schema.oparl.org/1.1/" + typ
		if typ == "" {
			want = oparlVoteEventType
		}
		u, ok := body[key].(string)
		if !ok {
			t.Fatalf("body has no list %s", key)
		}
		page, _ := e.get(t, u, 200)
		items := page["data"].([]any)
		if len(items) == 0 {
			t.Errorf("list %s is empty", key)
		}
		for _, it := range items {
			if it.(map[string]any)["type"] != want {
				t.Errorf("list %s holds %v", key, it.(map[string]any)["type"])
			}
		}
	}

	// Every URL of the interface in any answer, followed once.
	typeOf := map[string]string{} // object id → type it was seen with
	seen := map[string]bool{}
	queue := []string{e.URL + "/oparl/v1/system"}
	var answers []string
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		v, r := e.get(t, u, 200)
		answers = append(answers, r.Body)
		if id, ok := v["id"].(string); ok && id != u {
			t.Errorf("GET %s answers the object %s", u, id)
		}
		var walk func(x any)
		walk = func(x any) {
			switch x := x.(type) {
			case map[string]any:
				if id, ok := x["id"].(string); ok {
					if typ, ok := x["type"].(string); ok {
						if old, ok := typeOf[id]; ok && old != typ {
							t.Errorf("%s is both %s and %s", id, old, typ)
						}
						typeOf[id] = typ
					}
				}
				for k, v := range x {
					if strings.EqualFold(k, "email") {
						t.Errorf("%s has an e-mail field", u)
					}
					walk(v)
				}
			case []any:
				for _, v := range x {
					walk(v)
				}
			case string:
				if strings.HasPrefix(x, e.URL+"/oparl/v1/") {
					queue = append(queue, x)
				}
			}
		}
		walk(v)
	}
	t.Logf("crawled %d URLs", len(seen))
	if len(seen) < 50 {
		t.Fatalf("crawled only %d URLs", len(seen))
	}
	for id, typ := range typeOf {
		if !seen[id] {
			t.Errorf("%s (%s) was never fetched", id, typ)
		}
	}

	rows, err := e.Pool.Query(context.Background(), "SELECT email FROM councillors WHERE email IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for rows.Next() {
		var m string
		rows.Scan(&m)
		emails = append(emails, m)
	}
	rows.Close()
	if len(emails) == 0 {
		t.Fatal("the demo councillors have no e-mail addresses to look for")
	}
	for _, a := range answers {
		for _, m := range emails {
			if strings.Contains(strings.ToLower(a), strings.ToLower(m)) {
				t.Fatalf("an answer holds %s", m)
			}
		}
	}
}

// Pages follow one another through next and back through prev, each
// element once, with the filters and the page size carried along.
func TestOParlPagination(t *testing.T) {
	t.Parallel()
	e := newOParlEnv(t)
	var people int
	if err := e.Pool.QueryRow(context.Background(), "SELECT count(*) FROM councillors WHERE body_id = $1", e.body).Scan(&people); err != nil {
		t.Fatal(err)
	}
	first, _ := e.get(t, e.bodyURL()+"/person?limit=2&created_since=2000-01-01T00:00:00Z", 200)
	p := first["pagination"].(map[string]any)
	if p["totalElements"] != float64(people) || p["elementsPerPage"] != 2.0 || p["currentPage"] != 1.0 || p["totalPages"] != float64((people+1)/2) {
		t.Fatalf("pagination %v, %d people", p, people)
	}
	links := first["links"].(map[string]any)
	if links["prev"] != nil || !strings.Contains(links["next"].(string), "created_since=") || !strings.Contains(links["next"].(string), "limit=2") {
		t.Fatalf("links %v", links)
	}
	ids := map[string]int{}
	var order []string
	u := first["links"].(map[string]any)["self"].(string)
	for n := 1; u != ""; n++ {
		page, _ := e.get(t, u, 200)
		if page["pagination"].(map[string]any)["currentPage"] != float64(n) {
			t.Fatalf("page %d says it is %v", n, page["pagination"])
		}
		if n > 1 && page["links"].(map[string]any)["prev"] == nil {
			t.Fatalf("page %d has no prev", n)
		}
		for _, v := range page["data"].([]any) {
			id := v.(map[string]any)["id"].(string)
			ids[id]++
			order = append(order, id)
		}
		u, _ = page["links"].(map[string]any)["next"].(string)
	}
	if len(ids) != people || len(order) != people {
		t.Fatalf("visited %d people (%d distinct), want %d", len(order), len(ids), people)
	}
	// The same order in one page: stable.
	one, _ := e.get(t, e.bodyURL()+"/person?elementsPerPage=500", 200)
	for i, v := range one["data"].([]any) {
		if v.(map[string]any)["id"] != order[i] {
			t.Fatalf("element %d differs between paged and whole list", i)
		}
	}
	if big, _ := e.get(t, e.bodyURL()+"/voteEvent?limit=100000", 200); big["pagination"].(map[string]any)["elementsPerPage"] != 500.0 {
		t.Fatalf("page size not capped: %v", big["pagination"])
	}
	past, _ := e.get(t, e.bodyURL()+"/person?limit=2&page=99", 200)
	if len(past["data"].([]any)) != 0 || past["links"].(map[string]any)["next"] != nil {
		t.Fatalf("past the end: %v", past)
	}
}

// The created and modified filters; what a wrong value gets.
func TestOParlFilters(t *testing.T) {
	t.Parallel()
	e := newOParlEnv(t)
	ctx := context.Background()
	for _, q := range []string{"modified_since=2999-01-01T00:00:00Z", "created_until=2000-01-01", "created_since=2999-01-01T00:00:00%2B01:00"} {
		page, r := e.get(t, e.bodyURL()+"/person?"+q, 200)
		if page["pagination"].(map[string]any)["totalElements"] != 0.0 || !strings.Contains(r.Body, `"data": []`) {
			t.Fatalf("%s: %s", q, r.Body)
		}
	}
	// An unencoded "+" in the offset arrives as a space; it is still read.
	if page, _ := e.get(t, e.bodyURL()+"/meeting?created_since=2000-01-01T00:00:00+01:00", 200); page["pagination"].(map[string]any)["totalElements"] == 0.0 {
		t.Fatal("unencoded + in a filter")
	}

	var before time.Time
	var id int64
	if err := e.Pool.QueryRow(ctx, "SELECT clock_timestamp(), min(id) FROM councillors WHERE body_id = $1", e.body).Scan(&before, &id); err != nil {
		t.Fatal(err)
	}
	since := url.QueryEscape(before.UTC().Format(time.RFC3339Nano))
	if page, _ := e.get(t, e.bodyURL()+"/person?modified_since="+since, 200); page["pagination"].(map[string]any)["totalElements"] != 0.0 {
		t.Fatalf("changed before anything changed: %v", page["data"])
	}
	if _, err := e.Pool.Exec(ctx, "UPDATE councillors SET name = name || ' ' WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	page, _ := e.get(t, e.bodyURL()+"/person?modified_since="+since, 200)
	data := page["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["id"] != fmt.Sprintf("%s/oparl/v1/person/%d", e.URL, id) {
		t.Fatalf("modified since: %v", data)
	}
	if page, _ := e.get(t, e.bodyURL()+"/person?modified_until="+since, 200); page["pagination"].(map[string]any)["totalElements"] == 0.0 {
		t.Fatal("modified_until left nothing")
	}

	for _, c := range []struct{ query, field string }{
		{"modified_since=wczoraj", "modified_since"},
		{"created_since=2026-13-45", "created_since"},
		{"created_until=1700000000", "created_until"},
		{"page=0", "page"},
		{"limit=abc", "limit"},
		{"elementsPerPage=-3", "elementsPerPage"},
	} {
		r := e.do("GET", "/oparl/v1/body/"+fmt.Sprint(e.body)+"/meeting?"+c.query, "", nil)
		if code, field, _ := r.apiError(t); r.Status != 400 || code != "invalid" || field != c.field {
			t.Errorf("%s: %d %s", c.query, r.Status, r.Body)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: an error without CORS", c.query)
		}
	}
}

// Vote events: the counts are the vote's, the named list names every
// councillor of the body once and adds up to the counts; a secret vote has
// counts only; a vote not closed is not published.
func TestOParlVoteEvents(t *testing.T) {
	t.Parallel()
	e := newOParlEnv(t)
	ctx := context.Background()
	var closed, councillors int
	if err := e.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM votes v JOIN council_sessions s ON s.id = v.session_id WHERE s.body_id = $1 AND v.state = 'closed'),
		(SELECT count(*) FROM councillors WHERE body_id = $1 AND active)`, e.body).Scan(&closed, &councillors); err != nil {
		t.Fatal(err)
	}
	events := e.all(t, e.bodyURL()+"/voteEvent?limit=2")
	if len(events) != closed || closed < 3 {
		t.Fatalf("%d vote events, %d closed votes", len(events), closed)
	}
	options := map[string]string{"yes": "for", "no": "against", "abstain": "abstain", "not voting": "not_voting", "absent": "absent"}
	for _, ev := range events {
		var id int64
		fmt.Sscanf(ev["id"].(string), e.URL+"/oparl/v1/voteEvent/%d", &id)
		var c council.Counts
		var outcome string
		if err := e.Pool.QueryRow(ctx, `SELECT count_for, count_against, count_abstain, count_not_voting, count_absent, outcome FROM votes WHERE id = $1`, id).
			Scan(&c.For, &c.Against, &c.Abstain, &c.NotVoting, &c.Absent, &outcome); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"for": c.For, "against": c.Against, "abstain": c.Abstain, "not_voting": c.NotVoting, "absent": c.Absent}
		got := map[string]int{}
		for _, x := range ev["counts"].([]any) {
			got[options[x.(map[string]any)["option"].(string)]] = int(x.(map[string]any)["value"].(float64))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("vote %d: counts %v, want %v", id, got, want)
		}
		if ev["type"] != oparlVoteEventType || ev["result"] != map[string]string{"adopted": "pass", "rejected": "fail"}[outcome] {
			t.Errorf("vote %d: type %v result %v (%s)", id, ev["type"], ev["result"], outcome)
		}
		tally, voters := map[string]int{}, map[string]int{}
		for _, x := range ev["votes"].([]any) {
			v := x.(map[string]any)
			voters[v["voter"].(string)]++
			tally[options[v["option"].(string)]]++
			if v["group"] == nil || v["voterName"] == "" {
				t.Errorf("vote %d: entry without club or name %v", id, v)
			}
		}
		if len(voters) != councillors || len(ev["votes"].([]any)) != councillors {
			t.Errorf("vote %d: %d entries for %d voters, %d councillors", id, len(ev["votes"].([]any)), len(voters), councillors)
		}
		for k, n := range want {
			if tally[k] != n {
				t.Errorf("vote %d: the named list has %d %s, the counts %d", id, tally[k], k, n)
			}
		}
		// The event, standalone, is the listed one; its agenda item points to it.
		one, _ := e.get(t, ev["id"].(string), 200)
		a, _ := json.Marshal(one)
		b, _ := json.Marshal(ev)
		if string(a) != string(b) {
			t.Errorf("vote %d: standalone and listed differ", id)
		}
		item, _ := e.get(t, ev["agendaItem"].(string), 200)
		if !strings.Contains(fmt.Sprint(item["ratusz:voteEvent"]), ev["id"].(string)) {
			t.Errorf("vote %d: its agenda item does not link it: %v", id, item["ratusz:voteEvent"])
		}
	}

	var draft int64
	if err := e.Pool.QueryRow(ctx, `INSERT INTO votes (session_id, agenda_item_id, subject, majority)
		SELECT a.session_id, a.id, 'Głosowanie przygotowane', 'simple' FROM agenda_items a JOIN council_sessions s ON s.id = a.session_id
		WHERE s.body_id = $1 AND s.state = 'planned' ORDER BY a.id LIMIT 1 RETURNING id`, e.body).Scan(&draft); err != nil {
		t.Fatal(err)
	}
	e.get(t, fmt.Sprintf("/oparl/v1/voteEvent/%d", draft), 404)
	if page, _ := e.get(t, e.bodyURL()+"/voteEvent", 200); page["pagination"].(map[string]any)["totalElements"] != float64(closed) {
		t.Fatal("a draft vote is listed")
	}

	secret := events[0]["id"].(string)
	if _, err := e.Pool.Exec(ctx, "UPDATE votes SET mode = 'secret' WHERE id = (SELECT min(id) FROM votes WHERE state = 'closed')"); err != nil {
		t.Fatal(err)
	}
	ev, _ := e.get(t, secret, 200)
	if _, ok := ev["votes"]; ok || ev["mode"] != "secret" || len(ev["counts"].([]any)) != 5 {
		t.Fatalf("secret vote: %v", ev)
	}
}

func TestOParlErrNotFound(t *testing.T) {
	t.Parallel()
	e := newOParlEnv(t)
	for _, p := range []string{
		"/oparl/v1/person/999999", "/oparl/v1/body/999999", "/oparl/v1/body/999999/person", "/oparl/v1/meeting/abc",
		"/oparl/v1/organization/999999", "/oparl/v1/club/999999", "/oparl/v1/membership/999999", "/oparl/v1/agendaItem/999999",
		"/oparl/v1/paper/999999", "/oparl/v1/file/999999", "/oparl/v1/legislativeTerm/999999", "/oparl/v1/location/999999",
		"/oparl/v1/voteEvent/999999", "/oparl/v1/consultation/1/999999", "/oparl/v1/nonsense",
	} {
		_, r := e.get(t, p, 404)
		if code, _, _ := r.apiError(t); code != "not_found" {
			t.Errorf("%s: %s", p, r.Body)
		}
	}
}

// The Katowice council's 2024–2029 term: 673 vote events, each with its
// named list adding up to its counts, over pages of the largest size.
func TestOParlKatowice(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("..", "..", "shared", "data", "katowice", "kadencja-2024-2029.json"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared data required in CI: %v", err)
		}
		t.Skipf("shared data unavailable: %v", err)
	}
	defer f.Close()
	e := &oparlEnv{env: newEnv(t, nil)}
	rep, err := council.NewService(e.Pool).ImportRadoskop(system, f, "Rada Miasta Katowice", 0)
	if err != nil {
		t.Fatal(err)
	}
	e.body = rep.BodyID
	start := time.Now()
	events := e.all(t, e.bodyURL()+"/voteEvent?limit=500")
	t.Logf("673 vote events with their named lists in two pages: %v", time.Since(start))
	if len(events) != 673 {
		t.Fatalf("%d vote events, want 673", len(events))
	}
	seen := map[string]bool{}
	for _, ev := range events {
		id := ev["id"].(string)
		if seen[id] {
			t.Fatalf("%s twice", id)
		}
		seen[id] = true
		counts := map[string]int{}
		total := 0
		for _, c := range ev["counts"].([]any) {
			n := int(c.(map[string]any)["value"].(float64))
			counts[c.(map[string]any)["option"].(string)] = n
			total += n
		}
		if ev["mode"] == "secret" {
			continue
		}
		named := map[string]int{}
		for _, v := range ev["votes"].([]any) {
			named[v.(map[string]any)["option"].(string)]++
		}
		for k, n := range named {
			if counts[k] != n {
				t.Fatalf("%s: the named list has %d %q, the counts %v", id, n, k, counts)
			}
		}
	}
	people := e.all(t, e.bodyURL()+"/person")
	if len(people) != rep.Councillors {
		t.Fatalf("%d people, imported %d councillors", len(people), rep.Councillors)
	}
	meetings := e.all(t, e.bodyURL()+"/meeting?limit=10")
	if len(meetings) != rep.Sessions {
		t.Fatalf("%d meetings, imported %d sessions", len(meetings), rep.Sessions)
	}
}
