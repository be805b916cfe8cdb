package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
)

// BenchmarkLiveViewers is the live load tool: N viewers (RATUSZ_LIVE_VIEWERS,
// default 10,000) watch one session's live page, a vote is closed, and it
// measures how long each viewer waits for the named result, from the moment
// the close is asked for. It also reports how long the close itself took
// (the transaction with its BIP publication) and when the first viewer had
// the result: what comes before the fan-out. The viewers run in a child process (this test
// binary again), the server in this one, both on the machine's 2 cores. It
// measures once, whatever b.N: run it with -benchtime 1x.
func BenchmarkLiveViewers(b *testing.B) {
	n := 10000
	if v := os.Getenv("RATUSZ_LIVE_VIEWERS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	e := newEnv(b, nil)
	s := council.NewService(e.Pool)
	officeUser, _ := e.Accounts.FindUserByEmail(system, "biuro.rady@przykladowo.pl")
	office := ratusz.NewContextWithActor(context.Background(), officeUser.Actor())
	for id := int64(1); id <= 8; id++ {
		if err := s.SetAttendance(office, 2, id, true); err != nil {
			b.Fatal(err)
		}
	}
	agenda, _ := s.Agenda(office, 2)
	vote, err := s.CreateVote(office, agenda[2].ID, "Uchwała budżetowa", council.Absolute)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.OpenVote(office, vote.ID); err != nil {
		b.Fatal(err)
	}

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	child := exec.Command(os.Args[0], "-test.run=^$")
	// The viewers' goroutines sleep through a GC or two while they wait;
	// without this their stacks shrink then and grow again, copied, just
	// when the result arrives: the tool's work, not the server's.
	child.Env = append(os.Environ(), "GODEBUG=gcshrinkstackoff=1", "RATUSZ_LIVE_CHILD="+strings.Replace(e.URL, "http", "ws", 1)+"/live/sessions/2", "RATUSZ_LIVE_VIEWERS="+strconv.Itoa(n))
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
	time.Sleep(2 * time.Second) // every viewer subscribed
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perConn := float64(int64(after.HeapInuse+after.StackInuse)-int64(before.HeapInuse+before.StackInuse)) / float64(n)

	b.ResetTimer()
	asked := time.Now()
	fmt.Fprintln(in, asked.UnixNano())
	if _, err := s.CloseVote(office, vote.ID); err != nil {
		b.Fatal(err)
	}
	closed := time.Since(asked) // the transaction and its BIP publication
	if !out.Scan() {
		b.Fatal("viewers reported nothing")
	}
	b.StopTimer()
	var r viewerReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		b.Fatalf("report %q: %v", out.Text(), err)
	}
	child.Wait()
	b.ReportMetric(float64(n), "viewers")
	b.ReportMetric(float64(r.Failed), "failed")
	b.ReportMetric(float64(closed.Microseconds())/1000, "close-ms")
	b.ReportMetric(r.Min, "first-ms")
	b.ReportMetric(r.P50, "p50-ms")
	b.ReportMetric(r.P99, "p99-ms")
	b.ReportMetric(r.Max, "max-ms")
	b.ReportMetric(perConn/1024, "server-KiB/conn")
	b.ReportMetric(r.ClientKiB, "viewer-KiB/conn")
	fmt.Fprintf(os.Stderr, "live: %d viewers, %d failed; closed after %.1f ms, first viewer has it after %.1f ms; result after p50 %.1f ms, p99 %.1f ms, max %.1f ms; server %.1f KiB and viewer %.1f KiB per connection\n",
		n, r.Failed, float64(closed.Microseconds())/1000, r.Min, r.P50, r.P99, r.Max, perConn/1024, r.ClientKiB)
}

type viewerReport struct {
	Failed             int
	Min, P50, P99, Max float64
	ClientKiB          float64
}

// runViewers is the child process of BenchmarkLiveViewers: it connects the
// viewers, says "connected", reads the close instant from stdin, and prints
// the latencies as JSON. RATUSZ_LIVE_CHILD_CPUPROFILE=file profiles it
// while the viewers wait for the result.
func runViewers(url string, n int) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	dialer := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256, HandshakeTimeout: time.Minute}
	var closedAt atomic.Int64
	lat := make([]time.Duration, n)
	var connected, received sync.WaitGroup
	sem := make(chan struct{}, 200)
	var failed atomic.Int64
	// Every viewer holds its connection until all have the result, so that
	// closing them is not part of what is measured, on either side.
	allReceived := make(chan struct{})
	for i := 0; i < n; i++ {
		connected.Add(1)
		received.Add(1)
		sem <- struct{}{}
		go func(i int) {
			c, _, err := dialer.Dial(url, nil)
			<-sem
			connected.Done()
			if err != nil {
				failed.Add(1)
				lat[i] = -1
				received.Done()
				return
			}
			defer func() { received.Done(); <-allReceived; c.Close() }()
			c.SetReadDeadline(time.Now().Add(5 * time.Minute))
			for {
				// Only the type matters here, and it comes first: no
				// decoding, not even reading the rest, so the tool takes
				// as little of the shared cores as it can.
				_, r, err := c.NextReader()
				var head [64]byte
				var n int
				if err == nil {
					n, err = io.ReadFull(r, head[:])
					if err == io.ErrUnexpectedEOF {
						err = nil
					}
				}
				if err != nil {
					failed.Add(1)
					lat[i] = -1
					return
				}
				if bytes.Contains(head[:n], []byte(`"type":"vote.closed"`)) {
					now := time.Now().UnixNano()
					for closedAt.Load() == 0 {
						time.Sleep(time.Millisecond)
					}
					lat[i] = time.Duration(now - closedAt.Load())
					return
				}
			}
		}(i)
	}
	connected.Wait()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Println("connected")
	in := bufio.NewScanner(os.Stdin)
	if in.Scan() {
		t, _ := strconv.ParseInt(in.Text(), 10, 64)
		closedAt.Store(t)
	}
	if path := os.Getenv("RATUSZ_LIVE_CHILD_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	received.Wait()
	defer close(allReceived)
	var ok []time.Duration
	for _, d := range lat {
		if d >= 0 {
			ok = append(ok, d)
		}
	}
	r := viewerReport{Failed: int(failed.Load()), ClientKiB: float64(int64(after.HeapInuse+after.StackInuse)-int64(before.HeapInuse+before.StackInuse)) / float64(n) / 1024}
	if len(ok) > 0 {
		slices.Sort(ok)
		pct := func(p float64) float64 { return float64(ok[int(float64(len(ok)-1)*p)].Microseconds()) / 1000 }
		r.Min, r.P50, r.P99, r.Max = pct(0), pct(0.5), pct(0.99), pct(1)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}
