package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// The notices' delivery end to end: through a real SMTP server on
// loopback, by the clock of daily and weekly digests, through SMSAPI's
// HTTP API (a double), and back by the unsubscribe link.

const testMunicipality = "Gmina Zażółć"

// voteTitle is the fixture's notice line of vote id.
func voteTitle(id int) string { return fmt.Sprintf("Jan Kowalski głosował za (głosowanie %d)", id) }

// warsaw reads "2006-01-02 15:04" as Warsaw time.
func warsaw(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, i18n.Warsaw)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// voteAt writes the fixture's vote event as if it happened at at.
func (f *fixture) voteAt(t *testing.T, id int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := pg.InTx(ctx, f.pool, func(tx pgx.Tx) error {
		if err := outbox.Write(ctx, tx, "test.vote", "session:1", map[string]int{"id": id}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE outbox SET created_at = $1 WHERE id = (SELECT max(id) FROM outbox)", at)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// followLongAgo starts Anna's follow of councillor 7 and dates it back, so
// that events of the (injected) past reach it.
func (f *fixture) followLongAgo(t *testing.T, delivery, channel string) *Follow {
	t.Helper()
	fl, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: delivery, Channel: channel}, i18n.PL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(context.Background(), "UPDATE follows SET created_at = '2020-01-01T00:00:00Z' WHERE id = $1", fl.ID); err != nil {
		t.Fatal(err)
	}
	return fl
}

// stepAt runs the notifier once with the clock at at.
func (f *fixture) stepAt(t *testing.T, at time.Time) {
	t.Helper()
	f.s.Now = func() time.Time { return at }
	if err := f.s.Step(context.Background()); err != nil {
		t.Fatalf("step at %s: %v", at, err)
	}
}

// countIn is how often the line of vote id is in a message's text.
func countIn(text string, id int) int { return strings.Count(text, voteTitle(id)) }

// unsubToken is the token of an unsubscribe link in text.
var unsubRE = regexp.MustCompile(`/powiadomienia/wypisz/([A-Za-z0-9_-]+)`)

func unsubToken(t *testing.T, text string) string {
	t.Helper()
	m := unsubRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no unsubscribe link in %q", text)
	}
	return m[1]
}

// --- A real SMTP server (aiosmtpd) writing a maildir ---

type smtpServer struct {
	url  string
	dir  string // the maildir
	seen map[string]bool
}

type received struct {
	file   string
	header netmail.Header
	body   string
}

// startSMTP runs Debian's aiosmtpd on a free loopback port, storing what it
// takes in a maildir, until the test ends.
func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import aiosmtpd").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s cannot import aiosmtpd (`make test` installs python3-aiosmtpd): %v %s", python, err, out)
		}
		t.Skipf("no SMTP server for the test: %s cannot import aiosmtpd (apt-get install python3-aiosmtpd): %v", python, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := filepath.Join(t.TempDir(), "maildir") // aiosmtpd makes it, with cur, new and tmp
	var stderr bytes.Buffer
	cmd := exec.Command(python, "-m", "aiosmtpd", "-n", "-l", addr, "-c", "aiosmtpd.handlers.Mailbox", dir)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("aiosmtpd ended before it listened: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("aiosmtpd does not listen on %s: %s", addr, stderr.String())
		}
	}
	return &smtpServer{url: "smtp://" + addr, dir: dir, seen: map[string]bool{}}
}

// all is every message in the maildir, in the order of the files' names.
func (s *smtpServer) all(t *testing.T) []received {
	t.Helper()
	var out []received
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(s.dir, sub))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range entries {
			path := filepath.Join(s.dir, sub, e.Name())
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := netmail.ReadMessage(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s is no mail: %v\n%s", path, err, b)
			}
			body, _ := io.ReadAll(m.Body)
			out = append(out, received{file: path, header: m.Header, body: string(body)})
		}
	}
	slices.SortFunc(out, func(a, b received) int { return strings.Compare(a.file, b.file) })
	return out
}

// fresh is what came since the last call.
func (s *smtpServer) fresh(t *testing.T) []received {
	t.Helper()
	var out []received
	for _, m := range s.all(t) {
		if !s.seen[m.file] {
			s.seen[m.file] = true
			out = append(out, m)
		}
	}
	return out
}

func subjectOf(t *testing.T, m received) string {
	t.Helper()
	raw := m.header.Get("Subject")
	s, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil {
		t.Fatalf("subject %q: %v", raw, err)
	}
	return s
}

// smtpFixture is the fixture with a real mail.Mailer on an aiosmtpd.
func smtpFixture(t *testing.T) (*fixture, *smtpServer) {
	srv := startSMTP(t)
	f := newFixture(t)
	f.s.Mail = &mail.Mailer{URL: srv.url, From: "ratusz@gmina.example"}
	f.s.Municipality = testMunicipality
	return f, srv
}

