package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
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

type fixture struct {
	s    *Service
	box  *mailbox
	pool *pgxpool.Pool
	anna context.Context
}

// newFixture is a notifier for councillor 7's votes (event "test.vote"
// with payload {"id": N}) and a resident, Anna, who follows nothing yet.
func newFixture(t *testing.T) *fixture {
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
		var p struct{ ID int }
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return nil, err
		}
		return []Item{{Target: Target{TargetCouncillor, 7}, Key: fmt.Sprintf("vote:%d", p.ID), URL: fmt.Sprintf("/rada/glosowania/%d", p.ID), At: ev.At,
			Title: func(i18n.Lang) string { return fmt.Sprintf("Jan Kowalski głosował za (głosowanie %d)", p.ID) }}}, nil
	})
	anna := ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: uid, Email: "anna@example.org", Roles: []ratusz.Role{ratusz.RoleResident}})
	return &fixture{s: s, box: box, pool: pool, anna: anna}
}

func (f *fixture) vote(t *testing.T, id int) {
	ctx := context.Background()
	if err := pg.InTx(ctx, f.pool, func(tx pgx.Tx) error {
		return outbox.Write(ctx, tx, "test.vote", "session:1", map[string]int{"id": id})
	}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) sent() int {
	f.box.mu.Lock()
	defer f.box.mu.Unlock()
	return len(f.box.got)
}

// A followed councillor's vote reaches the follower once, even when the
// notifier dies after the server took the message and before it recorded
// it: the message is sent again with the same Message-ID, and nothing is
// lost.
func TestImmediateNoticeSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s, box, anna := f.s, f.box, f.anna

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

	f.vote(t, 1)
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
	if !strings.Contains(box.got[1].Body, "Jan Kowalski głosował za (głosowanie 1)") || box.got[1].To != "anna@example.org" {
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

// A daily digest goes at 7:00 (Warsaw) with what came before, once a
// day, and never repeats an item.
func TestDailyDigest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "daily", Channel: "email"}, i18n.PL); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	next := digestStart("daily", now).AddDate(0, 0, 1) // the next 7:00
	f.vote(t, 1)
	f.s.Now = func() time.Time { return now }
	if err := f.s.Step(ctx); err != nil || f.sent() != 0 {
		t.Fatalf("before the next 7:00 the digest is not due, yet %d messages went (%v)", f.sent(), err)
	}
	f.s.Now = func() time.Time { return next.Add(time.Minute) }
	if err := f.s.Step(ctx); err != nil || f.sent() != 1 {
		t.Fatalf("at 7:01: %d messages (%v)", f.sent(), err)
	}
	f.vote(t, 2)
	f.vote(t, 3)
	if err := f.s.Step(ctx); err != nil || f.sent() != 1 {
		t.Fatalf("a second digest on the same day: %d messages (%v)", f.sent(), err)
	}
	f.s.Now = func() time.Time { return next.AddDate(0, 0, 1).Add(time.Minute) }
	if err := f.s.Step(ctx); err != nil || f.sent() != 2 {
		t.Fatalf("the next day at 7:01: %d messages (%v)", f.sent(), err)
	}
	first, second := f.box.got[0].Body, f.box.got[1].Body
	if !strings.Contains(first, "(głosowanie 1)") || strings.Contains(first, "(głosowanie 2)") {
		t.Fatalf("first digest:\n%s", first)
	}
	if strings.Contains(second, "(głosowanie 1)") || !strings.Contains(second, "(głosowanie 2)") || !strings.Contains(second, "(głosowanie 3)") {
		t.Fatalf("second digest repeats or misses items:\n%s", second)
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

// A target is named by its module's query; an unknown one is not found,
// and following it says so beside the field.
func TestLookup(t *testing.T) {
	f := newFixture(t)
	info := Lookup(f.pool, "SELECT name, '/osoby/' || id FROM users WHERE id = $1")
	var id int64
	f.pool.QueryRow(context.Background(), "SELECT id FROM users WHERE name = 'Anna'").Scan(&id)
	if name, url, err := info(context.Background(), id); err != nil || name != "Anna" || url != fmt.Sprintf("/osoby/%d", id) {
		t.Fatalf("got %q %q %v", name, url, err)
	}
	if _, _, err := info(context.Background(), id+100); ratusz.ErrorCode(err) != ratusz.ENOTFOUND {
		t.Fatalf("unknown target: %v", err)
	}
	f.s.Target(TargetBody, info)
	_, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetBody, id + 100}, Delivery: "daily", Channel: "email"}, i18n.PL)
	if ratusz.ErrorField(err) != "target.id" {
		t.Fatalf("following an unknown target: %v", err)
	}
}

// Ending a follow twice (a second click) is no error; ending another
// person's is not found, and theirs stays.
func TestUnfollowTwice(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	fl, err := f.s.Follow(f.anna, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}, i18n.PL)
	if err != nil {
		t.Fatal(err)
	}
	var other int64
	f.pool.QueryRow(ctx, "INSERT INTO users (email, name, roles) VALUES ('jan@example.org', 'Jan', '{resident}') RETURNING id").Scan(&other)
	jan := ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: other, Email: "jan@example.org", Roles: []ratusz.Role{ratusz.RoleResident}})
	if _, err := f.s.Unfollow(jan, fl.ID); ratusz.ErrorCode(err) != ratusz.ENOTFOUND {
		t.Fatalf("another person's follow: %v", err)
	}
	if list, _ := f.s.Follows(f.anna); len(list) != 1 {
		t.Fatalf("Anna's follows after Jan's try: %d", len(list))
	}
	for i := 0; i < 2; i++ {
		if _, err := f.s.Unfollow(f.anna, fl.ID); err != nil {
			t.Fatalf("click %d: %v", i+1, err)
		}
	}
	if list, _ := f.s.Follows(f.anna); len(list) != 0 {
		t.Fatalf("still %d follows", len(list))
	}
}
