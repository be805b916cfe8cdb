package council_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// fixture: a council of `seats` statutory seats with that many councillors,
// each with an account, a session with one agenda item, and the office.
type fixture struct {
	s           *council.Service
	pool        *pgxpool.Pool
	office      context.Context
	councillors []*council.Councillor
	as          []context.Context // each councillor's own context
	session     *council.Session
	item        *council.AgendaItem
}

func newFixture(t *testing.T, seats int) *fixture {
	t.Helper()
	pool := testdb.New(t)
	sys := ratusz.NewContextWithActor(context.Background(), ratusz.System)
	accounts := account.NewService(pool)
	mk := func(email, name string, role ratusz.Role) context.Context {
		u, err := accounts.CreateUser(sys, account.UserInput{Email: email, Name: name, Roles: []ratusz.Role{role}, Password: "0123456789ab"})
		if err != nil {
			t.Fatal(err)
		}
		return ratusz.NewContextWithActor(context.Background(), u.Actor())
	}
	f := &fixture{s: council.NewService(pool), pool: pool, office: mk("biuro@gmina.pl", "Joanna Kamińska", ratusz.RoleSecretary)}
	body, err := f.s.CreateBody(f.office, "Rada Gminy Przykładowo", seats)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < seats; i++ {
		email := fmt.Sprintf("radny%d@gmina.pl", i)
		c, err := f.s.AddCouncillor(f.office, body.ID, fmt.Sprintf("Radny %02d", i), []string{"KO", "PiS", "Niezależni"}[i%3], email)
		if err != nil {
			t.Fatal(err)
		}
		f.councillors = append(f.councillors, c)
		f.as = append(f.as, mk(email, c.Name, ratusz.RoleCouncillor))
	}
	if f.session, err = f.s.CreateSession(f.office, body.ID, 12, "Sesja budżetowa", time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if f.item, err = f.s.AddAgendaItem(f.office, f.session.ID, "Podjęcie uchwały w sprawie budżetu na 2027 r.", []string{"DS-89/26"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// decide opens a vote, casts the first councillors' choices and closes it.
func (f *fixture) decide(t *testing.T, v *council.Vote, choices ...council.Choice) *council.Vote {
	t.Helper()
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	for i, c := range choices {
		if err := f.s.CastBallot(f.as[i], v.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	closed, err := f.s.CloseVote(f.office, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return closed
}

func (f *fixture) present(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := f.s.SetAttendance(f.office, f.session.ID, f.councillors[i].ID, true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVoteLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 7)
	f.present(t, 5) // councillors 5 and 6 are absent

	v, err := f.s.CreateVote(f.office, f.item.ID, "Uchwała budżetowa na rok 2027", council.Absolute)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.CastBallot(f.as[0], v.ID, council.For); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("ballot before opening: %v", err)
	}
	if _, err := f.s.OpenVote(f.as[0], v.ID); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("a councillor opened the vote: %v", err)
	}
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	for i, c := range []council.Choice{council.For, council.For, council.Against, council.Abstain} {
		if err := f.s.CastBallot(f.as[i], v.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	// A councillor may change their vote until the close.
	if err := f.s.CastBallot(f.as[3], v.ID, council.For); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrAbsent", func(t *testing.T) {
		if err := f.s.CastBallot(f.as[5], v.ID, council.For); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
			t.Fatalf("absent councillor voted: %v", err)
		}
	})
	t.Run("ErrNotCouncillor", func(t *testing.T) {
		if err := f.s.CastBallot(f.office, v.ID, council.For); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
			t.Fatalf("the office voted: %v", err)
		}
		if err := f.s.CastBallot(context.Background(), v.ID, council.For); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
			t.Fatalf("anonymous voted: %v", err)
		}
	})
	t.Run("ErrChoice", func(t *testing.T) {
		if err := f.s.CastBallot(f.as[4], v.ID, "maybe"); ratusz.ErrorCode(err) != ratusz.EINVALID || ratusz.ErrorField(err) != "choice" {
			t.Fatalf("err = %v", err)
		}
	})
	open, _ := f.s.Vote(context.Background(), v.ID)
	if open.Ballots != nil || open.BallotsCast != 4 {
		t.Fatalf("an open vote shows how people voted, or miscounts: %+v", open)
	}

	closed, err := f.s.CloseVote(f.office, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := council.Counts{For: 3, Against: 1, Abstain: 0, NotVoting: 1, Absent: 2}
	if *closed.Counts != want || *closed.Outcome != "adopted" {
		t.Fatalf("counts %+v outcome %s, want %+v adopted (3 > 1 + 0)", *closed.Counts, *closed.Outcome, want)
	}
	if len(closed.Ballots) != 7 || closed.Ballots[5].Choice != "absent" || closed.Ballots[4].Choice != "not_voting" {
		t.Fatalf("named list %+v", closed.Ballots)
	}
	if err := f.s.CastBallot(f.as[4], v.ID, council.For); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("ballot after close: %v", err)
	}
	// The named list is in BIP, from the same transaction.
	pub, err := bip.NewService(f.pool).Current(context.Background(), *closed.PublicationID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Radny 00", "przeciw", "nieobecny(a)", "nie głosował(a)", "przyjęto", "bezwzględna większość głosów", "Sesja XII"} {
		if !strings.Contains(pub.Body, s) {
			t.Errorf("BIP named list lacks %q:\n%s", s, pub.Body)
		}
	}
	if pub.Category.Slug != "glosowania" || pub.Metadata.EnteredBy != "Joanna Kamińska" {
		t.Fatalf("publication %+v", pub)
	}
}

func TestOpenVoteNeedsQuorum(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 7)
	f.present(t, 3) // 3 of 7: 6 < 7
	v, _ := f.s.CreateVote(f.office, f.item.ID, "Przyjęcie porządku obrad", council.Simple)
	if _, err := f.s.OpenVote(f.office, v.ID); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("opened without quorum: %v", err)
	}
	got, _ := f.s.Vote(context.Background(), v.ID)
	if got.State != "draft" {
		t.Fatal("a refused opening changed the vote")
	}
	// A councillor checks themselves in from their device; the fourth makes quorum.
	if err := f.s.SetAttendance(f.as[3], f.session.ID, f.councillors[3].ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetAttendance(f.as[3], f.session.ID, f.councillors[4].ID, true); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("a councillor checked in someone else: %v", err)
	}
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	other, _ := f.s.CreateVote(f.office, f.item.ID, "Druga", council.Simple)
	if _, err := f.s.OpenVote(f.office, other.ID); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("two votes open at once: %v", err)
	}
}