// A vote of a followed councillor reaches the follower through a real SMTP
// server at once: one message, to her, with the vote's line, a Polish
// subject that decodes, and the headers mail programs use to thread and to
// offer one-click unsubscribing; the link's token names the follow.
func TestSMTPImmediate(t *testing.T) {
	f, srv := smtpFixture(t)
	if _, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); err != nil {
		t.Fatal(err)
	}
	f.vote(t, 1)
	if err := f.s.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := srv.fresh(t)
	if len(got) != 1 {
		t.Fatalf("want one message in the maildir, got %d", len(got))
	}
	m := got[0]
	if to := m.header.Get("To"); to != "anna@example.org" {
		t.Errorf("To: %q", to)
	}
	if rcpt := m.header.Get("X-RcptTo"); rcpt != "anna@example.org" {
		t.Errorf("the server was given the recipient %q", rcpt)
	}
	if from := m.header.Get("X-MailFrom"); from != "ratusz@gmina.example" {
		t.Errorf("the server was given the sender %q", from)
	}
	if !strings.Contains(m.body, voteTitle(1)) || !strings.Contains(m.body, "http://127.0.0.1:8080/rada/glosowania/1") {
		t.Errorf("the body lacks the vote's line or link:\n%s", m.body)
	}
	raw := m.header.Get("Subject")
	if want := testMunicipality + ": " + voteTitle(1); subjectOf(t, m) != want {
		t.Errorf("subject %q (raw %q), want %q", subjectOf(t, m), raw, want)
	}
	if !strings.HasPrefix(raw, "=?utf-8?") {
		t.Errorf("the subject is not MIME-encoded: %q", raw)
	}
	if id := m.header.Get("Message-ID"); !regexp.MustCompile(`^<notice-[0-9]+@127\.0\.0\.1>$`).MatchString(id) {
		t.Errorf("Message-ID %q", id)
	}
	lu := m.header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<http://127.0.0.1:8080/powiadomienia/wypisz/") || !strings.HasSuffix(lu, ">") {
		t.Errorf("List-Unsubscribe %q", lu)
	}
	if p := m.header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", p)
	}
	if ct := m.header.Get("Content-Type"); !strings.Contains(ct, "charset=utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	// The token on the wire is one the service knows.
	u, err := f.s.ByToken(context.Background(), unsubToken(t, lu))
	if err != nil || len(u.Titles) != 1 || u.Titles[0] != voteTitle(1) || !u.Active {
		t.Fatalf("ByToken of the header's token: %+v %v", u, err)
	}
	// Nothing more on another step.
	if err := f.s.Step(context.Background()); err != nil || len(srv.fresh(t)) != 0 {
		t.Fatalf("a second step sent more (%v)", err)
	}
}

// When the notifier dies after the SMTP server took a message and before
// the message was recorded as sent, the reader gets it at most twice, both
// with the same Message-ID (one message to their mail program), and never
// loses it.
func TestSMTPCrashAfterServerTookIt(t *testing.T) {
	ctx := context.Background()
	f, srv := smtpFixture(t)
	if _, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); err != nil {
		t.Fatal(err)
	}
	f.vote(t, 1)
	crashes := 0
	f.s.afterSend = func(int64) error {
		if crashes == 0 {
			crashes++
			return errors.New("crash")
		}
		return nil
	}
	if err := f.s.Step(ctx); !errors.Is(err, errCrash) {
		t.Fatalf("the first step should have crashed, got %v", err)
	}
	if n := len(srv.all(t)); n != 1 {
		t.Fatalf("the server should hold the message taken before the crash, holds %d", n)
	}
	// Recovery: steps until the message is recorded as sent.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var sent bool
		if err := f.pool.QueryRow(ctx, "SELECT bool_and(sent_at IS NOT NULL) FROM notice_messages").Scan(&sent); err != nil {
			t.Fatal(err)
		}
		if sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the message was never recorded as sent: the notice is lost")
		}
		time.Sleep(2 * time.Millisecond) // past ClaimFor
		if err := f.s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.all(t)
	if len(got) < 1 || len(got) > 2 {
		t.Fatalf("want the message once or twice, got %d", len(got))
	}
	id := got[0].header.Get("Message-ID")
	for _, m := range got {
		if m.header.Get("Message-ID") != id || id == "" {
			t.Fatalf("copies with Message-IDs %q and %q", id, m.header.Get("Message-ID"))
		}
		if !strings.Contains(m.body, voteTitle(1)) {
			t.Fatalf("a copy lacks the vote:\n%s", m.body)
		}
	}
	for i := 0; i < 3; i++ {
		time.Sleep(2 * time.Millisecond)
		if err := f.s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.all(t)); n != len(got) {
		t.Fatalf("after recovery more went: %d messages, was %d", n, len(got))
	}
}

