package live

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
)

// fakeConn is a socket. It records the bytes written to it and reads them
// back as frames. take limits what one tryWrite accepts (a full send buffer
// takes 0 bytes, -1 is no limit); while gate is open (not closed), writes
// that wait, wait for it.
type fakeConn struct {
	mu     sync.Mutex
	buf    []byte
	take   int
	gate   chan struct{}
	writes int
	woken  atomic.Bool
}

func newFakeConn() *fakeConn { return &fakeConn{take: -1} }

func (f *fakeConn) tryWrite(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	n := len(b)
	if f.take >= 0 {
		n = min(n, f.take)
	}
	f.buf = append(f.buf, b[:n]...)
	return n, nil
}

func (f *fakeConn) writeWait(b []byte, deadline time.Time) error {
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-time.After(time.Until(deadline)):
			return os.ErrDeadlineExceeded
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.buf = append(f.buf, b...)
	return nil
}

func (f *fakeConn) wake() { f.woken.Store(true) }

func (f *fakeConn) set(take int, gate chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.take, f.gate = take, gate
}

// frames reads what was written back as (opcode, payload) frames, as far
// as they are complete.
func (f *fakeConn) frames(t *testing.T) (ops []byte, payloads [][]byte) {
	t.Helper()
	f.mu.Lock()
	b := slices.Clone(f.buf)
	f.mu.Unlock()
	for len(b) >= 2 {
		if b[0]&0x80 == 0 || b[1]&0x80 != 0 {
			t.Fatalf("not a final unmasked frame: % x", b[:2])
		}
		n, h := int(b[1]), 2
		switch n {
		case 126:
			n, h = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			n, h = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		if len(b) < h+n {
			break
		}
		ops = append(ops, b[0]&0x0f)
		payloads = append(payloads, b[h:h+n])
		b = b[h+n:]
	}
	return ops, payloads
}

// got is the sequence numbers of the messages written.
func (f *fakeConn) got(t *testing.T) []int64 {
	t.Helper()
	ops, payloads := f.frames(t)
	var seqs []int64
	for i, op := range ops {
		if op != websocket.TextMessage {
			continue
		}
		var m liveMessage
		if err := json.Unmarshal(payloads[i], &m); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		seqs = append(seqs, m.Seq)
	}
	return seqs
}

func publishN(h *Hub, topic string, from, to int) {
	for i := from; i <= to; i++ {
		h.Publish(ratusz.Event{ID: int64(i), Type: "vote.progress", Topic: topic, Payload: json.RawMessage(`{}`)})
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

func subscribeLive(t *testing.T, h *Hub, topic string) (*liveClient, *fakeConn) {
	t.Helper()
	f := newFakeConn()
	c, ok := h.subscribe(topic, f)
	if !ok {
		t.Fatal("subscribe refused")
	}
	if err := c.join(0); err != nil {
		t.Fatal(err)
	}
	return c, f
}

// replay writes messages from to to as the handler's replay would.
func (f *fakeConn) replay(from, to int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := from; i <= to; i++ {
		b, _ := json.Marshal(liveMessage{Seq: int64(i), Type: "vote.progress", Data: json.RawMessage(`{}`)})
		f.buf = append(f.buf, wsFrame(websocket.TextMessage, b)...)
	}
}

// A client whose socket takes nothing and whose writes hang is dropped
// once liveBuffer messages wait for it; the others of its shard keep
// receiving everything, in order, without waiting for it.
func TestHubDropsSlowClient(t *testing.T) {
	h := newHubShards(1) // the slow and the fast client share the one writer
	defer h.Shutdown()
	slow, sf := subscribeLive(t, h, "session:1")
	_, ff := subscribeLive(t, h, "session:1")
	sf.set(0, make(chan struct{})) // never opens
	start := time.Now()
	publishN(h, "session:1", 1, liveBuffer+10)
	waitFor(t, "the fast client has every event", func() bool { return len(ff.got(t)) == liveBuffer+10 })
	if took := time.Since(start); took > time.Second {
		t.Errorf("a stuck client held the others up for %v", took)
	}
	if !slices.Equal(ff.got(t), seqs(1, liveBuffer+10)) {
		t.Fatalf("fast client got %v", ff.got(t))
	}
	waitFor(t, "the stuck client is dropped", func() bool { return slow.dropped.Load() && sf.woken.Load() })
}

// A client whose socket takes only part of a frame gets the rest, and what
// follows, from its own goroutine, in order and whole, then again from its
// shard; the others do not wait for it meanwhile.
func TestHubSlowClientCatchesUp(t *testing.T) {
	h := newHubShards(1)
	defer h.Shutdown()
	slow, sf := subscribeLive(t, h, "session:1")
	_, ff := subscribeLive(t, h, "session:1")
	gate := make(chan struct{})
	sf.set(10, gate)
	publishN(h, "session:1", 1, 20)
	// The first frame went in part, the others wait.
	waitFor(t, "the shard has written the 20 events", func() bool { slow.mu.Lock(); defer slow.mu.Unlock(); return len(slow.pending) == 19 })
	slow.control(websocket.PongMessage, []byte("p")) // the reader's pong waits its turn
	publishN(h, "session:1", 21, 30)
	waitFor(t, "the fast client has every event", func() bool { return len(ff.got(t)) == 30 })
	if got := sf.got(t); len(got) != 0 {
		t.Fatalf("the slow client has %v before its socket drained", got)
	}
	sf.set(-1, nil)
	close(gate)
	waitFor(t, "the slow client catches up", func() bool { return len(sf.got(t)) == 30 })
	publishN(h, "session:1", 31, 32)
	waitFor(t, "the slow client is written by its shard again", func() bool { return len(sf.got(t)) == 32 })
	if !slices.Equal(sf.got(t), seqs(1, 32)) {
		t.Fatalf("slow client got %v", sf.got(t))
	}
	ops, payloads := sf.frames(t)
	if i := slices.Index(ops, websocket.PongMessage); i != 20 || string(payloads[i]) != "p" {
		t.Fatalf("the pong is frame %d of %v", i, ops)
	}
	if slow.dropped.Load() {
		t.Fatal("a client that caught up was dropped")
	}
}

// While a client replays what it missed, its new events are held; join
// writes those the replay did not, then live events follow: no gaps, no
// duplicates.
func TestHubJoinAfterReplay(t *testing.T) {
	h := newHubShards(2)
	defer h.Shutdown()
	f := newFakeConn()
	c, _ := h.subscribe("session:1", f)
	publishN(h, "session:1", 1, 5)
	waitFor(t, "the events are held", func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.pending) == 5 })
	if got := f.got(t); len(got) != 0 {
		t.Fatalf("written while replaying: %v", got)
	}
	f.replay(1, 3)
	if err := c.join(3); err != nil {
		t.Fatal(err)
	}
	publishN(h, "session:1", 6, 7)
	waitFor(t, "the live events arrive", func() bool { return len(f.got(t)) >= 7 })
	if !slices.Equal(f.got(t), seqs(1, 7)) {
		t.Fatalf("got %v, want 1…7", f.got(t))
	}
}

// Joining while events keep coming loses and repeats none, whenever the
// replay's snapshot is taken.
func TestHubJoinWhilePublishing(t *testing.T) {
	h := newHubShards(2)
	defer h.Shutdown()
	const n = 600
	type viewer struct {
		c *liveClient
		f *fakeConn
	}
	var vs []viewer
	for i := 0; i < 8; i++ {
		f := newFakeConn()
		if i%2 == 1 {
			f.set(7, nil) // and some take frames in pieces
		}
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
		v.f.replay(1, int(last))
		if err := v.c.join(last); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	for i, v := range vs {
		waitFor(t, "every event arrives", func() bool { return len(v.f.got(t)) >= n })
		if got := v.f.got(t); !slices.Equal(got, seqs(1, n)) {
			t.Fatalf("viewer %d: %d events, not 1…%d in order", i, len(got), n)
		}
	}
}

// A client still replaying when more than liveBuffer events arrive is too
// slow: it is dropped, to come back with a later ?since=.
func TestHubDropsClientReplayingTooLong(t *testing.T) {
	h := newHubShards(1)
	defer h.Shutdown()
	f := newFakeConn()
	c, _ := h.subscribe("session:1", f)
	publishN(h, "session:1", 1, liveBuffer+1)
	waitFor(t, "the client is dropped", func() bool { return c.dropped.Load() && f.woken.Load() })
	if err := c.join(0); err == nil {
		t.Fatal("a dropped client joined")
	}
}

// Shutdown drops every client and refuses new ones; a dropped client gets
// a close frame (going away).
func TestHubShutdown(t *testing.T) {
	h := newHubShards(2)
	a, af := subscribeLive(t, h, "session:1")
	b, bf := subscribeLive(t, h, "session:2")
	h.Shutdown()
	h.Shutdown() // the server's hook and Close both call it
	if !a.dropped.Load() || !b.dropped.Load() || !af.woken.Load() || !bf.woken.Load() {
		t.Fatal("shutdown did not drop the clients")
	}
	if _, ok := h.subscribe("session:1", newFakeConn()); ok {
		t.Fatal("subscribed after shutdown")
	}
	a.goodbye()
	ops, payloads := af.frames(t)
	if len(ops) != 1 || ops[0] != websocket.CloseMessage || binary.BigEndian.Uint16(payloads[0]) != websocket.CloseGoingAway {
		t.Fatalf("goodbye wrote %v %q", ops, payloads)
	}
}

// The frames the hub writes itself are what a websocket client reads, at
// every length encoding; a passed deadline of a write that waited does not
// fail the next write.
func TestLiveFrameLengths(t *testing.T) {
	sizes := []int{0, 125, 126, 0xffff, 0x10000}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		c := newNetLiveConn(conn)
		for _, n := range sizes[:len(sizes)-1] {
			if err := c.writeWait(wsFrame(websocket.TextMessage, bytes.Repeat([]byte{'x'}, n)), time.Now().Add(50*time.Millisecond)); err != nil {
				t.Error(err)
			}
		}
		// The last goes without waiting, after the deadlines above passed.
		time.Sleep(100 * time.Millisecond)
		b := wsFrame(websocket.TextMessage, bytes.Repeat([]byte{'x'}, sizes[len(sizes)-1]))
		n, err := c.tryWrite(b)
		if err != nil {
			t.Error(err)
		}
		if err := c.writeWait(b[n:], time.Now().Add(5*time.Second)); err != nil {
			t.Error(err)
		}
		conn.ReadMessage() // until the client goes
	}))
	defer srv.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for _, n := range sizes {
		typ, msg, err := c.ReadMessage()
		if err != nil || typ != websocket.TextMessage || len(msg) != n {
			t.Fatalf("a frame of %d bytes read as type %d, %d bytes: %v", n, typ, len(msg), err)
		}
	}
}

