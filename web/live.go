package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/outbox"
)

// Live connections: a message is a committed event of the topic with its
// sequence number (the outbox id), so a client that reconnects with its last
// number receives exactly what it missed.
//
// A few shard goroutines write the events, each to its own share of the
// connections in turn, instead of waking one writer goroutine per viewer per
// event. A shard writes a connection only while its socket takes the frame
// at once: a client so far behind that the kernel's send buffer is full is
// dropped after liveFanoutWait, so it delays the others by that much at
// most, and reconnects with ?since= for what it missed. Each connection
// keeps one goroutine, which reads (pongs, a close) and nothing else.
const (
	liveWriteWait  = 10 * time.Second     // the replay on connect, close frames
	liveFanoutWait = 5 * time.Millisecond // a shard's write to one connection
	livePongWait   = 60 * time.Second
	livePingPeriod = 25 * time.Second
	liveBuffer     = 64 // messages held for a client still replaying before it counts as too slow
	liveReplay     = 1000
)

type liveMessage struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// liveFrame is a message encoded and framed once for every client.
type liveFrame struct {
	seq   int64
	frame *websocket.PreparedMessage
}

// livePing is the ping frame, framed once; a frame with a sequence number of
// 0 is never skipped as already sent.
var livePing = func() liveFrame {
	pm, err := websocket.NewPreparedMessage(websocket.PingMessage, nil)
	if err != nil {
		panic(err)
	}
	return liveFrame{frame: pm}
}()

// liveConn is what the hub needs of a connection; tests fake it.
type liveConn interface {
	// write sends one frame, giving up at the deadline.
	write(f liveFrame, deadline time.Time) error
	// wake makes the connection's reader return.
	wake()
}

type wsConn struct{ *websocket.Conn }

func (c wsConn) write(f liveFrame, deadline time.Time) error {
	c.SetWriteDeadline(deadline)
	return c.WritePreparedMessage(f.frame)
}

func (c wsConn) wake() { c.SetReadDeadline(time.Now()) }

var errLiveDropped = errors.New("live client dropped")

// liveClient is one connection of a topic. Until join, it is replaying what
// it missed and its shard only holds the new events for it (pending); after,
// the shard writes them itself, skipping what the replay already sent.
type liveClient struct {
	conn    liveConn
	topic   string
	shard   *liveShard
	dropped atomic.Bool

	mu      sync.Mutex
	live    bool
	last    int64 // the last sequence number written
	pending []liveFrame
}

// drop tells the client to go away; its reader sends the close frame.
func (c *liveClient) drop() {
	if c.dropped.CompareAndSwap(false, true) {
		c.conn.wake()
	}
}

// deliver writes f, or holds it while the client replays.
func (c *liveClient) deliver(f liveFrame, wait time.Duration) {
	if c.dropped.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		if f.seq == 0 {
			return // no pings while replaying
		}
		if len(c.pending) >= liveBuffer {
			c.drop() // too slow: it reconnects and catches up from its last seq
			return
		}
		c.pending = append(c.pending, f)
		return
	}
	if f.seq != 0 && f.seq <= c.last {
		return
	}
	if err := c.conn.write(f, time.Now().Add(wait)); err != nil {
		c.drop()
		return
	}
	if f.seq != 0 {
		c.last = f.seq
	}
}