// A daily digest by SMTP: votes before 7:00 (Warsaw) wait until 7:00, then
// go in one digest; the next day's digest has only what came after.
func TestSMTPDailyDigest(t *testing.T) {
	f, srv := smtpFixture(t)
	f.followLongAgo(t, "daily", "email")

	f.voteAt(t, 1, warsaw(t, "2026-03-10 05:00"))
	f.stepAt(t, warsaw(t, "2026-03-10 05:00"))
	f.voteAt(t, 2, warsaw(t, "2026-03-10 06:30"))
	f.stepAt(t, warsaw(t, "2026-03-10 06:30"))
	f.stepAt(t, warsaw(t, "2026-03-10 06:59"))
	if got := srv.fresh(t); len(got) != 0 {
		t.Fatalf("before 7:00 %d messages went: %q", len(got), subjectOf(t, got[0]))
	}

	f.stepAt(t, warsaw(t, "2026-03-10 07:00"))
	got := srv.fresh(t)
	if len(got) != 1 {
		t.Fatalf("at 7:00 want one digest, got %d", len(got))
	}
	d := got[0]
	if countIn(d.body, 1) != 1 || countIn(d.body, 2) != 1 {
		t.Fatalf("the digest should carry both votes once:\n%s", d.body)
	}
	if s, want := subjectOf(t, d), testMunicipality+": podsumowanie dnia, 2 nowości"; s != want {
		t.Errorf("subject %q, want %q", s, want)
	}
	if d.header.Get("List-Unsubscribe") == "" || d.header.Get("Message-ID") == "" {
		t.Errorf("the digest lacks Message-ID or List-Unsubscribe: %v", d.header)
	}

	// Later that day: a new vote waits for tomorrow's digest.
	f.voteAt(t, 3, warsaw(t, "2026-03-10 09:00"))
	f.stepAt(t, warsaw(t, "2026-03-10 09:00"))
	f.stepAt(t, warsaw(t, "2026-03-11 06:59"))
	if got := srv.fresh(t); len(got) != 0 {
		t.Fatalf("a second digest on the same day: %d", len(got))
	}
	f.stepAt(t, warsaw(t, "2026-03-11 07:00"))
	f.stepAt(t, warsaw(t, "2026-03-11 07:30"))
	got = srv.fresh(t)
	if len(got) != 1 {
		t.Fatalf("the next day want one digest, got %d", len(got))
	}
	if b := got[0].body; countIn(b, 1) != 0 || countIn(b, 2) != 0 || countIn(b, 3) != 1 {
		t.Fatalf("the next day's digest repeats or misses items:\n%s", b)
	}
	if s, want := subjectOf(t, got[0]), testMunicipality+": podsumowanie dnia, 1 nowość"; s != want {
		t.Errorf("subject %q, want %q", s, want)
	}
}

// --- Weekly digests ---

