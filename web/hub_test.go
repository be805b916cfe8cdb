package web

import (
	"encoding/json"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
)

// fakeConn records the sequence numbers written to it. A stuck one behaves
// as a socket whose send buffer is full: each write waits for its deadline
// and fails.
type fakeConn struct {
	mu     sync.Mutex
	seqs   []int64
	stuck  bool
	writes int
	woken  atomic.Bool
}

func (f *fakeConn) write(fr liveFrame, deadline time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.stuck {
		time.Sleep(time.Until(deadline))
		return os.ErrDeadlineExceeded
	}
	if fr.seq != 0 {
		f.seqs = append(f.seqs, fr.seq)
	}
	return nil
}

func (f *fakeConn) wake() { f.woken.Store(true) }

func (f *fakeConn) got() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seqs)
}

func publishN(h *hub, topic string, from, to int) {
	for i := from; i <= to; i++ {
		h.publish(ratusz.Event{ID: int64(i), Type: "vote.progress", Topic: topic, Payload: json.RawMessage(`{}`)})
	}
}

func seqs(from, to int) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, int64(i))
	}
	return s
}

// waitFor polls until cond holds, for the shards write asynchronously.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("timed out waiting until " + what)
		}
	}
}

func subscribeLive(t *testing.T, h *hub, topic string) (*liveClient, *fakeConn) {
	t.Helper()
	f := &fakeConn{}
	c, ok := h.subscribe(topic, f)
	if !ok {
		t.Fatal("subscribe refused")
	}
	if err := c.join(0); err != nil {
		t.Fatal(err)
	}
	return c, f
}

// A client whose socket does not take a frame is dropped after one short
// wait; the others of its shard keep receiving everything, in order.
func TestHubDropsSlowClient(t *testing.T) {
	h := newHubShards(1) // the slow and the fast client share the one writer
	defer h.shutdown()
	slow, sf := subscribeLive(t, h, "session:1")
	_, ff := subscribeLive(t, h, "session:1")
	sf.mu.Lock()
	sf.stuck = true
	sf.mu.Unlock()
	start := time.Now()
	publishN(h, "session:1", 1, 100)
	waitFor(t, "the fast client has every event", func() bool { return len(ff.got()) == 100 })
	if took := time.Since(start); took > time.Second {
		t.Errorf("a stuck client held the others up for %v", took)
	}
	if !slices.Equal(ff.got(), seqs(1, 100)) {
		t.Fatalf("fast client got %v", ff.got())
	}
	if !slow.dropped.Load() || !sf.woken.Load() {
		t.Fatal("the stuck client was not dropped")
	}
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.writes != 1 {
		t.Fatalf("a dropped client was written %d times", sf.writes)
	}
}

// While a client replays what it missed, its new events are held; join
// writes those the replay did not, then live events follow: no gaps, no
// duplicates.
func TestHubJoinAfterReplay(t *testing.T) {
	h := newHubShards(2)
	defer h.shutdown()
	f := &fakeConn{}
	c, _ := h.subscribe("session:1", f)
	publishN(h, "session:1", 1, 5)
	waitFor(t, "the events are held", func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.pending) == 5 })
	if len(f.got()) != 0 {
		t.Fatalf("written while replaying: %v", f.got())
	}
	// The replay wrote 1 to 3 itself.
	if err := c.join(3); err != nil {
		t.Fatal(err)
	}
	publishN(h, "session:1", 6, 7)
	waitFor(t, "the live events arrive", func() bool { return len(f.got()) >= 4 })
	if !slices.Equal(f.got(), seqs(4, 7)) {
		t.Fatalf("got %v, want 4…7", f.got())
	}
}

// Joining while events keep coming loses and repeats none, whenever the
// replay's snapshot is taken.
func TestHubJoinWhilePublishing(t *testing.T) {
	h := newHubShards(2)
	defer h.shutdown()
	const n = 600
	type viewer struct {
		c *liveClient
		f *fakeConn
	}
	var vs []viewer
	for i := 0; i < 8; i++ {
		f := &fakeConn{}
		c, _ := h.subscribe("session:1", f)
		vs = append(vs, viewer{c, f})
	}
	var published atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i <= n; i++ {
			publishN(h, "session:1", i, i)
			published.Store(int64(i))
			time.Sleep(100 * time.Microsecond) // fewer than liveBuffer arrive while a client replays

		}
	}()
	for i, v := range vs {
		for published.Load() < int64(5*i) {
			time.Sleep(100 * time.Microsecond)
		}
		// The replay: everything committed so far, written by the handler.
		last := published.Load()
		v.f.mu.Lock()
		v.f.seqs = append(v.f.seqs, seqs(1, int(last))...)
		v.f.mu.Unlock()
		if err := v.c.join(last); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	for i, v := range vs {
		waitFor(t, "every event arrives", func() bool { return len(v.f.got()) >= n })
		if got := v.f.got(); !slices.Equal(got, seqs(1, n)) {
			t.Fatalf("viewer %d: %d events, not 1…%d in order", i, len(got), n)
		}
	}
}

// A client still replaying when more than liveBuffer events arrive is too
// slow: it is dropped, to come back with a later ?since=.
func TestHubDropsClientReplayingTooLong(t *testing.T) {
	h := newHubShards(1)
	defer h.shutdown()
	f := &fakeConn{}
	c, _ := h.subscribe("session:1", f)
	publishN(h, "session:1", 1, liveBuffer+1)
	waitFor(t, "the client is dropped", func() bool { return c.dropped.Load() && f.woken.Load() })
	if err := c.join(0); err == nil {
		t.Fatal("a dropped client joined")
	}
}

// Shutdown drops every client and refuses new ones.
func TestHubShutdown(t *testing.T) {
	h := newHubShards(2)
	a, af := subscribeLive(t, h, "session:1")
	b, bf := subscribeLive(t, h, "session:2")
	h.shutdown()
	h.shutdown() // the server's hook and Close both call it
	if !a.dropped.Load() || !b.dropped.Load() || !af.woken.Load() || !bf.woken.Load() {
		t.Fatal("shutdown did not drop the clients")
	}
	if _, ok := h.subscribe("session:1", &fakeConn{}); ok {
		t.Fatal("subscribed after shutdown")
	}
}