// join hands the client to its shard once the replay has written
// everything up to last: first what arrived meanwhile, in order, then live.
func (c *liveClient) join(last int64) error {
	for {
		c.mu.Lock()
		if c.dropped.Load() {
			c.mu.Unlock()
			return errLiveDropped
		}
		held := c.pending
		c.pending = nil
		if len(held) == 0 {
			c.live, c.last = true, last
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		for _, f := range held {
			if f.seq <= last {
				continue
			}
			if err := c.conn.write(f, time.Now().Add(liveWriteWait)); err != nil {
				c.drop()
				return err
			}
			last = f.seq
		}
	}
}

// liveShard writes events to its share of the clients, in publication
// order, one client after another.
type liveShard struct {
	mu     sync.Mutex
	topics map[string]*liveTopic
	queue  []liveEvent
	wake   chan struct{}
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

func (s *liveShard) run(stop <-chan struct{}) {
	ping := time.NewTicker(livePingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ping.C:
			s.mu.Lock()
			topics := make([]string, 0, len(s.topics))
			for t := range s.topics {
				topics = append(topics, t)
			}
			s.mu.Unlock()
			for _, t := range topics {
				for _, c := range s.clients(t) {
					c.deliver(livePing, liveFanoutWait)
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
					c.deliver(ev.frame, liveFanoutWait)
				}
			}
		}
	}
}

// hub fans events out to the clients of their topic through its shards.
type hub struct {
	mu      sync.Mutex
	shards  []*liveShard
	next    int // the shard of the next client
	stop    chan struct{}
	closing bool
}

func newHub() *hub { return newHubShards(runtime.GOMAXPROCS(0)) }

func newHubShards(n int) *hub {
	h := &hub{stop: make(chan struct{})}
	for range max(n, 1) {
		s := &liveShard{topics: map[string]*liveTopic{}, wake: make(chan struct{}, 1)}
		h.shards = append(h.shards, s)
		go s.run(h.stop)
	}
	return h
}

// subscribe adds a client that is replaying; it receives live events once
// it joins.
func (h *hub) subscribe(topic string, conn liveConn) (*liveClient, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, false
	}
	s := h.shards[h.next]
	h.next = (h.next + 1) % len(h.shards)
	c := &liveClient{conn: conn, topic: topic, shard: s}
	s.mu.Lock()
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

func (h *hub) unsubscribe(c *liveClient) { c.shard.remove(c) }

func (h *hub) publish(ev ratusz.Event) {
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
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return
	}
	f := liveFrame{seq: ev.ID, frame: pm}
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

// shutdown tells every client to go away with a close frame.
func (h *hub) shutdown() {
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

// liveWriteBuffers lends write buffers to connections only while they write
// (the replay), so ten thousand idle viewers do not each hold one.
var liveWriteBuffers = &sync.Pool{}

// checkOrigin accepts browsers on our own site (the Host they asked, or the
// configured base URL) and clients that send no Origin (not browsers).
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || strings.EqualFold(u.Host, s.cfg.BaseURL.Host)
}

// liveSession streams a session's events: agenda, attendance, votes opened,
// their progress (how many voted, never how) and their named results. It
// writes what the client missed, hands it to the hub and returns, leaving a
// small goroutine to read.
func (s *Server) liveSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.council.SessionByID(r.Context(), id); err != nil {
		return err
	}
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			return ratusz.Invalid("since", "err.council.cursor")
		}
	}
	if !s.checkOrigin(r) {
		return ratusz.Errorf(ratusz.EFORBIDDEN, "err.cross_origin")
	}
	up := websocket.Upgrader{ReadBufferSize: 512, WriteBufferSize: 4096, WriteBufferPool: liveWriteBuffers, CheckOrigin: s.checkOrigin}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	// Reads: only pongs and a close are expected. Dropping a client sets
	// its read deadline to now (so the deadline is set before subscribing),
	// and a pong must not push it back.
	conn.SetReadLimit(512)
	conn.SetReadDeadline(time.Now().Add(livePongWait))
	topic := council.SessionTopic(id)
	c, ok := s.live.subscribe(topic, wsConn{conn})
	if !ok {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"), time.Now().Add(time.Second))
		conn.Close()
		return nil
	}
	conn.SetPongHandler(func(string) error {
		err := conn.SetReadDeadline(time.Now().Add(livePongWait))
		if c.dropped.Load() {
			conn.SetReadDeadline(time.Now())
		}
		return err
	})

	// What the client missed, then live events, never twice.
	last, err := s.replayMissed(r, conn, topic, since)
	if err == nil {
		err = c.join(last)
	}
	if err != nil && !errors.Is(err, errLiveDropped) {
		s.live.unsubscribe(c)
		conn.Close()
		return nil
	}
	go s.liveRead(conn, c) // a dropped client gets its close frame there
	return nil
}

// replayMissed writes the events after since, if the client asked for them,
// and returns the last sequence number written.
func (s *Server) replayMissed(r *http.Request, conn *websocket.Conn, topic string, since int64) (int64, error) {
	if !r.URL.Query().Has("since") {
		return since, nil
	}
	missed, err := outbox.Since(r.Context(), s.pool, topic, since, liveReplay)
	if err != nil {
		return since, err
	}
	last := since
	for _, ev := range missed {
		conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
		if err := conn.WriteJSON(liveMessage{Seq: ev.ID, Type: ev.Type, Data: ev.Payload}); err != nil {
			return last, err
		}
		last = ev.ID
	}
	return last, nil
}

// liveRead reads a connection until it ends or its client is dropped, then
// lets it go.
func (s *Server) liveRead(conn *websocket.Conn, c *liveClient) {
	defer conn.Close()
	defer s.live.unsubscribe(c)
	for {
		if _, _, err := conn.NextReader(); err != nil {
			break
		}
	}
	if c.dropped.Load() {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
	}
}

// startLive runs the outbox relay into the hub until the server closes.
func (s *Server) startLive() {
	ctx, cancel := context.WithCancel(context.Background())
	relay := outbox.NewRelay(s.pool, s.log)
	relay.Poll = 500 * time.Millisecond
	relay.Handle(s.live.publish)
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	s.stopLive = func() { cancel(); <-done }
	s.OnShutdown(func(context.Context) { s.live.shutdown() })
}