// Notices of a week go in one digest on Monday at 7:00 Warsaw time, not
// before (not on Sunday night, not at 6:59), each once; one coming on
// Monday at 8:00 waits for the next Monday. The week is the one when
// Poland leaves summer time (Sunday 2026-10-25), so 7:00 is 6:00 UTC on
// that Monday and 5:00 UTC on the one before.
func TestWeeklyDigest(t *testing.T) {
	f := newFixture(t)
	f.s.Municipality = testMunicipality
	f.followLongAgo(t, "weekly", "email")

	week := map[int]string{
		1: "2026-10-19 07:30", // Monday, just after the week began
		2: "2026-10-21 12:00",
		3: "2026-10-25 01:30", // Sunday, before the clocks go back
		4: "2026-10-25 22:00",
		5: "2026-10-26 06:30", // Monday, before 7:00
	}
	for id := 1; id <= 5; id++ {
		at := warsaw(t, week[id])
		f.voteAt(t, id, at)
		f.stepAt(t, at.Add(time.Minute))
	}
	for _, at := range []string{"2026-10-25 23:00", "2026-10-26 06:00", "2026-10-26 06:59"} {
		f.stepAt(t, warsaw(t, at))
		if n := f.sent(); n != 0 {
			t.Fatalf("at %s (Warsaw) %d messages went; the digest is for Monday 7:00", at, n)
		}
	}
	f.stepAt(t, warsaw(t, "2026-10-26 07:00"))
	f.stepAt(t, warsaw(t, "2026-10-26 07:01"))
	if n := f.sent(); n != 1 {
		t.Fatalf("on Monday at 7:00 want one digest, got %d", n)
	}
	d := f.box.got[0]
	for id := 1; id <= 5; id++ {
		if countIn(d.Body, id) != 1 {
			t.Fatalf("vote %d is in the digest %d times:\n%s", id, countIn(d.Body, id), d.Body)
		}
	}
	if want := testMunicipality + ": podsumowanie tygodnia, 5 nowości"; d.Subject != want {
		t.Errorf("subject %q, want %q", d.Subject, want)
	}

	// Monday 8:00: for the next Monday.
	f.voteAt(t, 6, warsaw(t, "2026-10-26 08:00"))
	for _, at := range []string{"2026-10-26 08:01", "2026-10-27 07:00", "2026-11-01 23:00", "2026-11-02 06:59"} {
		f.stepAt(t, warsaw(t, at))
		if n := f.sent(); n != 1 {
			t.Fatalf("at %s (Warsaw) a second digest went", at)
		}
	}
	f.stepAt(t, warsaw(t, "2026-11-02 07:00"))
	if n := f.sent(); n != 2 {
		t.Fatalf("on the next Monday at 7:00 want the second digest, got %d messages", n)
	}
	b := f.box.got[1].Body
	for id := 1; id <= 5; id++ {
		if countIn(b, id) != 0 {
			t.Fatalf("the second digest repeats vote %d:\n%s", id, b)
		}
	}
	if countIn(b, 6) != 1 {
		t.Fatalf("the second digest lacks vote 6:\n%s", b)
	}
}

// --- SMS through SMSAPI's sms.do (a double) ---

type smsRequest struct {
	method, path, auth, contentType string
	form                            url.Values
}

// smsapiDouble answers sms.do as SMSAPI does: JSON with a count, or an
// error code and message.
type smsapiDouble struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []smsRequest
	// fail, when set, is the next answers' status and body.
	failStatus int
	failBody   string
}

func newSMSAPIDouble(t *testing.T) *smsapiDouble {
	d := &smsapiDouble{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		d.mu.Lock()
		d.reqs = append(d.reqs, smsRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.PostForm})
		status, body := d.failStatus, d.failBody
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
		fmt.Fprintf(w, `{"count":1,"list":[{"id":"1","points":0.16,"number":%q,"date_sent":1700000000,"status":"QUEUE"}]}`, r.PostForm.Get("to"))
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *smsapiDouble) host() string { return d.srv.Listener.Addr().String() }

func (d *smsapiDouble) fail(status int, body string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failStatus, d.failBody = status, body
}

func (d *smsapiDouble) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.reqs)
}

func (d *smsapiDouble) last(t *testing.T) smsRequest {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.reqs) == 0 {
		t.Fatal("SMSAPI got nothing")
	}
	return d.reqs[len(d.reqs)-1]
}

const smsToken = "s3cr3tOAuthT0ken"

// checkSMSRequest asserts what every SMS to Anna's phone says to SMSAPI.
func checkSMSRequest(t *testing.T, r smsRequest) {
	t.Helper()
	if r.method != "POST" || r.path != "/sms.do" {
		t.Errorf("%s %s, want POST /sms.do", r.method, r.path)
	}
	if r.auth != "Bearer "+smsToken {
		t.Errorf("Authorization %q", r.auth)
	}
	if r.contentType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", r.contentType)
	}
	for k, want := range map[string]string{"to": "48600100200", "from": "Gmina", "encoding": "utf-8", "format": "json"} {
		if got := r.form.Get(k); got != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
}

var codeRE = regexp.MustCompile(`\b([0-9]{6})\b`)

func smsFixture(t *testing.T) (*fixture, *smsapiDouble, *bytes.Buffer) {
	f := newFixture(t)
	d := newSMSAPIDouble(t)
	sms, err := NewSMS("smsapi+http://"+smsToken+"@"+d.host()+"?from=Gmina", "")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	f.s.SMS, f.s.Municipality = sms, testMunicipality
	f.s.Log = slog.New(slog.NewTextHandler(&log, nil))
	return f, d, &log
}

