package council_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestInterpellations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	i, err := f.s.File(f.as[1], f.councillors[1].BodyID, "interpelacja", "remontu ul. Lipowej", "Proszę o informację o terminie remontu ul. Lipowej.")
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	if !strings.HasPrefix(i.Number, "INT/") || i.DueOn.Sub(i.FiledOn) != 14*24*time.Hour || i.Councillor != "Radny 01" || i.PublicationID == nil {
		t.Fatalf("interpellation %+v (year %d)", i, year)
	}
	pub, err := bip.NewService(f.pool).Current(context.Background(), *i.PublicationID)
	if err != nil || pub.Category.Slug != "interpelacje" || !strings.Contains(pub.Body, "Proszę o informację") {
		t.Fatalf("question not in BIP: %v %+v", err, pub)
	}
	t.Run("ErrNotCouncillor", func(t *testing.T) {
		if _, err := f.s.File(f.office, f.councillors[0].BodyID, "interpelacja", "x", "y"); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := f.s.File(f.as[1], f.councillors[1].BodyID, "skarga", "x", "y"); ratusz.ErrorField(err) != "kind" {
			t.Fatalf("err = %v", err)
		}
		if _, err := f.s.File(f.as[1], f.councillors[1].BodyID, "zapytanie", "x", " "); ratusz.ErrorField(err) != "content" {
			t.Fatalf("err = %v", err)
		}
	})
	if _, err := f.s.AnswerInterpellation(f.as[2], i.ID, "Remont w 2027 r."); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("a councillor answered: %v", err)
	}
	if _, err := f.s.AnswerInterpellation(f.office, i.ID, "Remont ul. Lipowej rozpocznie się w kwietniu 2027 r."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AnswerInterpellation(f.office, i.ID, "Jeszcze raz"); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("answered twice: %v", err)
	}
	pub, _ = bip.NewService(f.pool).Current(context.Background(), *i.PublicationID)
	if pub.Version != 2 || pub.ChangeReason != "Udzielono odpowiedzi" || !strings.Contains(pub.Body, "kwietniu 2027") {
		t.Fatalf("answer not published as a new version: %+v", pub)
	}
	// An old, unanswered one is overdue.
	late, _ := f.s.File(f.as[3], f.councillors[3].BodyID, "zapytanie", "oświetlenia", "Kiedy?")
	if _, err := f.pool.Exec(context.Background(), "UPDATE interpellations SET filed_on = filed_on - 30, due_on = due_on - 30 WHERE id = $1", late.ID); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string]int{"answered": 1, "overdue": 1, "awaiting": 0, "": 2} {
		_, total, err := f.s.Interpellations(context.Background(), council.InterpellationFilter{BodyID: f.councillors[0].BodyID, Status: status})
		if err != nil || total != want {
			t.Errorf("status %q: %d, want %d (%v)", status, total, want, err)
		}
	}
}

func TestImportInterpellationsKatowice(t *testing.T) {
	t.Parallel()
	term := sharedData(t, "katowice/kadencja-2024-2029.json")
	file := sharedData(t, "katowice/interpelacje.json")
	pool := testdb.New(t)
	s := council.NewService(pool)
	sys := ratusz.NewContextWithActor(context.Background(), ratusz.System)
	rep, err := s.ImportRadoskop(sys, term, "Rada Miasta Katowice", 0)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.ImportRadoskopInterpellations(sys, file, rep.BodyID)
	if err != nil || n != 1004 {
		t.Fatalf("imported %d: %v", n, err)
	}
	file.Seek(0, 0)
	if again, err := s.ImportRadoskopInterpellations(sys, file, rep.BodyID); err != nil || again != 0 {
		t.Fatalf("a second import added %d: %v", again, err)
	}
	_, answered, _ := s.Interpellations(sys, council.InterpellationFilter{BodyID: rep.BodyID, Status: "answered"})
	if answered != 940 {
		t.Fatalf("answered %d, want 940 (those with an answer date)", answered)
	}
	var linked int
	pool.QueryRow(sys, "SELECT count(*) FROM interpellations WHERE councillor_id IS NOT NULL").Scan(&linked)
	if linked < 500 {
		t.Fatalf("only %d interpellations linked to a councillor of the term", linked)
	}
}

