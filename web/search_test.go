package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/extract/extracttest"
)

// searchEnv is the demo, indexed.
func searchEnv(t *testing.T, vars map[string]string) *env {
	t.Helper()
	e := newEnv(t, vars)
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSearchPage(t *testing.T) {
	t.Parallel()
	e := searchEnv(t, nil)
	b := e.browser()

	t.Run("OK", func(t *testing.T) {
		res := b.get("/szukaj?q=" + url.QueryEscape("sesja"))
		if res.Status != 200 || !strings.Contains(res.Body, `role="search"`) || !strings.Contains(res.Body, "/rada/sesje/") || !strings.Contains(res.Body, "<mark>") {
			t.Fatalf("%d\n%s", res.Status, res.Body)
		}
		// Facets are links, so the page narrows without JavaScript.
		if !strings.Contains(res.Body, `href="/szukaj?q=sesja&amp;type=session"`) {
			t.Errorf("no type facet link:\n%s", res.Body)
		}
		narrowed := b.get("/szukaj?q=sesja&typ=session")
		if narrowed.Status != 200 || strings.Contains(narrowed.Body, "/rada/glosowania/") || !strings.Contains(narrowed.Body, `aria-current="true"`) {
			t.Errorf("type filter: %d\n%s", narrowed.Status, narrowed.Body)
		}
	})
	// Chosen facets that match nothing stay listed, to be taken off.
	t.Run("ChosenFacetWithNoResults", func(t *testing.T) {
		res := b.get("/szukaj?q=sesja&status=adopted&kategoria=uchwaly")
		if !strings.Contains(res.Body, "Wyniki: 0<") || !strings.Contains(res.Body, `href="/szukaj?category=uchwaly&amp;q=sesja" aria-current="true"`) ||
			!strings.Contains(res.Body, `href="/szukaj?q=sesja&amp;status=adopted" aria-current="true"`) {
			t.Errorf("chosen facets with no results cannot be taken off:\n%s", res.Body)
		}
	})
	// The term is chosen from the terms there are.
	t.Run("TermSelect", func(t *testing.T) {
		var term string
		e.Pool.QueryRow(system, "SELECT name FROM council_terms LIMIT 1").Scan(&term)
		res := b.get("/szukaj?q=sesja")
		if term == "" || !strings.Contains(res.Body, `<select id="term" name="term"`) || !strings.Contains(res.Body, ">"+term+"</option>") {
			t.Errorf("no term select with %q", term)
		}
		if r := b.get("/szukaj?typ=session&kadencja=" + url.QueryEscape(term)); strings.Contains(r.Body, "Wyniki: 0<") {
			t.Error("the term offered finds no session")
		}
	})
	t.Run("WithoutDiacriticsFindsTheSame", func(t *testing.T) {
		with := b.get("/szukaj?q=" + url.QueryEscape("uchwała"))
		without := b.get("/szukaj?q=uchwala")
		if with.Status != 200 || without.Status != 200 {
			t.Fatal(with.Status, without.Status)
		}
		count := func(s string) string {
			i := strings.Index(s, `id="results-heading"`)
			return s[i : i+40]
		}
		if count(with.Body) != count(without.Body) || strings.Contains(with.Body, "Wyniki: 0<") {
			t.Errorf("with %q, without %q", count(with.Body), count(without.Body))
		}
	})
	t.Run("QueryEscaped", func(t *testing.T) {
		res := b.get("/szukaj?q=" + url.QueryEscape(`<script>alert(1)</script>`))
		if res.Status != 200 || strings.Contains(res.Body, "<script>alert(1)") {
			t.Fatalf("%d: query not escaped", res.Status)
		}
	})
	t.Run("ErrBadDate", func(t *testing.T) {
		// The form again: the message beside the date, what was typed kept.
		res := b.get("/szukaj?q=park&od=31-12-2024")
		if res.Status != 400 || !strings.Contains(res.Body, "RRRR-MM-DD") || !strings.Contains(res.Body, `id="from-error"`) ||
			!strings.Contains(res.Body, `value="31-12-2024"`) || !strings.Contains(res.Body, `value="park"`) || strings.Contains(res.Body, "Wyniki:") {
			t.Fatalf("%d\n%s", res.Status, res.Body)
		}
		if res := b.get("/szukaj?from=2026-12-01&to=2026-11-01"); res.Status != 400 || !strings.Contains(res.Body, `id="to-error"`) {
			t.Fatalf("a reversed range: %d", res.Status)
		}
	})
	t.Run("ErrBadType", func(t *testing.T) {
		if res := b.get("/szukaj?typ=nope"); res.Status != 400 {
			t.Fatalf("%d", res.Status)
		}
	})
	t.Run("Feed", func(t *testing.T) {
		res := b.get("/szukaj/feed.atom?q=sesja")
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("%d %s", res.Status, res.Header.Get("Content-Type"))
		}
		var feed struct {
			Entries []struct {
				Title string `xml:"title"`
				Link  struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(res.Body), &feed); err != nil || len(feed.Entries) == 0 || !strings.HasPrefix(feed.Entries[0].Link.Href, e.URL+"/") {
			t.Fatalf("feed %v %+v\n%s", err, feed, res.Body)
		}
	})
	t.Run("InTheNavigation", func(t *testing.T) {
		res := b.get("/")
		if !strings.Contains(res.Body, `href="/szukaj"`) {
			t.Error("no link to /szukaj on the home page")
		}
	})
}

func TestSearchAPI(t *testing.T) {
	t.Parallel()
	e := searchEnv(t, nil)
	var body struct {
		Total int `json:"total"`
		Hits  []struct {
			ID, Type, Title, URL, Snippet string
			Date                          *string
		} `json:"hits"`
		Facets     map[string]map[string]int `json:"facets"`
		NextCursor string                    `json:"next_cursor"`
	}
	res := e.do("GET", "/api/v1/search?q=sesja&limit=2", "", nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if err := jsonUnmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Total < 3 || len(body.Hits) != 2 || body.NextCursor == "" || body.Facets["type"]["session"] == 0 {
		t.Fatalf("%+v", body)
	}
	h := body.Hits[0]
	if h.ID == "" || h.Type == "" || h.Title == "" || !strings.HasPrefix(h.URL, e.URL+"/") || h.Date == nil {
		t.Fatalf("hit %+v", h)
	}
	first := h.ID
	res = e.do("GET", "/api/v1/search?q=sesja&limit=2&cursor="+body.NextCursor, "", nil)
	body.Hits = nil
	jsonUnmarshal(res.Body, &body)
	if res.Status != 200 || len(body.Hits) == 0 || body.Hits[0].ID == first {
		t.Fatalf("next page %d %+v", res.Status, body)
	}

	for _, c := range []struct{ query, field string }{
		{"type=nope", "type"},
		{"limit=0", "limit"},
		{"limit=101", "limit"},
		{"limit=x", "limit"},
		{"cursor=!!", "cursor"},
		{"from=2024-13-01", "from"},
		{"from=2025-01-02&to=2025-01-01", "to"},
		{"sort=random", "sort"},
		{"q=" + strings.Repeat("a", 201), "q"},
	} {
		res := e.do("GET", "/api/v1/search?"+c.query, "", nil)
		code, field, msg := res.apiError(t)
		if res.Status != 400 || field != c.field || msg == "" {
			t.Errorf("%s: %d %s field=%q %s", c.query, res.Status, code, field, msg)
		}
	}
}

// What the office publishes is found moments after it is committed: the
// outbox wakes the indexer.
func TestSearchIndexesAfterCommit(t *testing.T) {
	t.Parallel()
	e := searchEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	body := `{"category":"ogloszenia","title":"Obwieszczenie o wyłożeniu planu zagospodarowania Żabiego Kruka","body":"Plan miejscowy dla rejonu ulicy Żabiej.","produced_by":"Wydział Architektury","responsible":"Naczelnik","produced_at":"2026-11-20"}`
	res := e.do("POST", "/api/v1/publications", office, strings.NewReader(body))
	if res.Status != 201 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	id := fmt.Sprint(res.json(t)["id"])
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := e.do("GET", "/api/v1/search?q=zabiego+kruka", "", nil)
		if strings.Contains(res.Body, `"id": "bip:`+id+`"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not indexed 10 s after commit: %s", res.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	res = e.do("POST", "/api/v1/publications/"+id+"/withdraw", office, strings.NewReader(`{"change_reason":"Pomyłka"}`))
	if res.Status != 200 {
		t.Fatalf("withdraw %d %s", res.Status, res.Body)
	}
	for {
		res := e.do("GET", "/api/v1/search?q=zabiego+kruka", "", nil)
		if !strings.Contains(res.Body, `"bip:`+id+`"`) {
			break
		}
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("withdrawn publication still found: %s", res.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The page, its feed and the API read the same parameters; the page's
// former Polish names still work, and what it does not know it says it
// ignored instead of dropping it silently.
func TestSearchParamsAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	count := func(body string) string {
		m := regexp.MustCompile(`Wyniki: (\d+)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no count:\n%s", body)
		}
		return m[1]
	}
	all := count(b.get("/szukaj?q=sesja").Body)
	english := b.get("/szukaj?q=sesja&type=vote")
	polish := b.get("/szukaj?q=sesja&typ=vote")
	if count(english.Body) != count(polish.Body) || count(english.Body) == all {
		t.Fatalf("type=vote gives %s, typ=vote %s, no filter %s", count(english.Body), count(polish.Body), all)
	}
	api := e.do("GET", "/api/v1/search?q=sesja&type=vote", "", nil).json(t)
	if fmt.Sprint(api["total"]) != count(english.Body) {
		t.Fatalf("the API finds %v, the page %s", api["total"], count(english.Body))
	}
	if feed := b.get("/szukaj/feed.atom?q=sesja&type=vote"); strings.Contains(feed.Body, "/rada/sesje/") {
		t.Fatal("the feed ignores type")
	}
	odd := b.get("/szukaj?q=sesja&typee=vote")
	if odd.Status != 200 || !strings.Contains(odd.Body, "Pominięto 1 nieznany parametr adresu: <code>typee</code>") {
		t.Fatalf("an unknown parameter not reported:\n%s", odd.Body)
	}
	if strings.Contains(odd.Body, "typee=vote&amp;") || strings.Contains(odd.Body, "&amp;typee=") {
		t.Fatal("facet links carry the unknown parameter on")
	}
}

// "lewandowska budżet": the votes on the budget, each saying how she voted.
func TestSearchCouncillorVote(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	page := e.browser().get("/szukaj?q=" + url.QueryEscape("lewandowska budżet") + "&type=vote")
	if page.Status != 200 || !regexp.MustCompile(`<p class="hit-ballots"><strong>Katarzyna Lewandowska: (za|przeciw|wstrzymała się)</strong></p>`).MatchString(page.Body) {
		t.Fatalf("no ballot in the hits:\n%s", page.Body)
	}
	// The facet offers her; choosing her keeps her votes and interpellations.
	facet := `href="/szukaj?councillor=Katarzyna&#43;Lewandowska&amp;q=lewandowska"`
	if page := e.browser().get("/szukaj?q=lewandowska"); !strings.Contains(page.Body, "<h3>Radny lub radna</h3>") || !strings.Contains(page.Body, facet) {
		t.Fatalf("no councillor facet:\n%s", page.Body)
	}
	narrowed := e.browser().get("/szukaj?councillor=" + url.QueryEscape("Katarzyna Lewandowska") + "&q=lewandowska")
	if !strings.Contains(narrowed.Body, `aria-current="true">✓ Katarzyna Lewandowska</a>`) || strings.Contains(narrowed.Body, `<span class="badge">publikacja BIP</span>`) {
		t.Fatalf("narrowed to her:\n%s", narrowed.Body)
	}
	english := e.browser()
	english.get("/lang/en?next=/")
	if en := english.get("/szukaj?q=" + url.QueryEscape("lewandowska podatek") + "&type=vote"); !regexp.MustCompile(`<strong>Katarzyna Lewandowska: (for|against|abstained|absent|did not vote)</strong>`).MatchString(en.Body) ||
		!strings.Contains(en.Body, `<link rel="alternate" type="application/atom+xml" href="/szukaj/feed.atom?`) {
		t.Fatalf("the English page's ballot line or feed link:\n%s", en.Body)
	}
	api := e.do("GET", "/api/v1/search?q="+url.QueryEscape("lewandowska budżet")+"&type=vote", "", nil)
	if !strings.Contains(api.Body, `"ballots": [`) || !strings.Contains(api.Body, "Katarzyna Lewandowska: ") {
		t.Fatalf("no ballots in the API's hits:\n%s", api.Body)
	}
}

// What an attachment says is found: after the upload is answered its text
// is read once, and a hit names the file and shows the words from it.
func TestSearchAttachmentText(t *testing.T) {
	t.Parallel()
	extracttest.NeedPdftotext(t)
	e := newEnv(t, nil)
	office, err := e.Accounts.FindUserByEmail(system, "biuro.rady@przykladowo.pl")
	if err != nil {
		t.Fatal(err)
	}
	ctx := ratusz.NewContextWithActor(context.Background(), office.Actor())
	s := bip.NewService(e.Pool)
	defer s.Close()
	pub, err := s.Create(ctx, bip.Draft{Category: "ogloszenia", Title: "Ogłoszenie o nasadzeniach", Body: "W załączniku plan.",
		ProducedBy: "Wydział Zieleni", Responsible: "Jan Nowak", ProducedAt: time.Now().Add(-time.Hour),
		Attachments: []bip.NewAttachment{{Name: "plan-nasadzen.pdf", Data: extracttest.PDF("Plan nasadzen: dwanascie lip drobnolistnych", "wzdluz ulicy Ogrodowej, jesienia 2027 roku.")}}})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if n, err := e.texts.Step(system); err != nil {
			t.Fatal(err)
		} else if n == 0 && e.count(t, "SELECT count(*) FROM file_texts WHERE text LIKE '%lip drobnolistnych%'") == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the attachment's text was never read")
		}
	}
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	page := e.browser().get("/szukaj?q=" + url.QueryEscape("lipa drobnolistna ogrodowa"))
	want := fmt.Sprintf(`<a href="/bip/publikacje/%d">plan-nasadzen.pdf — Ogłoszenie o nasadzeniach</a>`, pub.ID)
	if !strings.Contains(page.Body, want) || !strings.Contains(page.Body, "<mark>lip</mark> <mark>drobnolistnych</mark>") || !strings.Contains(page.Body, ">załącznik<") {
		t.Fatalf("no hit in the attachment:\n%s", page.Body)
	}
}