// A phone is confirmed by the code SMSAPI carries to it; until then SMS
// cannot be chosen. Then a vote reaches the phone as an SMS with its line
// and an unsubscribe link; when SMSAPI refuses, the SMS is tried again
// later and not lost, and the token never shows.
func TestSMSThroughSMSAPI(t *testing.T) {
	ctx := context.Background()
	f, d, log := smsFixture(t)
	smsFollow := FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "sms"}

	_, err := f.s.Follow(f.anna, smsFollow, i18n.PL)
	if key, _ := ratusz.ErrorMessage(err); ratusz.ErrorField(err) != "channel" || key != "err.notify.phone_unverified" {
		t.Fatalf("an SMS follow with no phone: %v", err)
	}

	// SMSAPI down when the code is to go: a clear error.
	d.fail(http.StatusOK, `{"error":13,"message":"No correct phone numbers"}`)
	if _, err := f.s.SetPhone(f.anna, "600 100 200", i18n.PL); ratusz.ErrorCode(err) != ratusz.EINTERNAL {
		t.Fatalf("SetPhone with SMSAPI refusing: %v", err)
	} else if key, _ := ratusz.ErrorMessage(err); key != "err.notify.sms_failed" {
		t.Fatalf("SetPhone with SMSAPI refusing: %v", err)
	}
	d.fail(0, "")

	c, err := f.s.SetPhone(f.anna, "600 100 200", i18n.PL)
	if err != nil || c.Phone != "+48600100200" || c.VerifiedAt != nil {
		t.Fatalf("SetPhone: %+v %v", c, err)
	}
	r := d.last(t)
	checkSMSRequest(t, r)
	m := codeRE.FindStringSubmatch(r.form.Get("message"))
	if m == nil || !strings.HasPrefix(r.form.Get("message"), testMunicipality+": ") {
		t.Fatalf("the code SMS: %q", r.form.Get("message"))
	}
	code := m[1]

	if _, err := f.s.Follow(f.anna, smsFollow, i18n.PL); ratusz.ErrorField(err) != "channel" {
		t.Fatalf("an SMS follow before the code: %v", err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := f.s.VerifyPhone(f.anna, wrong); ratusz.ErrorField(err) != "code" {
		t.Fatalf("a wrong code: %v", err)
	} else if key, _ := ratusz.ErrorMessage(err); !strings.HasPrefix(key, "err.notify.code_wrong") {
		t.Fatalf("a wrong code: %v", err)
	}
	if c, _ := f.s.Contact(f.anna); c == nil || c.VerifiedAt != nil {
		t.Fatalf("after a wrong code the phone is %+v", c)
	}
	if c, err := f.s.VerifyPhone(f.anna, " "+code+" "); err != nil || c.VerifiedAt == nil {
		t.Fatalf("the right code: %+v %v", c, err)
	}
	if c, _ := f.s.Contact(f.anna); c == nil || c.VerifiedAt == nil || c.Phone != "+48600100200" {
		t.Fatalf("after the right code the phone is %+v", c)
	}
	if _, err := f.s.Follow(f.anna, smsFollow, i18n.PL); err != nil {
		t.Fatalf("an SMS follow after the code: %v", err)
	}

	// SMSAPI refuses the notice: an error kept on the message, tried again
	// later (not at once).
	before := d.count()
	d.fail(http.StatusOK, `{"error":101,"message":"Authorization failed"}`)
	f.vote(t, 1)
	if err := f.s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if d.count() != before+1 {
		t.Fatalf("SMSAPI got %d requests, want one", d.count()-before)
	}
	var lastErr *string
	var sent *time.Time
	var msgID int64
	if err := f.pool.QueryRow(ctx, "SELECT id, last_error, sent_at FROM notice_messages WHERE channel = 'sms'").Scan(&msgID, &lastErr, &sent); err != nil {
		t.Fatal(err)
	}
	if sent != nil || lastErr == nil || !strings.Contains(*lastErr, "101") || !strings.Contains(*lastErr, "Authorization failed") {
		t.Fatalf("a refused SMS: sent %v, error %v", sent, lastErr)
	}
	d.fail(0, "")
	if err := f.s.Step(ctx); err != nil || d.count() != before+1 {
		t.Fatalf("retried at once (%d requests, %v)", d.count()-before, err)
	}
	// The wait is over.
	if _, err := f.pool.Exec(ctx, "UPDATE notice_messages SET claimed_till = now() - interval '1 second' WHERE id = $1", msgID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if d.count() != before+2 {
		t.Fatalf("not retried: %d requests", d.count()-before)
	}
	r = d.last(t)
	checkSMSRequest(t, r)
	text := r.form.Get("message")
	if !strings.HasPrefix(text, testMunicipality+": "+voteTitle(1)) || !strings.Contains(text, "http://127.0.0.1:8080/rada/glosowania/1") {
		t.Fatalf("the SMS: %q", text)
	}
	if !strings.Contains(text, "Wypisz: http://127.0.0.1:8080/powiadomienia/wypisz/") {
		t.Fatalf("the SMS has no unsubscribe link: %q", text)
	}
	t.Logf("the SMS is %d characters: %q", len([]rune(text)), text)
	u, err := f.s.ByToken(ctx, unsubToken(t, text))
	if err != nil || len(u.Titles) != 1 || u.Titles[0] != voteTitle(1) {
		t.Fatalf("the SMS's token: %+v %v", u, err)
	}
	if err := f.pool.QueryRow(ctx, "SELECT last_error, sent_at FROM notice_messages WHERE id = $1", msgID).Scan(&lastErr, &sent); err != nil {
		t.Fatal(err)
	}
	if sent == nil || lastErr != nil {
		t.Fatalf("after the retry: sent %v, error %v", sent, lastErr)
	}
	if err := f.s.Step(ctx); err != nil || d.count() != before+2 {
		t.Fatalf("sent again after it was recorded (%v)", err)
	}
	if strings.Contains(log.String(), smsToken) {
		t.Fatalf("the token is in the log:\n%s", log)
	}
	if !strings.Contains(log.String(), "Authorization failed") {
		t.Errorf("the refusal is not in the log:\n%s", log)
	}
}

// At most five codes an hour, and five wrong tries of a code: the sixth is
// refused, with an error that says why, even with the right code.
func TestSMSCodeLimits(t *testing.T) {
	f, d, _ := smsFixture(t)
	for i := 1; i <= codesPerHour; i++ {
		if _, err := f.s.SetPhone(f.anna, "+48 600-100-200", i18n.PL); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
	}
	if d.count() != codesPerHour {
		t.Fatalf("SMSAPI got %d codes", d.count())
	}
	_, err := f.s.SetPhone(f.anna, "+48 600-100-200", i18n.PL)
	if key, _ := ratusz.ErrorMessage(err); ratusz.ErrorCode(err) != ratusz.ECONFLICT || key != "err.notify.codes_limit" {
		t.Fatalf("the sixth code within the hour: %v", err)
	}
	if d.count() != codesPerHour {
		t.Fatal("the sixth code was sent")
	}

	// Wrong tries, by another person (her own limits).
	ctx := context.Background()
	var jan int64
	if err := f.pool.QueryRow(ctx, "INSERT INTO users (email, name, roles) VALUES ('jan@example.org', 'Jan', '{resident}') RETURNING id").Scan(&jan); err != nil {
		t.Fatal(err)
	}
	janCtx := ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: jan, Email: "jan@example.org", Roles: []ratusz.Role{ratusz.RoleResident}})
	codeOf := func() string {
		m := codeRE.FindStringSubmatch(d.last(t).form.Get("message"))
		if m == nil {
			t.Fatalf("no code in %q", d.last(t).form.Get("message"))
		}
		return m[1]
	}
	if _, err := f.s.SetPhone(janCtx, "600 100 201", i18n.PL); err != nil {
		t.Fatal(err)
	}
	code := codeOf()
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 1; i <= codeAttempts; i++ {
		if _, err := f.s.VerifyPhone(janCtx, wrong); ratusz.ErrorField(err) != "code" {
			t.Fatalf("wrong try %d: %v", i, err)
		}
	}
	_, err = f.s.VerifyPhone(janCtx, code)
	if key, _ := ratusz.ErrorMessage(err); ratusz.ErrorField(err) != "code" || key != "err.notify.code_expired" {
		t.Fatalf("the right code after %d wrong tries: %v", codeAttempts, err)
	}
	if c, _ := f.s.Contact(janCtx); c == nil || c.VerifiedAt != nil {
		t.Fatalf("verified after too many tries: %+v", c)
	}
	// A new code starts again.
	if _, err := f.s.SetPhone(janCtx, "600 100 201", i18n.PL); err != nil {
		t.Fatal(err)
	}
	if c, err := f.s.VerifyPhone(janCtx, codeOf()); err != nil || c.VerifiedAt == nil {
		t.Fatalf("a new code: %+v %v", c, err)
	}
}

