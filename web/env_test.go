package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/demo"
	"github.com/ratusz/ratusz/internal/extract"
	"github.com/ratusz/ratusz/internal/live"
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/internal/morph"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/search"
	"github.com/ratusz/ratusz/web"
)

func TestMain(m *testing.M) {
	if url := os.Getenv("RATUSZ_LIVE_CHILD"); url != "" { // BenchmarkLiveViewers' viewers
		n, _ := strconv.Atoi(os.Getenv("RATUSZ_LIVE_VIEWERS"))
		runViewers(url, n)
		return
	}
	search.LoadDictionary(morph.DefaultDir) // absent: words as written (the search package's test says so)
	testdb.Main(m)
}

// env is a running site on its own database, seeded with the demo accounts.
type env struct {
	t        testing.TB
	URL      string
	Pool     *pgxpool.Pool
	Accounts *account.Service
	Server   *web.Server
	DataDir  string // mail is spooled in its mail folder
	engines
}

// engines are the goroutines behind a test server, built as
// cmd/ratusz/serve.go builds them (without the daily BIP head), with
// handles for the tests that run them by hand.
type engines struct {
	indexer *search.Indexer
	alerts  *search.Alerts
	notify  *notify.Service
	texts   *extract.Worker
}

// Notify reads new events into notices and sends what is due now.
func (en engines) Notify(ctx context.Context) error { return en.notify.Step(ctx) }

// SyncSearch brings the search index up to date now.
func (en engines) SyncSearch(ctx context.Context) error {
	_, err := en.indexer.Sync(ctx)
	return err
}

// CheckSearchAlerts sends the saved searches' new results now.
func (en engines) CheckSearchAlerts(ctx context.Context) error { return en.alerts.Check(ctx) }

// newServer builds a server and its engines on pool and stops them when
// the test ends.
func newServer(t testing.TB, cfg *config.Config, pool *pgxpool.Pool, log *slog.Logger) (*web.Server, engines) {
	t.Helper()
	idx, err := search.Engine(pool, cfg.MeiliURL, cfg.MeiliAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	pb := participation.NewService(pool)
	pb.SetVoterKey(demo.TestSecret)
	d := web.Deps{Config: cfg, Pool: pool, Log: log,
		Accounts: account.NewService(pool), BIP: bip.NewService(pool), Council: council.NewService(pool),
		Consultations: consultations.NewService(pool), Participation: pb, Saved: search.NewSavedSearches(pool),
		Index: idx, Live: live.New(), Replay: outbox.Reader(pool)}
	mailer := &mail.Mailer{URL: cfg.SMTPURL, From: "ratusz@" + cfg.BaseURL.Hostname(), Spool: filepath.Join(cfg.DataDir, "mail"), Log: log}
	sms, err := notify.NewSMS(cfg.SMSURL, notify.SpoolDir(cfg.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	d.Notify = notify.NewService(pool, log)
	d.Notify.Mail, d.Notify.SMS, d.Notify.BaseURL, d.Notify.Municipality = mailer, sms, cfg.BaseURL.String(), cfg.Municipality
	d.Notify.Every = 200 * time.Millisecond
	d.Notify.Register(d.Council, d.Consultations, d.Participation, d.BIP, d.Saved)
	en := engines{indexer: search.NewIndexer(pool, idx, log), notify: d.Notify}
	en.alerts = search.NewAlerts(d.Saved, idx, mailer, cfg.BaseURL.String(), cfg.Municipality, log)
	en.alerts.DeliverTo(d.Notify)
	en.indexer.Synced = func(search.SyncStats) { en.alerts.Wake() }
	en.texts = &extract.Worker{Pool: pool, Log: log, Pending: []string{bip.FilesWithoutText}, Extracted: func() { en.indexer.NotifyEvent("bip.text") }}
	relay := outbox.NewRelay(pool, log)
	relay.Poll = 500 * time.Millisecond
	relay.Handle(d.Live.Publish)
	relay.Handle(func(ev ratusz.Event) {
		if !ev.LiveOnly {
			en.indexer.NotifyEvent(ev.Type)
			d.Notify.Wake()
			en.texts.Wake()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context){relay.Run, en.indexer.Run, en.alerts.Run, d.Notify.Run, en.texts.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	s, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Live.Shutdown(); cancel(); wg.Wait(); d.BIP.Close() })
	return s, en
}

func newEnv(t testing.TB, vars map[string]string) *env {
	t.Helper()
	return newEnvLog(t, vars, os.Stderr, slog.LevelError)
}

// newEnvLog is newEnv with the server's log written to w from level on.
func newEnvLog(t testing.TB, vars map[string]string, w io.Writer, level slog.Level) *env {
	t.Helper()
	pool := testdb.New(t)
	if _, err := demo.Seed(context.Background(), pool, io.Discard); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	all := map[string]string{"RATUSZ_ADDR": ln.Addr().String(), "RATUSZ_BASE_URL": base, "RATUSZ_LOG_LEVEL": "error",
		"RATUSZ_DATA_DIR": t.TempDir()} // mail spools there, never in the package's folder
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := config.Load(func(k string) string { return all[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	s, en := newServer(t, cfg, pool, log)
	srv := httptest.NewUnstartedServer(s)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, URL: base, Pool: pool, Accounts: account.NewService(pool), Server: s, DataDir: cfg.DataDir, engines: en}
}

var system = ratusz.NewContextWithActor(context.Background(), ratusz.System)

// token returns an API token for a demo account.
func (e *env) token(email string) string {
	tok, err := e.Accounts.CreateToken(system, email, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
	}
	return m
}

// apiError returns the error code, field and message of an API error body.
func (r response) apiError(t *testing.T) (code, field, msg string) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.Body)
	}
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	msg, _ = e["message"].(string)
	return
}

func (e *env) do(method, path, token string, body io.Reader, header ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	*http.Client
	e *env
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{&http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, e}
}

func (b *browser) get(path string) response {
	b.e.t.Helper()
	res, err := b.Get(b.e.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(body)}
}

// post submits a form the way a browser on our own page does.
func (b *browser) post(path string, form url.Values, header ...string) response {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(body)}
}

func (b *browser) login(email, password string) {
	b.e.t.Helper()
	res := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.Status != http.StatusSeeOther {
		b.e.t.Fatalf("login %s: status %d\n%s", email, res.Status, res.Body)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
