package council_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
)

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if ratusz.ErrorCode(err) != code || ratusz.ErrorField(err) != field {
		t.Fatalf("got %v (code %s, field %q), want code %s field %q", err, ratusz.ErrorCode(err), ratusz.ErrorField(err), code, field)
	}
}

func TestRollCallSecretAndRevote(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 4) // councillor 4 is absent

	// Roll call: the devices are out, the office records each choice.
	rc, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Budżet (imiennie)", Majority: council.Simple, Mode: "roll_call"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OpenVote(f.office, rc.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.CastBallot(f.as[0], rc.ID, council.For), ratusz.ECONFLICT, "")
	wantCode(t, f.s.RecordBallot(f.as[0], rc.ID, f.councillors[0].ID, council.For), ratusz.EFORBIDDEN, "")
	wantCode(t, f.s.RecordBallot(f.office, rc.ID, f.councillors[4].ID, council.For), ratusz.ECONFLICT, "councillor")
	for i, c := range []council.Choice{council.For, council.For, council.Against} {
		if err := f.s.RecordBallot(f.office, rc.ID, f.councillors[i].ID, c); err != nil {
			t.Fatal(err)
		}
	}
	if rc, err = f.s.CloseVote(f.office, rc.ID); err != nil {
		t.Fatal(err)
	}
	if c := rc.Counts; c.For != 2 || c.Against != 1 || c.NotVoting != 1 || c.Absent != 1 || *rc.Outcome != "adopted" || rc.Mode != "roll_call" {
		t.Fatalf("roll call %+v %+v", rc, rc.Counts)
	}
	pub, _ := bip.NewService(f.pool).Current(f.office, *rc.PublicationID)
	if !strings.Contains(pub.Body, "przez wyczytanie") || !strings.Contains(pub.Body, "| Radny 02 |") {
		t.Fatalf("roll-call list in BIP:\n%s", pub.Body)
	}

	// Secret: totals only, from the tellers' protocol.
	sv, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Wybór wiceprzewodniczącego", Majority: council.Absolute, Mode: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OpenVote(f.office, sv.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.CastBallot(f.as[0], sv.ID, council.For), ratusz.ECONFLICT, "")
	_, err = f.s.CloseVote(f.office, sv.ID)
	wantCode(t, err, ratusz.EINVALID, "counts")
	_, err = f.s.CloseSecretVote(f.office, sv.ID, council.Counts{For: 3, Against: 2})
	wantCode(t, err, ratusz.EINVALID, "counts") // 5 counted, 4 present
	if sv, err = f.s.CloseSecretVote(f.office, sv.ID, council.Counts{For: 3, Against: 1}); err != nil {
		t.Fatal(err)
	}
	if c := sv.Counts; c.For != 3 || c.Against != 1 || c.Abstain != 0 || c.NotVoting != 0 || c.Absent != 1 || len(sv.Ballots) != 0 || *sv.Outcome != "adopted" {
		t.Fatalf("secret vote %+v %+v", sv, sv.Counts)
	}
	pub, _ = bip.NewService(f.pool).Current(f.office, *sv.PublicationID)
	if !strings.Contains(pub.Body, "tajne") || strings.Contains(pub.Body, "Imienny wykaz") || strings.Contains(pub.Body, "Radny 00") {
		t.Fatalf("secret vote in BIP shows names:\n%s", pub.Body)
	}
	_, err = f.s.CloseSecretVote(f.office, rc.ID, council.Counts{For: 1})
	wantCode(t, err, ratusz.ECONFLICT, "") // already closed

	// Reasumpcja repeats a closed vote of the same session.
	_, err = f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja", Majority: council.Simple, Repeats: 999999})
	wantCode(t, err, ratusz.EINVALID, "repeats")
	re, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja: budżet", Majority: council.Simple, Repeats: rc.ID})
	if err != nil {
		t.Fatal(err)
	}
	if re.RepeatsID == nil || *re.RepeatsID != rc.ID {
		t.Fatalf("re-vote does not link: %+v", re)
	}
	_, err = f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "x", Majority: council.Simple, Mode: "hands"})
	wantCode(t, err, ratusz.EINVALID, "mode")
}

