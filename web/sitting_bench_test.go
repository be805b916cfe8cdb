package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
)

// BenchmarkSitting is a sitting under load: a council of 31, each on their
// own device, casts a ballot through the API while 10,000 viewers
// (RATUSZ_LIVE_VIEWERS), the chair's console and the chamber's screen
// follow the session live; then the chair closes the vote. It measures the
// time from a councillor's tap to the ballot's acknowledgement (committed),
// and from the close to the result on every screen: each viewer's
// vote.closed, and the console and the screen having fetched their page
// with the result, as live.js does (the tool included). Run it once, with
// -benchtime 1x.
func BenchmarkSitting(b *testing.B) {
	n := 10000
	if v := os.Getenv("RATUSZ_LIVE_VIEWERS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	e := newEnv(b, nil)
	s := council.NewService(e.Pool)
	officeUser, _ := e.Accounts.FindUserByEmail(system, "biuro.rady@przykladowo.pl")
	office := ratusz.NewContextWithActor(context.Background(), officeUser.Actor())
	body, err := s.CreateBody(office, "Rada Miasta Próbnego", 31)
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, 31)
	for i := range tokens {
		email := fmt.Sprintf("radny%02d@probne.pl", i)
		if _, err := s.AddCouncillor(office, body.ID, fmt.Sprintf("Radny %02d", i), []string{"A", "B", "C"}[i%3], email); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Accounts.CreateUser(system, account.UserInput{Email: email, Name: fmt.Sprintf("Radny %02d", i), Roles: []ratusz.Role{ratusz.RoleCouncillor}, Password: "0123456789ab"}); err != nil {
			b.Fatal(err)
		}
		tokens[i] = e.token(email)
	}
	sess, err := s.CreateSession(office, body.ID, 1, "Sesja budżetowa", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	item, err := s.AddAgendaItem(office, sess.ID, "Uchwała budżetowa", nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.AllPresent(office, sess.ID); err != nil {
		b.Fatal(err)
	}
	if err := s.SetCurrentItem(office, sess.ID, item.ID); err != nil {
		b.Fatal(err)
	}
	vote, err := s.PrepareVote(office, council.VoteInput{AgendaItem: item.ID, Subject: "Uchwała budżetowa", Majority: council.AbsoluteStatutory})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.OpenVote(office, vote.ID); err != nil {
		b.Fatal(err)
	}
	sid := strconv.FormatInt(sess.ID, 10)
	wsURL := strings.Replace(e.URL, "http", "ws", 1) + "/live/sessions/" + sid

	// The viewers, in a child process as in BenchmarkLiveViewers.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "GODEBUG=gcshrinkstackoff=1", "RATUSZ_LIVE_CHILD="+wsURL, "RATUSZ_LIVE_VIEWERS="+strconv.Itoa(n))
	child.Stderr = os.Stderr
	in, _ := child.StdinPipe()
	outPipe, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	defer child.Process.Kill()
	out := bufio.NewScanner(outPipe)
	if !out.Scan() || out.Text() != "connected" {
		b.Fatalf("viewers did not connect: %q", out.Text())
	}

	// The console and the screen: on every event they fetch their page
	// again, one fetch at a time, as live.js does, and note when the page
	// first holds the result.
	officeTok := e.token("biuro.rady@przykladowo.pl")
	var closeAsked time.Time
	var askedMu sync.Mutex
	watch := func(path, token, result string) <-chan time.Duration {
		done := make(chan time.Duration, 1)
		c, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err != nil {
			b.Fatal(err)
		}
		events := make(chan struct{}, 1)
		go func() {
			defer close(events)
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
				select {
				case events <- struct{}{}:
				default: // a fetch is due already: folded into it
				}
			}
		}()
		go func() {
			defer c.Close()
			for range events {
				req, _ := http.NewRequest("GET", e.URL+path, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					continue
				}
				page, _ := io.ReadAll(res.Body)
				res.Body.Close()
				askedMu.Lock()
				at := closeAsked
				askedMu.Unlock()
				if !at.IsZero() && strings.Contains(string(page), result) {
					done <- time.Since(at)
					return
				}
			}
		}()
		return done
	}
	console := watch("/rada/sesje/"+sid+"/prowadzenie", officeTok, `class="outcome"`)
	screen := watch("/rada/sesje/"+sid+"/ekran", "", `class="screen-outcome"`)
	time.Sleep(2 * time.Second) // every viewer subscribed

	b.ResetTimer()
	// 31 taps within two seconds, as a chamber votes.
	taps := make([]time.Duration, len(tokens))
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Millisecond)
			req, _ := http.NewRequest("POST", e.URL+"/api/v1/votes/"+strconv.FormatInt(vote.ID, 10)+"/ballots", strings.NewReader(`{"choice":"for"}`))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			res, err := http.DefaultClient.Do(req)
			taps[i] = time.Since(start)
			if err != nil || res.StatusCode != http.StatusCreated {
				b.Errorf("ballot %d: %v %v", i, err, res)
				return
			}
			res.Body.Close()
		}()
	}
	wg.Wait()
	time.Sleep(500 * time.Millisecond) // the screens have the last progress

	askedMu.Lock()
	closeAsked = time.Now()
	askedMu.Unlock()
	fmt.Fprintln(in, closeAsked.UnixNano())
	if _, err := s.CloseVote(office, vote.ID); err != nil {
		b.Fatal(err)
	}
	closed := time.Since(closeAsked)
	if !out.Scan() {
		b.Fatal("viewers reported nothing")
	}
	var r viewerReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		b.Fatalf("report %q: %v", out.Text(), err)
	}
	consoleAt, screenAt := wait(b, console, "console"), wait(b, screen, "screen")
	b.StopTimer()
	child.Wait()

	slices.Sort(taps)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(float64(n), "viewers")
	b.ReportMetric(float64(r.Failed), "failed")
	b.ReportMetric(ms(taps[len(taps)/2]), "tap-p50-ms")
	b.ReportMetric(ms(taps[len(taps)*99/100]), "tap-p99-ms")
	b.ReportMetric(ms(taps[len(taps)-1]), "tap-max-ms")
	b.ReportMetric(ms(closed), "close-ms")
	b.ReportMetric(r.P50, "viewer-p50-ms")
	b.ReportMetric(r.P99, "viewer-p99-ms")
	b.ReportMetric(ms(consoleAt), "console-ms")
	b.ReportMetric(ms(screenAt), "screen-ms")
	fmt.Fprintf(os.Stderr, "sitting: 31 taps p50 %.1f ms, p99 %.1f ms, max %.1f ms; close %.1f ms; %d viewers (%d failed) have the result after p50 %.1f ms, p99 %.1f ms; the console after %.1f ms, the screen after %.1f ms\n",
		ms(taps[len(taps)/2]), ms(taps[len(taps)*99/100]), ms(taps[len(taps)-1]), ms(closed), n, r.Failed, r.P50, r.P99, ms(consoleAt), ms(screenAt))
}

func wait(b *testing.B, c <-chan time.Duration, what string) time.Duration {
	select {
	case d := <-c:
		return d
	case <-time.After(30 * time.Second):
		b.Fatalf("the %s never showed the result", what)
	}
	return 0
}
