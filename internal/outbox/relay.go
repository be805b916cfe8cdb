package outbox

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
)

// Relay delivers committed events to handlers, in order, on every instance:
// it LISTENs for the commit's NOTIFY and also polls, so a lost notification
// delays an event by at most the poll interval and loses nothing.
type Relay struct {
	pool     *pgxpool.Pool
	log      *slog.Logger
	handlers []func(ratusz.Event)
	Poll     time.Duration
}

// NewRelay returns a relay; add handlers before Run.
func NewRelay(pool *pgxpool.Pool, log *slog.Logger) *Relay {
	return &Relay{pool: pool, log: log, Poll: 2 * time.Second}
}

// Handle adds a handler; it must not block.
func (r *Relay) Handle(fn func(ratusz.Event)) { r.handlers = append(r.handlers, fn) }

// Run delivers events written after it starts until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	var last int64
	for {
		err := r.pool.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM outbox").Scan(&last)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		time.Sleep(time.Second)
	}
	for ctx.Err() == nil {
		if err := r.listen(ctx, &last); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox relay: reconnecting", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (r *Relay) listen(ctx context.Context, last *int64) error {
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+Channel)
	for {
		if err := r.deliver(ctx, conn.Conn(), last); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, r.Poll)
		_, err := conn.Conn().WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() != nil {
			return nil
		}
		if err != nil && wctx.Err() == nil {
			return err
		}
	}
}

func (r *Relay) deliver(ctx context.Context, conn *pgx.Conn, last *int64) error {
	for {
		rows, _ := conn.Query(ctx, "SELECT id, type, topic, payload, created_at, live_only FROM outbox WHERE id > $1 ORDER BY id LIMIT 500", *last)
		events, err := pgx.CollectRows(rows, scanEvent)
		if err != nil {
			return err
		}
		for _, ev := range events {
			for _, h := range r.handlers {
				h(ev)
			}
			*last = ev.ID
		}
		if len(events) < 500 {
			return nil
		}
	}
}

func scanEvent(row pgx.CollectableRow) (ratusz.Event, error) {
	var ev ratusz.Event
	var payload []byte
	err := row.Scan(&ev.ID, &ev.Type, &ev.Topic, &payload, &ev.At, &ev.LiveOnly)
	ev.Payload = json.RawMessage(payload)
	return ev, err
}

// Since returns the events of a topic after a sequence number, for a client
// that reconnects (at most limit; it reconnects again for more).
func Since(ctx context.Context, pool *pgxpool.Pool, topic string, after int64, limit int) ([]ratusz.Event, error) {
	rows, _ := pool.Query(ctx, "SELECT id, type, topic, payload, created_at, live_only FROM outbox WHERE topic = $1 AND id > $2 ORDER BY id LIMIT $3", topic, after, limit)
	return pgx.CollectRows(rows, scanEvent)
}

// Reader returns Since on pool, in the shape the live hub replays with.
func Reader(pool *pgxpool.Pool) func(ctx context.Context, topic string, after int64, limit int) ([]ratusz.Event, error) {
	return func(ctx context.Context, topic string, after int64, limit int) ([]ratusz.Event, error) {
		return Since(ctx, pool, topic, after, limit)
	}
}
