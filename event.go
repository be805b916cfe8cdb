package ratusz

import (
	"encoding/json"
	"time"
)

// Event is something that happened, written to the outbox in the same
// transaction as the change and delivered after commit to the live hub, the
// search indexer and the mailer.
type Event struct {
	ID      int64           `json:"id"`
	Type    string          `json:"type"`  // e.g. "vote.closed"
	Topic   string          `json:"topic"` // e.g. "session:12", who listens
	Payload json.RawMessage `json:"payload"`
	At      time.Time       `json:"at"`
	// LiveOnly marks an event only live viewers need: it changes nothing
	// searched or mailed (outbox.WriteLive).
	LiveOnly bool `json:"-"`
}
