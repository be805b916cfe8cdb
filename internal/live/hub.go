// Package live is the websocket hub: it fans committed events out to the
// connections watching their topic (a session, later a chamber screen),
// through a few shard goroutines instead of one writer per viewer, pings
// every client in a slot of its own, drops a client that falls too far
// behind (it reconnects with ?since= for what it missed), and replays what
// a reconnecting client missed before it joins. The outbox relay feeds it
// (Publish); web mounts Serve on a route.
package live

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
)

// Live connections: a message is a committed event of the topic with its
// sequence number (the outbox id), so a client that reconnects with its last
// number receives exactly what it missed.
//
// A few shard goroutines write the events, each to its own share of the
// connections in turn, instead of waking one writer goroutine per viewer per
// event. A shard only ever writes what a socket takes at once, without
// waiting: when a client's send buffer is full, the rest of the frame, and
// what comes after it, is written by a goroutine of that client's own until
// it has caught up, so a slow client delays no other. If more than
// liveBuffer messages wait for it, it is dropped, and reconnects with
// ?since= for what it missed. Each connection keeps one goroutine, which
// reads (pongs, a close) and nothing else.
const (
	liveWriteWait  = 10 * time.Second // the replay on connect, a slow client's writes
	livePongWait   = 60 * time.Second
	livePingPeriod = 25 * time.Second
	livePingSlots  = 25 // each client is pinged in one slot of the period, so pings spread over it
	liveBuffer     = 64 // messages waiting for a client before it counts as too slow
	liveReplay     = 1000
)

type liveMessage struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// liveFrame is a message encoded and framed once for every client. A
// frame with a sequence number of 0 (a ping, a pong) is never skipped as
// already sent.
type liveFrame struct {
	seq  int64
	data []byte // the websocket frame as it goes on the wire
}