// Every client is pinged once a period, in its own slot of it: half-way
// through the period some have been pinged and some not, and after it
// all have.
func TestHubSpreadsPings(t *testing.T) {
	t.Parallel()
	h := newHubPinging(2, time.Second)
	defer h.Shutdown()
	var conns []*fakeConn
	for range 50 {
		_, f := subscribeLive(t, h, "session:1")
		conns = append(conns, f)
	}
	pinged := func() int {
		n := 0
		for _, f := range conns {
			if ops, _ := f.frames(t); slices.Contains(ops, websocket.PingMessage) {
				n++
			}
		}
		return n
	}
	time.Sleep(500 * time.Millisecond)
	if n := pinged(); n == 0 || n == len(conns) {
		t.Fatalf("half-way through the period %d of %d clients pinged: pings are not spread", n, len(conns))
	}
	waitFor(t, "every client is pinged", func() bool { return pinged() == len(conns) })
}

// Whatever the number of shards, each shard's clients fill every ping slot.
func TestHubPingSlotsPerShard(t *testing.T) {
	t.Parallel()
	h := newHubPinging(5, time.Hour)
	defer h.Shutdown()
	slots := map[*liveShard]map[int]bool{}
	for range 5 * livePingSlots {
		c, ok := h.subscribe("session:1", newFakeConn())
		if !ok {
			t.Fatal("subscribe refused")
		}
		if slots[c.shard] == nil {
			slots[c.shard] = map[int]bool{}
		}
		slots[c.shard][c.slot] = true
	}
	for i, s := range h.shards {
		if n := len(slots[s]); n != livePingSlots {
			t.Errorf("shard %d: its clients use %d of %d ping slots", i, n, livePingSlots)
		}
	}
}
