package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
)

func TestCouncilAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	post := func(path, token, body string) response {
		return e.do("POST", path, token, strings.NewReader(body))
	}
	id := func(r response) string {
		t.Helper()
		if r.Status != 201 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		return fmt.Sprint(r.json(t)["id"])
	}
	body := id(post("/api/v1/bodies", office, `{"name":"Rada Gminy Próbna","statutory_size":5}`))
	var tokens []string
	var councillors []string
	for i := 0; i < 5; i++ {
		email := fmt.Sprintf("radna%d@przykladowo.pl", i)
		councillors = append(councillors, id(post("/api/v1/bodies/"+body+"/councillors", office, fmt.Sprintf(`{"name":"Radna %d","club":"Klub %d","email":"%s"}`, i, i%2, email))))
		if _, err := e.Accounts.CreateUser(system, account.UserInput{Email: email, Name: fmt.Sprintf("Radna %d", i), Roles: []ratusz.Role{ratusz.RoleCouncillor}, Password: "0123456789ab"}); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, e.token(email))
	}
	session := id(post("/api/v1/sessions", office, `{"body":`+body+`,"number":14,"title":"Sesja zwyczajna","starts_at":"2026-12-10T10:00:00+01:00"}`))
	item := id(post("/api/v1/sessions/"+session+"/agenda", office, `{"title":"Zmiany w budżecie","papers":["DS-91/26"]}`))
	vote := id(post("/api/v1/votes", office, `{"agenda_item":`+item+`,"subject":"Uchwała w sprawie zmian w budżecie","majority":"simple"}`))

	t.Run("ErrNoQuorum", func(t *testing.T) {
		r := post("/api/v1/votes/"+vote+"/open", office, ``)
		if code, _, msg := r.apiError(t); r.Status != 409 || code != "conflict" || !strings.Contains(msg, "kworum") {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	for i := 0; i < 3; i++ { // three check themselves in
		if r := post("/api/v1/sessions/"+session+"/attendance", tokens[i], `{"councillor":`+councillors[i]+`,"present":true}`); r.Status != 200 {
			t.Fatalf("check-in: %d %s", r.Status, r.Body)
		}
	}
	if r := post("/api/v1/votes/"+vote+"/open", tokens[0], ``); r.Status != 403 {
		t.Fatalf("a councillor opened the vote: %d", r.Status)
	}
	if r := post("/api/v1/votes/"+vote+"/open", office, ``); r.Status != 200 || r.json(t)["state"] != "open" {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	for i, c := range []string{"for", "for", "against"} {
		if r := post("/api/v1/votes/"+vote+"/ballots", tokens[i], `{"choice":"`+c+`"}`); r.Status != 201 {
			t.Fatalf("ballot %d: %d %s", i, r.Status, r.Body)
		}
	}
	for name, c := range map[string]struct {
		token, body string
		status      int
	}{
		"ErrAbsent":         {tokens[4], `{"choice":"for"}`, 403},
		"ErrNotCouncillor":  {office, `{"choice":"for"}`, 403},
		"ErrNoToken":        {"", `{"choice":"for"}`, 401},
		"ErrBadChoice":      {tokens[0], `{"choice":"tak"}`, 400},
		"ErrUnknownField":   {tokens[0], `{"choice":"for","weight":2}`, 400},
		"ErrRecordForOther": {tokens[0], `{"choice":"for","councillor":2}`, 403}, // only the office records a roll call
	} {
		t.Run(name, func(t *testing.T) {
			if r := post("/api/v1/votes/"+vote+"/ballots", c.token, c.body); r.Status != c.status {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	if r := e.do("GET", "/api/v1/votes/"+vote, "", nil); strings.Contains(r.Body, `"choice"`) || r.json(t)["ballots_cast"] != 3.0 {
		t.Fatalf("an open vote shows choices or miscounts: %s", r.Body)
	}
	closed := post("/api/v1/votes/"+vote+"/close", office, ``)
	if closed.Status != 200 {
		t.Fatalf("close: %d %s", closed.Status, closed.Body)
	}
	v := closed.json(t)
	counts := v["counts"].(map[string]any)
	if v["outcome"] != "adopted" || counts["for"] != 2.0 || counts["against"] != 1.0 || counts["absent"] != 2.0 || counts["not_voting"] != 0.0 {
		t.Fatalf("result %s", closed.Body)
	}
	if len(v["ballots"].([]any)) != 5 || !strings.HasPrefix(v["publication_url"].(string), e.URL+"/bip/publikacje/") {
		t.Fatalf("named list or BIP link missing: %s", closed.Body)
	}
	if r := post("/api/v1/votes/"+vote+"/ballots", tokens[2], `{"choice":"for"}`); r.Status != 409 {
		t.Fatalf("ballot after close: %d", r.Status)
	}
	page := e.browser().get(strings.TrimPrefix(v["publication_url"].(string), e.URL))
	if page.Status != 200 || !strings.Contains(page.Body, "Imienny wykaz głosowania") || !strings.Contains(page.Body, "Radna 2") {
		t.Fatal("the named list is not readable in BIP")
	}
	list := e.do("GET", "/api/v1/votes?limit=1", "", nil).json(t)
	if len(list["data"].([]any)) != 1 || list["next"] == nil {
		t.Fatalf("votes list %v", list)
	}
	if r := e.do("GET", "/api/v1/votes?cursor=abc", "", nil); r.Status != 400 {
		t.Fatalf("bad cursor: %d", r.Status)
	}
}
