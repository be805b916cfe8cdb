package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/pg"
)

// secondInstance starts another server on the same database with its own
// pool, as a second `ratusz serve` would be.
func (e *env) secondInstance() string {
	e.t.Helper()
	pool, err := pg.Open(context.Background(), e.Pool.Config().ConnString())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(pool.Close)
	srv := httptest.NewUnstartedServer(nil)
	dataDir := e.t.TempDir()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"RATUSZ_ADDR": srv.Listener.Addr().String(), "RATUSZ_BASE_URL": "http://" + srv.Listener.Addr().String(), "RATUSZ_DATA_DIR": dataDir}[k]
	})
	if err != nil {
		e.t.Fatal(err)
	}
	s, _ := newServer(e.t, cfg, pool, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	srv.Config.Handler = s
	srv.Start()
	e.t.Cleanup(srv.Close)
	return srv.URL
}

type liveMsg struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func dial(t *testing.T, base, path string, header http.Header) *websocket.Conn {
	t.Helper()
	c, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+path, header)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// next reads messages until one of the type arrives.
func next(t *testing.T, c *websocket.Conn, typ string) liveMsg {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m liveMsg
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if m.Type == typ {
			return m
		}
	}
}

// Events flow through PostgreSQL: a viewer on a second instance receives
// what happens through the first, and a reconnecting viewer gets what it
// missed.
func TestLiveAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	other := e.secondInstance()
	office := e.token("biuro.rady@przykladowo.pl")
	post := func(path, token, body string) map[string]any {
		t.Helper()
		r := e.do("POST", path, token, strings.NewReader(body))
		if r.Status >= 300 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		return r.json(t)
	}
	body := fmt.Sprint(post("/api/v1/bodies", office, `{"name":"Rada","statutory_size":3}`)["id"])
	var tokens, ids []string
	for i := 0; i < 3; i++ {
		email := fmt.Sprintf("live%d@przykladowo.pl", i)
		ids = append(ids, fmt.Sprint(post("/api/v1/bodies/"+body+"/councillors", office, `{"name":"Radny `+fmt.Sprint(i)+`","email":"`+email+`"}`)["id"]))
		e.Accounts.CreateUser(system, account.UserInput{Email: email, Name: "Radny", Roles: []ratusz.Role{ratusz.RoleCouncillor}, Password: "0123456789ab"})
		tokens = append(tokens, e.token(email))
	}
	session := fmt.Sprint(post("/api/v1/sessions", office, `{"body":`+body+`,"number":1,"starts_at":"2026-12-01T10:00:00Z"}`)["id"])
	item := fmt.Sprint(post("/api/v1/sessions/"+session+"/agenda", office, `{"title":"Punkt"}`)["id"])

	t.Run("ErrOrigin", func(t *testing.T) {
		_, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(other, "http")+"/live/sessions/"+session, http.Header{"Origin": {"https://evil.example"}})
		if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site websocket accepted: %v", err)
		}
	})

	viewer := dial(t, other, "/live/sessions/"+session, http.Header{"Origin": {other}})
	time.Sleep(200 * time.Millisecond) // subscribed before the events
	for i := 0; i < 2; i++ {
		post("/api/v1/sessions/"+session+"/attendance", office, `{"councillor":`+ids[i]+`,"present":true}`)
	}
	att := next(t, viewer, "attendance.changed")
	vote := fmt.Sprint(post("/api/v1/votes", office, `{"agenda_item":`+item+`,"subject":"Uchwała","majority":"simple"}`)["id"])
	post("/api/v1/votes/"+vote+"/open", office, ``)
	opened := next(t, viewer, "vote.opened")
	post("/api/v1/votes/"+vote+"/ballots", tokens[0], `{"choice":"for"}`)
	progress := next(t, viewer, "vote.progress")
	if !strings.Contains(string(progress.Data), `"ballots_cast":1`) || strings.Contains(string(progress.Data), "for") {
		t.Fatalf("progress must say how many, never how: %s", progress.Data)
	}
	post("/api/v1/votes/"+vote+"/close", office, ``)
	closed := next(t, viewer, "vote.closed")
	var result struct {
		Counts  struct{ For, Absent, NotVoting int }
		Ballots []struct{ Choice string }
	}
	json.Unmarshal(closed.Data, &result)
	if result.Counts.For != 1 || len(result.Ballots) != 3 {
		t.Fatalf("vote.closed carries %s", closed.Data)
	}
	if !(att.Seq < opened.Seq && opened.Seq < progress.Seq && progress.Seq < closed.Seq) {
		t.Fatalf("sequence numbers out of order: %d %d %d %d", att.Seq, opened.Seq, progress.Seq, closed.Seq)
	}

	// A viewer that was away since the vote opened gets the rest, in order.
	back := dial(t, e.URL, fmt.Sprintf("/live/sessions/%s?since=%d", session, opened.Seq), nil)
	if m := next(t, back, "vote.progress"); m.Seq != progress.Seq {
		t.Fatalf("replay gave %d, want %d", m.Seq, progress.Seq)
	}
	if m := next(t, back, "vote.closed"); m.Seq != closed.Seq {
		t.Fatalf("replay gave %d, want %d", m.Seq, closed.Seq)
	}
}

// Graceful shutdown closes live connections with a close frame.
func TestLiveShutdownSendsCloseFrame(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	office := e.token("biuro.rady@przykladowo.pl")
	r := e.do("POST", "/api/v1/bodies", office, strings.NewReader(`{"name":"Rada","statutory_size":3}`))
	body := fmt.Sprint(r.json(t)["id"])
	r = e.do("POST", "/api/v1/sessions", office, strings.NewReader(`{"body":`+body+`,"number":1,"starts_at":"2026-12-01T10:00:00Z"}`))
	c := dial(t, e.URL, "/live/sessions/"+fmt.Sprint(r.json(t)["id"]), nil)
	time.Sleep(100 * time.Millisecond)
	e.Server.Live.Shutdown()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("want a close frame (going away), got %v", err)
	}
}
