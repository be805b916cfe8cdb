package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type mailbox struct {
	mu  sync.Mutex
	got []mail.Message
}

func (b *mailbox) SendMessage(_ context.Context, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, m)
	return nil
}

// A followed councillor's vote reaches the follower once, even when the
// notifier dies after the server took the message and before it recorded
// it: the message is sent again with the same Message-ID, and nothing is
// lost.
func TestImmediateNoticeSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	var uid int64
	if err := pool.QueryRow(ctx, "INSERT INTO users (email, name, roles) VALUES ('anna@example.org', 'Anna', '{resident}') RETURNING id").Scan(&uid); err != nil {
		t.Fatal(err)
	}
	box := &mailbox{}
	s := NewService(pool, nil)
	s.Mail, s.BaseURL, s.ClaimFor = box, "http://127.0.0.1:8080", time.Millisecond
	s.Target(TargetCouncillor, func(_ context.Context, id int64) (string, string, error) {
		if id != 7 {
			return "", "", ratusz.Errorf(ratusz.ENOTFOUND, "err.not_found")
		}
		return "Jan Kowalski", "/rada/radni/7", nil
	})
	s.AddSource(func(_ context.Context, _ pg.Querier, ev ratusz.Event) ([]Item, error) {
		if ev.Type != "test.vote" {
			return nil, nil
		}
		return []Item{{Target: Target{TargetCouncillor, 7}, Key: "vote:1", URL: "/rada/glosowania/1", At: ev.At,
			Title: func(i18n.Lang) string { return "Jan Kowalski głosował za" }}}, nil
	})
	anna := ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: uid, Email: "anna@example.org", Roles: []ratusz.Role{ratusz.RoleResident}})

	// Bad input: every wrong field at once, and nothing written.
	_, err := s.Follow(anna, FollowInput{Target: Target{"nope", 1}, Delivery: "hourly", Channel: "fax"}, i18n.PL)
	var inv ratusz.Invalids
	if !errors.As(err, &inv) || len(inv) != 3 {
		t.Fatalf("want three field errors, got %v", err)
	}
	if _, err := s.Follow(ctx, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("anonymous follow: %v", err)
	}
	if _, err := s.Follow(anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Follow(anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("second follow of the same: %v", err)
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := outbox.Write(ctx, tx, "test.vote", "session:1", map[string]int{"id": 1}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	crashes := 0
	s.afterSend = func(int64) error {
		if crashes == 0 {
			crashes++
			return errors.New("crash")
		}
		return nil
	}
	for i := 0; i < 5; i++ {
		_ = s.Step(ctx)
		time.Sleep(5 * time.Millisecond)
	}
	if len(box.got) != 2 {
		t.Fatalf("want the message sent, then once again after the crash; got %d", len(box.got))
	}
	id0, id1 := header(box.got[0], "Message-ID"), header(box.got[1], "Message-ID")
	if id0 == "" || id0 != id1 {
		t.Fatalf("resent with Message-ID %q, first %q", id1, id0)
	}
	if !strings.Contains(box.got[1].Body, "Jan Kowalski głosował za") || box.got[1].To != "anna@example.org" {
		t.Fatalf("message: %+v", box.got[1])
	}
	if header(box.got[1], "List-Unsubscribe") == "" {
		t.Fatal("no List-Unsubscribe header")
	}
	// Another step sends nothing more.
	_ = s.Step(ctx)
	if len(box.got) != 2 {
		t.Fatalf("sent %d messages after all was recorded", len(box.got))
	}
}

func header(m mail.Message, name string) string {
	for _, h := range m.Headers {
		if v, ok := strings.CutPrefix(h, name+": "); ok {
			return v
		}
	}
	return ""
}