// SMSAPI's answers: an error in JSON, a non-200 status or no server at all
// is an error, which never carries the token.
func TestSMSAPIErrors(t *testing.T) {
	d := newSMSAPIDouble(t)
	sms, err := NewSMS("smsapi+http://"+smsToken+"@"+d.host()+"?from=Gmina", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := sms.SendSMS(ctx, "+48600100200", "Zażółć gęślą jaźń"); err != nil {
		t.Fatal(err)
	}
	r := d.last(t)
	checkSMSRequest(t, r)
	if r.form.Get("message") != "Zażółć gęślą jaźń" {
		t.Fatalf("message=%q", r.form.Get("message"))
	}
	for _, c := range []struct {
		status int
		body   string
	}{
		{http.StatusOK, `{"error":102,"message":"Invalid username or password"}`},
		{http.StatusUnauthorized, `{"error":101,"message":"Authorization failed"}`},
		{http.StatusOK, `{"count":0,"list":[]}`},
		{http.StatusBadGateway, `<html>bad gateway</html>`},
		{http.StatusOK, `not json`},
	} {
		d.fail(c.status, c.body)
		err := sms.SendSMS(ctx, "+48600100200", "x")
		if err == nil {
			t.Errorf("%d %s: no error", c.status, c.body)
		} else if strings.Contains(err.Error(), smsToken) {
			t.Errorf("the error carries the token: %v", err)
		}
	}
	d.srv.Close()
	if err := sms.SendSMS(ctx, "+48600100200", "x"); err == nil || strings.Contains(err.Error(), smsToken) {
		t.Fatalf("no server: %v", err)
	}
}

// "spool:" writes each SMS to a file only its owner can read; bad URLs are
// errors that never carry the token.
func TestSMSSpoolAndBadURLs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sms")
	sms, err := NewSMS("spool:", dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := sms.SendSMS(context.Background(), "+48600100200", fmt.Sprintf("Gmina: wiadomość %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the spool folder: %v %v", fi.Mode(), err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 {
		t.Fatalf("want a file per message, got %d (%v)", len(entries), err)
	}
	var texts []string
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want -rw-------", e.Name(), fi.Mode().Perm())
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	slices.Sort(texts)
	for i, s := range texts {
		if !strings.Contains(s, "+48600100200") || !strings.Contains(s, fmt.Sprintf("Gmina: wiadomość %d", i)) {
			t.Errorf("spooled: %q", s)
		}
	}

	if s, err := NewSMS("", ""); s != nil || err != nil {
		t.Errorf("no URL is no SMS: %v %v", s, err)
	}
	for _, raw := range []string{
		"ftp://" + smsToken + "@x",
		"ftp://x",
		"smsapi://api.smsapi.pl?from=Gmina",
		"smsapi://:" + smsToken + "@api.smsapi.pl",
		"smsapi://" + smsToken + "@",
		"smsapi+http://" + smsToken + "@127.0.0.1:bad",
		"smsapi://" + smsToken + "@api.smsapi.pl/\x7f",
	} {
		s, err := NewSMS(raw, "")
		if err == nil {
			t.Errorf("%q: no error (%T)", raw, s)
			continue
		}
		if strings.Contains(err.Error(), smsToken) {
			t.Errorf("%q: the error carries the token: %v", raw, err)
		}
	}
}

// --- Unsubscribing by the link, with no sign-in ---

// The token of a message's List-Unsubscribe names what it carried; using
// it ends that follow (and no other), so the next vote sends nothing; a
// second use is no error, and a token that is not one is not found.
func TestUnsubscribeByToken(t *testing.T) {
	ctx := context.Background() // no actor: the link needs no sign-in
	f := newFixture(t)
	f.s.Target(TargetBody, func(_ context.Context, id int64) (string, string, error) {
		return "Rada Gminy", "/rada", nil
	})
	if _, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); err != nil {
		t.Fatal(err)
	}
	body, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetBody, 1}, Delivery: "weekly", Channel: "email"}, i18n.PL)
	if err != nil {
		t.Fatal(err)
	}
	f.vote(t, 1)
	if err := f.s.Step(ctx); err != nil || f.sent() != 1 {
		t.Fatalf("%d messages (%v)", f.sent(), err)
	}
	lu := header(f.box.got[0], "List-Unsubscribe")
	token := unsubToken(t, lu)
	if !strings.Contains(f.box.got[0].Body, "/powiadomienia/wypisz/"+token) {
		t.Errorf("the body's link is not the header's")
	}

	u, err := f.s.ByToken(ctx, token)
	if err != nil || !slices.Equal(u.Titles, []string{voteTitle(1)}) || !u.Active || u.Ended != 0 {
		t.Fatalf("ByToken: %+v %v", u, err)
	}
	u, err = f.s.Unsubscribe(ctx, token)
	if err != nil || u.Ended != 1 || !slices.Equal(u.Titles, []string{voteTitle(1)}) {
		t.Fatalf("Unsubscribe: %+v %v", u, err)
	}
	list, err := f.s.Follows(f.anna)
	if err != nil || len(list) != 1 || list[0].ID != body.ID {
		t.Fatalf("after unsubscribing, the follows are %+v (%v); want only the council's", list, err)
	}
	if u, err := f.s.ByToken(ctx, token); err != nil || u.Active {
		t.Fatalf("ByToken after unsubscribing: %+v %v", u, err)
	}

	f.vote(t, 2)
	if err := f.s.Step(ctx); err != nil || f.sent() != 1 {
		t.Fatalf("a vote after unsubscribing sent %d messages (%v)", f.sent()-1, err)
	}

	// A second click: no error, nothing more ended (the page says the
	// notices are already off).
	u, err = f.s.Unsubscribe(ctx, token)
	if err != nil || u.Ended != 0 || u.Active {
		t.Fatalf("a second Unsubscribe: %+v %v", u, err)
	}

	unknown := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, tok := range []string{"", "garbage", "!!!", unknown, token + "x", token[:len(token)-1]} {
		if _, err := f.s.ByToken(ctx, tok); ratusz.ErrorCode(err) != ratusz.ENOTFOUND {
			t.Errorf("ByToken(%q): %v", tok, err)
		}
		if _, err := f.s.Unsubscribe(ctx, tok); ratusz.ErrorCode(err) != ratusz.ENOTFOUND {
			t.Errorf("Unsubscribe(%q): %v", tok, err)
		}
	}
	if list, _ := f.s.Follows(f.anna); len(list) != 1 {
		t.Fatalf("bad tokens ended follows: %d left", len(list))
	}
}