// A hit says what the named list says: absent and not voting are not
// abstaining.
func TestSearchBallotsAsRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if err := e.SyncSearch(system); err != nil {
		t.Fatal(err)
	}
	word := map[string]string{"for": "za", "against": "przeciw", "abstain": "wstrzymała się", "absent": "nieobecna", "not_voting": "nie głosowała"}
	rows, err := e.Pool.Query(system, `SELECT b.vote_id, b.choice FROM ballots b JOIN councillors c ON c.id = b.councillor_id
		JOIN votes v ON v.id = b.vote_id WHERE c.name = 'Lidia Jabłońska' AND v.state = 'closed'`)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]string{}
	for rows.Next() {
		var id int64
		var choice string
		rows.Scan(&id, &choice)
		recorded["vote:"+strconv.FormatInt(id, 10)] = word[choice]
	}
	if len(recorded) == 0 {
		t.Fatal("the demo has no ballots of Lidia Jabłońska")
	}
	var res struct {
		Hits []struct {
			ID      string   `json:"id"`
			Ballots []string `json:"ballots"`
		} `json:"hits"`
	}
	if err := jsonUnmarshal(e.do("GET", "/api/v1/search?q=jablonska&type=vote&limit=50", "", nil).Body, &res); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, h := range res.Hits {
		if want, ok := recorded[h.ID]; ok {
			seen++
			if len(h.Ballots) != 1 || h.Ballots[0] != "Lidia Jabłońska: "+want {
				t.Errorf("%s: %q, recorded %q", h.ID, h.Ballots, want)
			}
		}
	}
	if seen != len(recorded) {
		t.Errorf("found %d of her %d votes", seen, len(recorded))
	}
}