// Every ballot acknowledged before the close is counted, however they race.
func TestConcurrentBallotsAndClose(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 31)
	f.present(t, 31)
	v, _ := f.s.CreateVote(f.office, f.item.ID, "Absolutorium", council.AbsoluteStatutory)
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	acked := make([]bool, 31)
	for i := range f.as {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acked[i] = f.s.CastBallot(f.as[i], v.ID, council.For) == nil
		}()
	}
	time.Sleep(5 * time.Millisecond)
	closed, err := f.s.CloseVote(f.office, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	n := 0
	for i, ok := range acked {
		if ok {
			n++
			if closed.Ballots[i].Choice != "for" {
				t.Errorf("acknowledged ballot of %s missing from the result", closed.Ballots[i].Councillor)
			}
		}
	}
	if closed.Counts.For != n || closed.Counts.For+closed.Counts.NotVoting != 31 {
		t.Fatalf("%d acknowledged, counted %+v", n, closed.Counts)
	}
}

// An adopted vote's resolution gets the next number of the body's term and
// its publication in BIP; a rejected one gets neither.
func TestResolutions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 5)
	run := func(subject string, choices ...council.Choice) *council.Vote {
		t.Helper()
		v, err := f.s.CreateResolutionVote(f.office, f.item.ID, subject, council.Simple,
			&council.DraftResolution{Title: "w sprawie " + subject, Text: "§ 1. Postanawia się " + subject + "."})
		if err != nil {
			t.Fatal(err)
		}
		return f.decide(t, v, choices...)
	}
	a := run("budżetu", council.For, council.For, council.Against)
	b := run("podatków", council.Against, council.Against, council.For)
	c := run("statutu", council.For, council.For)
	year := f.session.StartsAt.Year()
	if a.Resolution == nil || a.Resolution.Number != fmt.Sprintf("XII/1/%d", year) {
		t.Fatalf("first resolution: %+v", a.Resolution)
	}
	if b.Resolution != nil {
		t.Fatalf("a rejected vote adopted a resolution: %+v", b.Resolution)
	}
	if c.Resolution == nil || c.Resolution.Number != fmt.Sprintf("XII/2/%d", year) {
		t.Fatalf("second resolution: %+v", c.Resolution)
	}
	pub, err := bip.NewService(f.pool).Current(context.Background(), a.Resolution.PublicationID)
	if err != nil || pub.Category.Slug != "uchwaly" || !strings.HasPrefix(pub.Title, "Uchwała nr XII/1/") || !strings.Contains(pub.Title, "Rady Gminy Przykładowo") || !strings.Contains(pub.Body, "Postanawia się budżetu") {
		t.Fatalf("resolution in BIP: %v %+v", err, pub)
	}
	if _, err := f.s.CreateResolutionVote(f.office, f.item.ID, "x", council.Simple, &council.DraftResolution{Title: "w sprawie x"}); ratusz.ErrorField(err) != "resolution.text" {
		t.Fatalf("a resolution without text: %v", err)
	}
}