func TestTermsAndMemberships(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	body := f.session.BodyID
	if f.session.TermID != nil {
		t.Fatal("a session outside any term has a term")
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	end := day("2024-04-30")
	if _, err := f.s.CreateTerm(f.office, body, "VIII kadencja", day("2018-11-20"), &end); err != nil {
		t.Fatal(err)
	}
	term, err := f.s.CreateTerm(f.office, body, "IX kadencja", day("2024-05-07"), nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := day("2020-01-01")
	_, err = f.s.CreateTerm(f.office, body, "X", day("2029-05-01"), &bad)
	wantCode(t, err, ratusz.EINVALID, "ends_on")
	// Numbers run per term: session XII of the earlier term does not clash.
	old, err := f.s.CreateSession(f.office, body, 12, "", day("2019-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := f.s.CreateSession(f.office, body, 13, "", day("2026-12-20"))
	if err != nil {
		t.Fatal(err)
	}
	if cur.TermID == nil || *cur.TermID != term.ID || old.TermID == nil || *old.TermID == term.ID {
		t.Fatalf("terms: old %v, current %v", old.TermID, cur.TermID)
	}
	_, err = f.s.CreateSession(f.office, body, 13, "", day("2026-12-27"))
	wantCode(t, err, ratusz.ECONFLICT, "number")

	c := f.councillors[0]
	if err := f.s.ChangeClub(f.office, c.ID, "Nowy Klub", time.Now().AddDate(0, 0, 5)); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetFunction(f.office, c.ID, "vice_chair"); err != nil {
		t.Fatal(err)
	}
	ms, err := f.s.Memberships(f.office, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var clubs, roles []string
	for _, m := range ms {
		if m.ClubID != nil {
			clubs = append(clubs, m.Club+open(m.EndsOn))
		} else {
			roles = append(roles, m.Role+open(m.EndsOn))
		}
	}
	// Same-day corrections replace; later changes end the old membership.
	if strings.Join(clubs, ",") != "KO(ended),Nowy Klub" || strings.Join(roles, ",") != "vice_chair" {
		t.Fatalf("clubs %v roles %v", clubs, roles)
	}
	if err := f.s.EndMandate(f.office, c.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	members, _ := f.s.Councillors(f.office, body)
	if len(members) != 2 {
		t.Fatalf("%d members after a mandate ended", len(members))
	}
	wantCode(t, f.s.EndMandate(f.office, c.ID, time.Now()), ratusz.ENOTFOUND, "")
}

func open(end *time.Time) string {
	if end != nil {
		return "(ended)"
	}
	return ""
}

func TestNamedListsBySurname(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	for _, n := range []string{"Żaneta Adamska", "Adam Łuczak", "Beata Lis", "Celina Ćwik", "Damian Czarny"} {
		if _, err := f.s.AddCouncillor(f.office, f.session.BodyID, n, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	cs, _ := f.s.Councillors(context.Background(), f.session.BodyID)
	var got []string
	for _, c := range cs[1:] { // after "Radny 00", whose surname is "00"
		got = append(got, c.Name)
	}
	if want := "Żaneta Adamska, Damian Czarny, Celina Ćwik, Beata Lis, Adam Łuczak"; strings.Join(got, ", ") != want {
		t.Fatalf("order %s", strings.Join(got, ", "))
	}
}

// A closed vote's named list stays as it was: a mandate that ends later, a
// councillor who joins later, a club change — none of them rewrites it.
func TestNamedListOfRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	f.present(t, 3)
	v, _ := f.s.CreateVote(f.office, f.item.ID, "Budżet", council.Simple)
	f.s.OpenVote(f.office, v.ID)
	f.s.CastBallot(f.as[0], v.ID, council.For)
	f.s.CastBallot(f.as[1], v.ID, council.Against)
	if _, err := f.s.CloseVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	list := func() string {
		got, err := f.s.Vote(f.office, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range got.Ballots {
			out = append(out, b.Councillor+":"+b.Club+":"+b.Choice)
		}
		return strings.Join(out, " ")
	}
	before := list()
	if before != "Radny 00:KO:for Radny 01:PiS:against Radny 02:Niezależni:not_voting Radny 03:KO:absent" {
		t.Fatalf("named list %s", before)
	}
	if err := f.s.EndMandate(f.office, f.councillors[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ChangeClub(f.office, f.councillors[1].ID, "Nowy Klub", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddCouncillor(f.office, f.session.BodyID, "Radna Nowa", "KO", ""); err != nil {
		t.Fatal(err)
	}
	if after := list(); after != before {
		t.Fatalf("the named list changed:\n%s\n%s", before, after)
	}
	// Secret votes never name anyone, on a profile either.
	sv, _ := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Tajne", Majority: council.Simple, Mode: "secret"})
	f.s.OpenVote(f.office, sv.ID)
	if _, err := f.s.CloseSecretVote(f.office, sv.ID, council.Counts{For: 1}); err != nil {
		t.Fatal(err)
	}
	prof, err := f.s.CouncillorProfile(f.office, f.councillors[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := prof.Choices["not_voting"]; n != 1 || len(prof.Recent) != 1 {
		t.Fatalf("profile counts the secret vote: %+v", prof.Choices)
	}
}

// A roll call is recorded all or none; a vote on an item taken off the
// agenda cannot be opened; a withdrawn announcement does not stop the
// session.
func TestRollCallAndRemovedItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 4)
	other, _ := f.s.AddItem(f.office, f.session.ID, council.AgendaInput{Title: "Wolne wnioski"})
	draft, _ := f.s.CreateVote(f.office, other.ID, "Na później", council.Simple)
	if _, err := f.s.AnnounceSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	sess, _ := f.s.SessionByID(f.office, f.session.ID)
	tx, _ := f.pool.Begin(f.office)
	if _, err := bip.Withdraw(f.office, tx, *sess.AgendaPublicationID, "Omyłkowa publikacja."); err != nil {
		t.Fatal(err)
	}
	tx.Commit(f.office)
	if err := f.s.SetCurrentItem(f.office, f.session.ID, f.item.ID); err != nil {
		t.Fatal(err)
	}
	rm, err := f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "remove", Item: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.s.OpenVote(f.office, rm.ID)
	for i := 0; i < 3; i++ {
		f.s.CastBallot(f.as[i], rm.ID, council.For)
	}
	if _, err := f.s.CloseVote(f.office, rm.ID); err != nil {
		t.Fatalf("closing an agenda change after the announcement was withdrawn: %v", err)
	}
	_, err = f.s.OpenVote(f.office, draft.ID)
	wantCode(t, err, ratusz.ECONFLICT, "")

	rc, _ := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Imiennie", Majority: council.Simple, Mode: "roll_call"})
	f.s.OpenVote(f.office, rc.ID)
	err = f.s.RecordBallots(f.office, rc.ID, map[int64]council.Choice{f.councillors[0].ID: council.For, f.councillors[4].ID: council.For})
	wantCode(t, err, ratusz.ECONFLICT, "councillor") // councillor 4 is absent
	if got, _ := f.s.Vote(f.office, rc.ID); got.BallotsCast != 0 {
		t.Fatalf("%d choices kept from a refused roll call", got.BallotsCast)
	}
}
