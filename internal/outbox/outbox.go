// Package outbox writes events in the caller's transaction, so that an
// event exists if and only if its change was committed; NOTIFY wakes the
// relays of every instance after commit. The Relay is the one reader of the
// outbox: it hands each event, in order, to its handlers (the live hub and
// the search indexer); Since replays a topic for a reconnecting viewer.
package outbox

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
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