// wsFrame frames a payload as a server sends it: final, unmasked, not
// compressed.
func wsFrame(opcode byte, payload []byte) []byte {
	b := make([]byte, 0, len(payload)+10)
	b = append(b, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
	return append(b, payload...)
}

var livePing = liveFrame{data: wsFrame(websocket.PingMessage, nil)}

// liveConn is what the hub needs of a connection; tests fake it.
type liveConn interface {
	// tryWrite writes as much of b as the socket takes now, without waiting.
	tryWrite(b []byte) (int, error)
	// writeWait writes all of b, waiting up to the deadline.
	writeWait(b []byte, deadline time.Time) error
	// wake makes the connection's reader return.
	wake()
}

// netLiveConn writes to the connection's socket directly. Once the hub has
// the connection, gorilla writes to it only when the reader meets a protocol
// error, as the connection ends.
type netLiveConn struct {
	nc net.Conn
	rc syscall.RawConn // nil if the connection has no descriptor: every write waits
}

func newNetLiveConn(ws *websocket.Conn) netLiveConn {
	c := netLiveConn{nc: ws.NetConn()}
	if sc, ok := c.nc.(syscall.Conn); ok {
		c.rc, _ = sc.SyscallConn()
	}
	return c
}

func (c netLiveConn) tryWrite(b []byte) (int, error) {
	if c.rc == nil {
		return 0, nil
	}
	var n int
	var err error
	if rerr := c.rc.Write(func(fd uintptr) bool {
		n, err = syscall.Write(int(fd), b)
		return true // one attempt: never wait for the socket
	}); rerr != nil {
		return 0, rerr
	}
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// writeWait writes b, waiting up to the deadline, then clears the
// deadline: a passed one would fail tryWrite's writes too.
func (c netLiveConn) writeWait(b []byte, deadline time.Time) error {
	c.nc.SetWriteDeadline(deadline)
	_, err := c.nc.Write(b)
	c.nc.SetWriteDeadline(time.Time{})
	return err
}

func (c netLiveConn) wake() { c.nc.SetReadDeadline(time.Now()) }

var errLiveDropped = errors.New("live client dropped")

// liveClient is one connection of a topic. Until join, it is replaying what
// it missed and its shard only holds the new events for it (pending); after,
// the shard writes them itself, skipping what the replay already sent. While
// busy, a goroutine of its own writes what the socket did not take at once,
// and then pending, in order.
type liveClient struct {
	conn    liveConn
	topic   string
	shard   *liveShard
	slot    int // its ping slot, 0 .. livePingSlots-1
	dropped atomic.Bool

	mu      sync.Mutex
	live    bool
	busy    bool
	last    int64 // the last sequence number written, or being written
	pending []liveFrame
}

// drop tells the client to go away; its reader sends the close frame.
func (c *liveClient) drop() {
	if c.dropped.CompareAndSwap(false, true) {
		c.conn.wake()
	}
}

// deliver writes f, or holds it while the client replays or catches up.
func (c *liveClient) deliver(f liveFrame) {
	if c.dropped.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live && f.seq == 0 {
		return // no pings while replaying
	}
	if !c.live || c.busy {
		if len(c.pending) >= liveBuffer {
			c.drop() // too slow: it reconnects and catches up from its last seq
			return
		}
		c.pending = append(c.pending, f)
		return
	}
	c.writeLocked(f)
}

// writeLocked writes f if it is not already sent; what the socket does
// not take goes to a goroutine of the client's own.
func (c *liveClient) writeLocked(f liveFrame) {
	if f.seq != 0 && f.seq <= c.last {
		return
	}
	n, err := c.conn.tryWrite(f.data)
	if err != nil {
		c.drop()
		return
	}
	if f.seq != 0 {
		c.last = f.seq
	}
	if n < len(f.data) {
		c.busy = true
		go c.catchUp(f.data[n:])
	}
}

// catchUp writes rest, then what is pending, waiting for the socket as
// long as liveWriteWait each time, and gives the client back to its shard.
func (c *liveClient) catchUp(rest []byte) {
	for {
		if len(rest) > 0 {
			if err := c.conn.writeWait(rest, time.Now().Add(liveWriteWait)); err != nil {
				c.drop()
				return
			}
		}
		c.mu.Lock()
		for len(c.pending) > 0 && c.pending[0].seq != 0 && c.pending[0].seq <= c.last {
			c.pending = c.pending[1:]
		}
		if len(c.pending) == 0 || c.dropped.Load() {
			c.pending, c.busy = nil, false
			c.mu.Unlock()
			return
		}
		f := c.pending[0]
		c.pending = c.pending[1:]
		if f.seq != 0 {
			c.last = f.seq
		}
		c.mu.Unlock()
		rest = f.data
	}
}

// join hands the client to its shard once the replay has written
// everything up to last: first what arrived meanwhile, in order, then live.
func (c *liveClient) join(last int64) error {
	c.mu.Lock()
	if c.dropped.Load() {
		c.mu.Unlock()
		return errLiveDropped
	}
	c.live, c.busy, c.last = true, true, last
	c.mu.Unlock()
	c.catchUp(nil)
	if c.dropped.Load() {
		return errLiveDropped
	}
	return nil
}

// control writes a control frame the reader owes the client (a pong, the
// reply to a close), in turn with the rest.
func (c *liveClient) control(opcode byte, payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		if len(c.pending) < liveBuffer {
			c.pending = append(c.pending, liveFrame{data: wsFrame(opcode, payload)})
		}
		return
	}
	c.writeLocked(liveFrame{data: wsFrame(opcode, payload)})
}

// goodbye sends a dropped client its close frame, if its socket takes it
// at once.
func (c *liveClient) goodbye() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.busy {
		c.conn.tryWrite(wsFrame(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "")))
	}
}

// liveShard writes events to its share of the clients, in publication
// order, one client after another.
type liveShard struct {
	mu       sync.Mutex
	topics   map[string]*liveTopic
	queue    []liveEvent
	wake     chan struct{}
	nextSlot int // the ping slot of the next client
}

type liveTopic struct {
	clients map[*liveClient]struct{}
	list    []*liveClient // the clients as a slice, nil when they changed since
}

type liveEvent struct {
	topic string
	frame liveFrame
}

func (s *liveShard) clients(topic string) []*liveClient {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[topic]
	if t == nil {
		return nil
	}
	if t.list == nil {
		t.list = make([]*liveClient, 0, len(t.clients))
		for c := range t.clients {
			t.list = append(t.list, c)
		}
	}
	return t.list
}

