package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/outbox"
)

// Live connections: a message is a committed event of the topic with its
// sequence number (the outbox id), so a client that reconnects with its last
// number receives exactly what it missed.
const (
	liveWriteWait  = 10 * time.Second
	livePongWait   = 60 * time.Second
	livePingPeriod = 25 * time.Second
	liveBuffer     = 64 // messages queued for a client before it counts as too slow
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

type liveClient struct {
	send   chan liveFrame
	closed chan struct{}
	once   sync.Once
}

func (c *liveClient) drop() { c.once.Do(func() { close(c.closed) }) }

// hub fans events out to the clients of their topic. A client whose queue
// is full is dropped rather than slowing the others.
type hub struct {
	mu      sync.Mutex
	topics  map[string]map[*liveClient]struct{}
	closing bool
}

func newHub() *hub { return &hub{topics: map[string]map[*liveClient]struct{}{}} }

func (h *hub) subscribe(topic string) (*liveClient, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, false
	}
	c := &liveClient{send: make(chan liveFrame, liveBuffer), closed: make(chan struct{})}
	if h.topics[topic] == nil {
		h.topics[topic] = map[*liveClient]struct{}{}
	}
	h.topics[topic][c] = struct{}{}
	return c, true
}

func (h *hub) unsubscribe(topic string, c *liveClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.topics[topic], c)
	if len(h.topics[topic]) == 0 {
		delete(h.topics, topic)
	}
}

func (h *hub) publish(ev ratusz.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	clients := h.topics[ev.Topic]
	if len(clients) == 0 {
		return
	}
	b, _ := json.Marshal(liveMessage{Seq: ev.ID, Type: ev.Type, Data: ev.Payload})
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return
	}
	msg := liveFrame{seq: ev.ID, frame: pm}
	for c := range clients {
		select {
		case c.send <- msg:
		default:
			c.drop() // too slow: it reconnects and catches up from its last seq
		}
	}
}

// shutdown tells every client to go away with a close frame.
func (h *hub) shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closing = true
	for _, clients := range h.topics {
		for c := range clients {
			c.drop()
		}
	}
}

// liveWriteBuffers lends write buffers to connections only while they write,
// so ten thousand idle viewers do not each hold one.
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
// their progress (how many voted, never how) and their named results.
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
	topic := council.SessionTopic(id)
	c, ok := s.live.subscribe(topic)
	if !ok {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"), time.Now().Add(time.Second))
		conn.Close()
		return nil
	}
	defer s.live.unsubscribe(topic, c)
	defer conn.Close()

	// Reads: only pongs and a close are expected.
	conn.SetReadLimit(512)
	conn.SetReadDeadline(time.Now().Add(livePongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(livePongWait)) })
	go func() {
		for {
			if _, _, err := conn.NextReader(); err != nil {
				c.drop()
				return
			}
		}
	}()

	write := func(m liveMessage) error {
		conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
		return conn.WriteJSON(m)
	}
	// What the client missed, then live events, never twice.
	last := since
	if r.URL.Query().Has("since") {
		missed, err := outbox.Since(r.Context(), s.pool, topic, since, liveReplay)
		if err != nil {
			return nil
		}
		for _, ev := range missed {
			if err := write(liveMessage{Seq: ev.ID, Type: ev.Type, Data: ev.Payload}); err != nil {
				return nil
			}
			last = ev.ID
		}
	}
	ping := time.NewTicker(livePingPeriod)
	defer ping.Stop()
	for {
		select {
		case m := <-c.send:
			if m.seq <= last {
				continue
			}
			conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
			if err := conn.WritePreparedMessage(m.frame); err != nil {
				return nil
			}
			last = m.seq
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				return nil
			}
		case <-c.closed:
			conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return nil
		}
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
