// Package outbox writes events in the caller's transaction, so that an
// event exists if and only if its change was committed; NOTIFY wakes the
// relays of every instance after commit. The Relay reads the outbox for live
// delivery: it hands each event, in order, to its handlers (the live hub
// and the search indexer); Since replays a topic for a reconnecting viewer;
// the notifier reads each event once more, durably (Unnoticed and
// MarkNoticed), for the notices of follows.
package outbox

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
)

// Channel is the NOTIFY channel relays LISTEN on.
const Channel = "ratusz_outbox"

// Write records an event in tx.
func Write(ctx context.Context, tx pgx.Tx, typ, topic string, payload any) error {
	return write(ctx, tx, typ, topic, payload, false)
}

// WriteLive records an event that only live viewers need: it changes
// nothing that is searched or mailed (a vote's progress, attendance), so
// the indexer is not woken by it.
func WriteLive(ctx context.Context, tx pgx.Tx, typ, topic string, payload any) error {
	return write(ctx, tx, typ, topic, payload, true)
}

func write(ctx context.Context, tx pgx.Tx, typ, topic string, payload any, liveOnly bool) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO outbox (type, topic, payload, live_only) VALUES ($1, $2, $3, $4)", typ, topic, b, liveOnly); err != nil {
		return err
	}
	// Delivered at commit, once per transaction and channel payload.
	_, err = tx.Exec(ctx, "SELECT pg_notify($1, '')", Channel)
	return err
}

// Unnoticed locks and returns, oldest first, up to limit committed events
// the notifier has not read yet (live-only events never reach it). Rows
// another instance holds are skipped, so instances share the work; an
// event is read once because MarkNoticed runs in the same transaction as
// the notices it makes.
func Unnoticed(ctx context.Context, tx pgx.Tx, limit int) ([]ratusz.Event, error) {
	rows, _ := tx.Query(ctx, `SELECT id, type, topic, payload, created_at, live_only FROM outbox
		WHERE NOT noticed AND NOT live_only ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	return pgx.CollectRows(rows, scanEvent)
}

// MarkNoticed records events as read by the notifier.
func MarkNoticed(ctx context.Context, tx pgx.Tx, ids []int64) error {
	_, err := tx.Exec(ctx, "UPDATE outbox SET noticed = true WHERE id = ANY($1)", ids)
	return err
}