// Notices that wait for a later digest, however many, do not hold up an
// immediate one (the notifier takes pending notices in batches).
func TestImmediateNotHeldUpByWaitingDigests(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var jan, follow int64
	if err := f.pool.QueryRow(ctx, "INSERT INTO users (email, name, roles) VALUES ('jan@example.org', 'Jan', '{resident}') RETURNING id").Scan(&jan); err != nil {
		t.Fatal(err)
	}
	if err := f.pool.QueryRow(ctx, `INSERT INTO follows (user_id, target_type, target_id, delivery, channel, created_at)
		VALUES ($1, 'body', 1, 'weekly', 'email', '2020-01-01') RETURNING id`, jan).Scan(&follow); err != nil {
		t.Fatal(err)
	}
	// A busy week: 3000 items for Jan's next weekly digest (they came now,
	// so they wait for the next Monday).
	if _, err := f.pool.Exec(ctx, `INSERT INTO notices (follow_id, user_id, channel, item_key, event_id, title, url, at)
		SELECT $1, $2, 'email', 'old:' || i, 0, 'Sprawa ' || i, '/x', now() FROM generate_series(1, 3000) i`, follow, jan); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); err != nil {
		t.Fatal(err)
	}
	f.vote(t, 1)
	if err := f.s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if f.sent() != 1 || f.box.got[0].To != "anna@example.org" || !strings.Contains(f.box.got[0].Body, voteTitle(1)) {
		t.Fatalf("the immediate notice waits behind the weekly digest's items: %d messages sent", f.sent())
	}
}