func (s *liveShard) remove(c *liveClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.topics[c.topic]; t != nil {
		delete(t.clients, c)
		t.list = nil
		if len(t.clients) == 0 {
			delete(s.topics, c.topic)
		}
	}
}

func (s *liveShard) run(stop <-chan struct{}, period time.Duration) {
	// Every client is pinged once a period, but in its own slot of it: a
	// ping to every viewer at one instant would delay an event sent then.
	ping := time.NewTicker(period / livePingSlots)
	defer ping.Stop()
	slot := 0
	for {
		select {
		case <-stop:
			return
		case <-ping.C:
			slot = (slot + 1) % livePingSlots
			s.mu.Lock()
			topics := make([]string, 0, len(s.topics))
			for t := range s.topics {
				topics = append(topics, t)
			}
			s.mu.Unlock()
			for _, t := range topics {
				for _, c := range s.clients(t) {
					if c.slot == slot {
						c.deliver(livePing)
					}
				}
			}
		case <-s.wake:
			for {
				s.mu.Lock()
				if len(s.queue) == 0 {
					s.queue = nil
					s.mu.Unlock()
					break
				}
				ev := s.queue[0]
				s.queue = s.queue[1:]
				s.mu.Unlock()
				for _, c := range s.clients(ev.topic) {
					c.deliver(ev.frame)
				}
			}
		}
	}
}

// Hub fans events out to the clients of their topic through its shards.
type Hub struct {
	mu      sync.Mutex
	shards  []*liveShard
	next    int // the shard of the next client
	stop    chan struct{}
	closing bool
}

// New returns a hub with a shard per core.
func New() *Hub { return newHubShards(runtime.GOMAXPROCS(0)) }

func newHubShards(n int) *Hub { return newHubPinging(n, livePingPeriod) }

// newHubPinging is a hub whose clients are pinged every period.
func newHubPinging(n int, period time.Duration) *Hub {
	h := &Hub{stop: make(chan struct{})}
	for range max(n, 1) {
		s := &liveShard{topics: map[string]*liveTopic{}, wake: make(chan struct{}, 1)}
		h.shards = append(h.shards, s)
		go s.run(h.stop, period)
	}
	return h
}

// subscribe adds a client that is replaying; it receives live events once
// it joins.
func (h *Hub) subscribe(topic string, conn liveConn) (*liveClient, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, false
	}
	s := h.shards[h.next]
	h.next = (h.next + 1) % len(h.shards)
	s.mu.Lock()
	// Each shard hands out its own slots in turn, so its clients fill
	// every slot whatever the number of shards.
	c := &liveClient{conn: conn, topic: topic, shard: s, slot: s.nextSlot}
	s.nextSlot = (s.nextSlot + 1) % livePingSlots
	t := s.topics[topic]
	if t == nil {
		t = &liveTopic{clients: map[*liveClient]struct{}{}}
		s.topics[topic] = t
	}
	t.clients[c] = struct{}{}
	t.list = nil
	s.mu.Unlock()
	return c, true
}

func (h *Hub) unsubscribe(c *liveClient) { c.shard.remove(c) }

func (h *Hub) Publish(ev ratusz.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return
	}
	var to []*liveShard
	for _, s := range h.shards {
		s.mu.Lock()
		if s.topics[ev.Topic] != nil {
			to = append(to, s)
		}
		s.mu.Unlock()
	}
	if len(to) == 0 {
		return
	}
	b, _ := json.Marshal(liveMessage{Seq: ev.ID, Type: ev.Type, Data: ev.Payload})
	f := liveFrame{seq: ev.ID, data: wsFrame(websocket.TextMessage, b)}
	for _, s := range to {
		s.mu.Lock()
		s.queue = append(s.queue, liveEvent{topic: ev.Topic, frame: f})
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Shutdown tells every client to go away with a close frame.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return
	}
	h.closing = true
	close(h.stop)
	for _, s := range h.shards {
		s.mu.Lock()
		for _, t := range s.topics {
			for c := range t.clients {
				c.drop()
			}
		}
		s.mu.Unlock()
	}
}
