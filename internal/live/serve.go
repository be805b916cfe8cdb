package live

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ratusz/ratusz"
)

// liveWriteBuffers lends write buffers to connections only while they write
// (the replay), so ten thousand idle viewers do not each hold one.
var liveWriteBuffers = &sync.Pool{}

// Replay reads the events of a topic after a sequence number, at most
// limit of them (the outbox's Since).
type Replay func(ctx context.Context, topic string, since int64, limit int) ([]ratusz.Event, error)

// Serve upgrades the request to a websocket and streams the topic's
// events: first what the client missed after since (when replay is set:
// it asked with ?since=), then live ones, never twice. It returns once the
// client is handed to the hub, leaving a small goroutine to read. The
// caller has checked the topic and the origin; checkOrigin is the
// upgrader's.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, topic string, since int64, replay bool, missed Replay, checkOrigin func(*http.Request) bool) {
	up := websocket.Upgrader{ReadBufferSize: 512, WriteBufferSize: 4096, WriteBufferPool: liveWriteBuffers, CheckOrigin: checkOrigin}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	// Reads: only pongs and a close are expected. Dropping a client sets
	// its read deadline to now (so the deadline is set before subscribing),
	// and a pong must not push it back.
	conn.SetReadLimit(512)
	conn.SetReadDeadline(time.Now().Add(livePongWait))
	c, ok := h.subscribe(topic, newNetLiveConn(conn))
	if !ok {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"), time.Now().Add(time.Second))
		conn.Close()
		return
	}
	conn.SetPongHandler(func(string) error {
		err := conn.SetReadDeadline(time.Now().Add(livePongWait))
		if c.dropped.Load() {
			conn.SetReadDeadline(time.Now())
		}
		return err
	})
	// The hub writes to the socket itself: what gorilla's handlers would
	// write goes in turn with the events.
	conn.SetPingHandler(func(data string) error {
		c.control(websocket.PongMessage, []byte(data))
		return nil
	})
	conn.SetCloseHandler(func(code int, _ string) error {
		c.control(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""))
		return nil
	})

	// What the client missed, then live events, never twice.
	last := since
	if replay {
		last, err = replayMissed(r.Context(), conn, missed, topic, since)
	}
	conn.NetConn().SetWriteDeadline(time.Time{}) // the replay's, which would fail the hub's writes once passed
	if err == nil {
		err = c.join(last)
	}
	if err != nil && !errors.Is(err, errLiveDropped) {
		h.unsubscribe(c)
		conn.Close()
		return
	}
	go h.read(conn, c) // a dropped client gets its close frame there
}

// replayMissed writes the events after since and returns the last
// sequence number written.
func replayMissed(ctx context.Context, conn *websocket.Conn, missed Replay, topic string, since int64) (int64, error) {
	events, err := missed(ctx, topic, since, liveReplay)
	if err != nil {
		return since, err
	}
	last := since
	for _, ev := range events {
		conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
		if err := conn.WriteJSON(liveMessage{Seq: ev.ID, Type: ev.Type, Data: ev.Payload}); err != nil {
			return last, err
		}
		last = ev.ID
	}
	return last, nil
}

// read reads a connection until it ends or its client is dropped, then
// lets it go.
func (h *Hub) read(conn *websocket.Conn, c *liveClient) {
	defer conn.Close()
	defer h.unsubscribe(c)
	for {
		if _, _, err := conn.NextReader(); err != nil {
			break
		}
	}
	if c.dropped.Load() {
		c.goodbye()
	}
}
