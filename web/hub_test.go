package web

import (
	"encoding/json"
	"testing"

	"github.com/ratusz/ratusz"
)

// A client that does not read is dropped once its queue is full; the others
// keep receiving everything.
func TestHubDropsSlowClient(t *testing.T) {
	h := newHub()
	slow, _ := h.subscribe("session:1")
	fast, _ := h.subscribe("session:1")
	got := 0
	for i := 1; i <= liveBuffer+10; i++ {
		h.publish(ratusz.Event{ID: int64(i), Type: "vote.progress", Topic: "session:1", Payload: json.RawMessage(`{}`)})
		if m := <-fast.send; m.seq != int64(i) {
			t.Fatalf("got seq %d, want %d", m.seq, i)
		}
		got++
	}
	select {
	case <-slow.closed:
	default:
		t.Fatal("a client with a full queue was not dropped")
	}
	select {
	case <-fast.closed:
		t.Fatal("a client that keeps up was dropped")
	default:
	}
	if got != liveBuffer+10 {
		t.Fatalf("fast client got %d", got)
	}
	h.shutdown()
	select {
	case <-fast.closed:
	default:
		t.Fatal("shutdown did not close the clients")
	}
	if _, ok := h.subscribe("session:1"); ok {
		t.Fatal("subscribed after shutdown")
	}
}