// Ten councillors filing at once used to freeze the site: each filing held
// its transaction's connection while asking the pool for another, and with
// the pool used up nobody got one. The filings also got the same number.
// On a pool of two connections every filing must now finish, each with its
// own number.
func TestConcurrentFilings(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	small, err := pg.Open(context.Background(), f.pool.Config().ConnString()+" pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	s := council.NewService(small)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type result struct {
		i   *council.Interpellation
		err error
	}
	out := make(chan result, len(f.as))
	for k := range f.as {
		go func() {
			i, err := s.File(ratusz.NewContextWithActor(ctx, ratusz.ActorFromContext(f.as[k])), f.councillors[k].BodyID, "wniosek", fmt.Sprintf("sprawy %d", k), "Treść wniosku.")
			out <- result{i, err}
		}()
	}
	seen := map[string]bool{}
	for range f.as {
		r := <-out
		if r.err != nil {
			t.Fatalf("filing failed (a deadlock ends at the test's deadline): %v", r.err)
		}
		if seen[r.i.Number] {
			t.Fatalf("number %s given twice", r.i.Number)
		}
		seen[r.i.Number] = true
	}
	year := time.Now().In(time.FixedZone("CET", 3600)).Year()
	for k := 1; k <= len(f.as); k++ {
		if n := fmt.Sprintf("WN/%d/%d", year, k); !seen[n] {
			t.Fatalf("numbers %v miss %s", seen, n)
		}
	}
}

// Rights follow the role and the membership together: an account whose
// councillor role was taken away can no longer file or vote, though its
// e-mail still matches a member.
func TestCouncillorRightsNeedTheRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	f.present(t, 3)
	a := ratusz.ActorFromContext(f.as[0])
	a.Roles = []ratusz.Role{ratusz.RoleResident}
	demoted := ratusz.NewContextWithActor(context.Background(), a)
	if _, err := f.s.File(demoted, f.councillors[0].BodyID, "zapytanie", "oświetlenia", "Kiedy?"); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("filing without the role: %v", err)
	}
	v := f.openVote(t, "Przyjęcie porządku")
	if err := f.s.CastBallot(demoted, v.ID, council.For); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("voting without the role: %v", err)
	}
	if err := f.s.CastBallot(f.as[0], v.ID, council.For); err != nil {
		t.Fatalf("the councillor with the role: %v", err)
	}
	if bodies, _ := f.s.MyBodies(demoted); len(bodies) != 0 {
		t.Fatal("an account without the role is offered the councillor's bodies")
	}
}

// The chair is a member of the council: an account with the chair role and
// the member's e-mail votes and files like any councillor.
func TestChairVotesAsMember(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	f.present(t, 3)
	a := ratusz.ActorFromContext(f.as[0])
	a.Roles = []ratusz.Role{ratusz.RoleChair}
	chair := ratusz.NewContextWithActor(context.Background(), a)
	if _, err := f.s.File(chair, f.councillors[0].BodyID, "zapytanie", "oświetlenia", "Kiedy?"); err != nil {
		t.Fatalf("the chair files: %v", err)
	}
	v := f.openVote(t, "Przyjęcie porządku")
	if err := f.s.CastBallot(chair, v.ID, council.For); err != nil {
		t.Fatalf("the chair votes: %v", err)
	}
}

// openVote prepares and opens a simple-majority vote on the fixture's item.
func (f *fixture) openVote(t *testing.T, subject string) *council.Vote {
	t.Helper()
	v, err := f.s.CreateVote(f.office, f.item.ID, subject, council.Simple)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	return v
}