// A week with more notices than the notifier takes at once still gives
// each follower one digest with all of that week's items, not a part of
// them now and the rest a week late.
func TestBigWeekIsOneDigestEach(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.s.Municipality = testMunicipality
	const people, items = 3, 1000
	if _, err := f.pool.Exec(ctx, `INSERT INTO users (email, name, roles) SELECT 'p' || i || '@example.org', 'P' || i, '{resident}' FROM generate_series(1, $1) i`, people); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `INSERT INTO follows (user_id, target_type, target_id, delivery, channel, created_at)
		SELECT id, 'body', 1, 'weekly', 'email', '2020-01-01' FROM users WHERE email LIKE 'p%@example.org' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	// As the notifier writes them: each item for every follower in turn.
	if _, err := f.pool.Exec(ctx, `INSERT INTO notices (follow_id, user_id, channel, item_key, event_id, title, url, at)
		SELECT fl.id, fl.user_id, 'email', 'item:' || i, 0, 'Sprawa ' || i, '/x/' || i, $1::timestamptz + make_interval(secs => i)
		FROM generate_series(1, $2) i, follows fl ORDER BY i, fl.id`, warsaw(t, "2026-10-20 09:00"), items); err != nil {
		t.Fatal(err)
	}
	f.stepAt(t, warsaw(t, "2026-10-26 07:00"))
	f.stepAt(t, warsaw(t, "2026-10-26 07:05"))
	if f.sent() != people {
		t.Fatalf("want %d digests, got %d", people, f.sent())
	}
	want := fmt.Sprintf("%s: podsumowanie tygodnia, %d nowości", testMunicipality, items)
	for _, m := range f.box.got {
		if m.Subject != want || !strings.Contains(m.Body, "- Sprawa 1\r\n") || !strings.Contains(m.Body, fmt.Sprintf("- Sprawa %d\r\n", items)) {
			t.Fatalf("a digest to %s: %q, want %q", m.To, m.Subject, want)
		}
	}
	var left int
	if err := f.pool.QueryRow(ctx, "SELECT count(*) FROM notices WHERE message_id IS NULL").Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d notices left for next week (%v)", left, err)
	}
}
