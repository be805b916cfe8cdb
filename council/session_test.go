package council_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"

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

func labels(t *testing.T, f *fixture) string {
	t.Helper()
	items, err := f.s.Agenda(f.office, f.session.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		l := it.Label
		if it.RemovedByVoteID != nil {
			l = "-" + l
		}
		out = append(out, l)
	}
	return strings.Join(out, " ")
}

func announcementOf(t *testing.T, f *fixture) *bip.Publication {
	t.Helper()
	sess, err := f.s.SessionByID(f.office, f.session.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sess.AgendaPublicationID == nil {
		t.Fatal("session not announced")
	}
	p, err := bip.NewService(f.pool).Current(f.office, *sess.AgendaPublicationID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAgendaAndAnnouncement(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	add := func(in council.AgendaInput) (*council.AgendaItem, error) {
		return f.s.AddItem(f.office, f.session.ID, in)
	}

	// Sub-items go under their number; the next plain item follows the
	// highest number.
	for _, in := range []council.AgendaInput{{Title: "Sprawozdanie"}, {Label: "1b", Title: "Autopoprawka"}, {Label: "1a.", Title: "Opinia komisji"}, {Title: "Wolne wnioski"}} {
		if _, err := add(in); err != nil {
			t.Fatal(err)
		}
	}
	if got := labels(t, f); got != "1 1a 1b 2 3" {
		t.Fatalf("agenda order %q", got)
	}
	_, err := add(council.AgendaInput{Label: "2", Title: "Powtórka"})
	wantCode(t, err, ratusz.ECONFLICT, "label")
	_, err = add(council.AgendaInput{Label: "17-c", Title: "Zły numer"})
	wantCode(t, err, ratusz.EINVALID, "label")
	_, err = add(council.AgendaInput{Title: "  "})
	wantCode(t, err, ratusz.EINVALID, "title")
	if got := labels(t, f); got != "1 1a 1b 2 3" {
		t.Fatalf("refused items were written: %q", got)
	}

	// A file over the limit is refused before anything is stored.
	_, err = f.s.AddAgendaFile(f.office, f.item.ID, "duzy.pdf", make([]byte, bip.MaxAttachmentSize+1))
	wantCode(t, err, ratusz.ETOOLARGE, "file")
	if _, err := f.s.AddAgendaFile(f.office, f.item.ID, "projekt uchwały.pdf", []byte("%PDF-1.4 projekt")); err != nil {
		t.Fatal(err)
	}
	// Councillors cannot edit the agenda.
	_, err = f.s.AddItem(f.as[0], f.session.ID, council.AgendaInput{Title: "Mój punkt"})
	wantCode(t, err, ratusz.EFORBIDDEN, "")

	if _, err := f.s.AnnounceSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	p := announcementOf(t, f)
	if p.Category.Slug != "sesje" || !strings.Contains(p.Title, "Sesja XII Rady Gminy Przykładowo — 10 grudnia 2026 r.") {
		t.Fatalf("announcement %q in %q", p.Title, p.Category.Slug)
	}
	page := bip.RenderMarkdown(p.Body)
	for _, want := range []string{"Zwołuję XII sesję zwyczajną Rady Gminy Przykładowo", "<strong>1a.</strong> Opinia komisji", "(druk DS-89/26)", "<strong>3.</strong> Wolne wnioski"} {
		if !strings.Contains(page, want) {
			t.Errorf("announcement lacks %q:\n%s", want, p.Body)
		}
	}
	if len(p.Attachments) != 1 || p.Attachments[0].Name != "projekt uchwały.pdf" {
		t.Fatalf("announcement attachments %+v", p.Attachments)
	}
	_, err = f.s.AnnounceSession(f.office, f.session.ID)
	wantCode(t, err, ratusz.ECONFLICT, "")

	// Changes after the announcement revise it, saying what changed, and
	// keep the files published before.
	if _, err := add(council.AgendaInput{Title: "Informacja wójta", Papers: []string{"DS-90/26, DS-91/26"}}); err != nil {
		t.Fatal(err)
	}
	in := council.SessionInput{Number: 12, Kind: "ordinary", Title: "Sesja budżetowa", StartsAt: time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC),
		Place: "Sala widowiskowa GOK", BroadcastURL: "https://wideo.gmina.pl/live"}
	if _, err := f.s.UpdateSession(f.office, f.session.ID, in); err != nil {
		t.Fatal(err)
	}
	p = announcementOf(t, f)
	page = bip.RenderMarkdown(p.Body)
	if p.Version != 3 || !strings.Contains(page, "<strong>4.</strong> Informacja wójta (druk DS-90/26, DS-91/26)") || !strings.Contains(page, "11 grudnia 2026 r.</strong>, godz. 10:00, w miejscu: Sala widowiskowa GOK") ||
		!strings.Contains(page, "https://wideo.gmina.pl/live") || len(p.Attachments) != 1 {
		t.Fatalf("revised announcement v%d (%d files):\n%s", p.Version, len(p.Attachments), p.Body)
	}
	if !strings.Contains(p.ChangeReason, "termin") || !strings.Contains(p.ChangeReason, "miejsce") || !strings.Contains(p.ChangeReason, "transmisja") {
		t.Errorf("reason %q does not say what changed", p.ChangeReason)
	}
	bad := in
	bad.BroadcastURL = "javascript:alert(1)"
	_, err = f.s.UpdateSession(f.office, f.session.ID, bad)
	wantCode(t, err, ratusz.EINVALID, "broadcast_url")
}

func TestAgendaChangeByVote(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 5)
	second, err := f.s.AddItem(f.office, f.session.ID, council.AgendaInput{Title: "Wolne wnioski"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "add", Title: "Nowy punkt"})
	wantCode(t, err, ratusz.ECONFLICT, "") // before the session: edit directly

	if err := f.s.SetCurrentItem(f.office, f.session.ID, f.item.ID); err != nil {
		t.Fatal(err)
	}
	var kind string
	if err := f.pool.QueryRow(f.office, "SELECT type FROM outbox ORDER BY id DESC LIMIT 1").Scan(&kind); err != nil || kind != "agenda.current" {
		t.Fatalf("last event %q, %v", kind, err)
	}
	sess, _ := f.s.SessionByID(f.office, f.session.ID)
	if sess.State != "in_progress" || sess.CurrentItemID == nil || *sess.CurrentItemID != f.item.ID {
		t.Fatalf("session %+v", sess)
	}
	// During the session the agenda changes only by a vote.
	_, err = f.s.AddItem(f.office, f.session.ID, council.AgendaInput{Title: "Bez głosowania"})
	wantCode(t, err, ratusz.ECONFLICT, "")
	_, err = f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "rename"})
	wantCode(t, err, ratusz.EINVALID, "op")

	run := func(ch council.AgendaChange, choice council.Choice) *council.Vote {
		t.Helper()
		v, err := f.s.ProposeAgendaChange(f.office, f.session.ID, ch)
		if err != nil {
			t.Fatal(err)
		}
		if v.Majority != council.AbsoluteStatutory || v.AgendaItemID != f.item.ID {
			t.Fatalf("agenda change vote %+v", v)
		}
		if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if err := f.s.CastBallot(f.as[i], v.ID, choice); err != nil {
				t.Fatal(err)
			}
		}
		if v, err = f.s.CloseVote(f.office, v.ID); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := run(council.AgendaChange{Op: "add", Label: "1a", Title: "Stanowisko w sprawie drogi"}, council.For); *v.Outcome != "adopted" {
		t.Fatalf("outcome %s", *v.Outcome)
	}
	if got := labels(t, f); got != "1 1a 2" {
		t.Fatalf("after an adopted change: %q", got)
	}
	if v := run(council.AgendaChange{Op: "add", Title: "Odrzucony punkt"}, council.Against); *v.Outcome != "rejected" {
		t.Fatalf("outcome %s", *v.Outcome)
	}
	if got := labels(t, f); got != "1 1a 2" {
		t.Fatalf("a rejected change changed the agenda: %q", got)
	}
	v := run(council.AgendaChange{Op: "remove", Item: second.ID}, council.For)
	if got := labels(t, f); got != "1 1a -2" {
		t.Fatalf("after removing item 2: %q", got)
	}
	items, _ := f.s.Agenda(f.office, f.session.ID)
	if *items[2].RemovedByVoteID != v.ID {
		t.Fatal("removed item does not name its vote")
	}
	// A vote cannot be prepared on a removed item, nor the item made current.
	_, err = f.s.CreateVote(f.office, second.ID, "Głosowanie", council.Simple)
	wantCode(t, err, ratusz.EINVALID, "agenda_item")
	wantCode(t, f.s.SetCurrentItem(f.office, f.session.ID, second.ID), ratusz.EINVALID, "agenda_item")

	// The session closes only when no vote is open.
	open, _ := f.s.CreateVote(f.office, f.item.ID, "Otwarte", council.Simple)
	if _, err := f.s.OpenVote(f.office, open.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.CloseSession(f.office, f.session.ID), ratusz.ECONFLICT, "")
	if _, err := f.s.CloseVote(f.office, open.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CloseSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.CloseSession(f.office, f.session.ID), ratusz.ECONFLICT, "")
	// Closed: only links may still be set.
	sess, _ = f.s.SessionByID(f.office, f.session.ID)
	in := council.SessionInput{Number: sess.Number, Kind: sess.Kind, Title: sess.Title, StartsAt: sess.StartsAt, Place: sess.Place, RecordingURL: "https://wideo.gmina.pl/xii"}
	if _, err := f.s.UpdateSession(f.office, f.session.ID, in); err != nil {
		t.Fatal(err)
	}
	in.Place = "Gdzie indziej"
	_, err = f.s.UpdateSession(f.office, f.session.ID, in)
	wantCode(t, err, ratusz.ECONFLICT, "")
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

// A re-vote (reasumpcja) replaces the result of the vote it repeats:
// rejected now, a resolution adopted before is not adopted after all and
// an agenda change is undone; adopted again, the resolution keeps its
// number; a result already replaced cannot be repeated.
func TestRevotes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 5)
	bipSvc := bip.NewService(f.pool)
	revote := func(of *council.Vote, choices ...council.Choice) *council.Vote {
		t.Helper()
		v, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja: " + of.Subject, Majority: council.Simple, Repeats: of.ID})
		if err != nil {
			t.Fatal(err)
		}
		return f.decide(t, v, choices...)
	}
	first, err := f.s.CreateResolutionVote(f.office, f.item.ID, "budżet", council.Simple, &council.DraftResolution{Title: "w sprawie budżetu", Text: "§ 1. Uchwala się budżet."})
	if err != nil {
		t.Fatal(err)
	}
	first = f.decide(t, first, council.For, council.For, council.Against)
	if first.Resolution == nil || !strings.HasPrefix(first.Resolution.Number, "XII/1/") {
		t.Fatalf("first: %+v", first.Resolution)
	}

	// Rejected in the re-vote: the resolution is not adopted after all.
	re := revote(first, council.Against, council.Against, council.Against, council.For)
	if *re.Outcome != "rejected" || re.Resolution != nil {
		t.Fatalf("re-vote %+v %+v", re, re.Resolution)
	}
	first, _ = f.s.Vote(f.office, first.ID)
	if first.SupersededBy == nil || *first.SupersededBy != re.ID {
		t.Fatalf("the repeated vote does not name its re-vote: %+v", first.SupersededBy)
	}
	if r := first.Resolution; r == nil || r.VoidedBy == nil || *r.VoidedBy != re.ID {
		t.Fatalf("the resolution is not marked as not adopted: %+v", r)
	}
	pub, err := bipSvc.Current(f.office, first.Resolution.PublicationID)
	if err != nil || !pub.Withdrawn || !strings.Contains(pub.ChangeReason, "nie została podjęta") || !strings.Contains(pub.ChangeReason, fmt.Sprintf("głosowania nr %d", first.ID)) {
		t.Fatalf("BIP after the re-vote: %v %+v", err, pub)
	}
	if ev, err := f.s.OParlVoteEvent(f.office, first.ID); err != nil || ev.SupersededBy == nil || *ev.SupersededBy != re.ID || !ev.ResolutionVoided || ev.Modified.Before(*re.ClosedAt) {
		t.Fatalf("OParl vote event of the replaced vote: %v %+v", err, ev)
	}
	reg, _, err := f.s.Resolutions(f.office, council.ResolutionFilter{})
	if err != nil || len(reg) != 1 || reg[0].VoidedBy == nil || *reg[0].VoidedBy != re.ID {
		t.Fatalf("register: %v %+v", err, reg)
	}
	// A replaced result is not repeated again; its re-vote may be.
	_, err = f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Znowu", Majority: council.Simple, Repeats: first.ID})
	wantCode(t, err, ratusz.EINVALID, "repeats")
	again := revote(re, council.For, council.For, council.For)
	if again.Resolution == nil || !strings.HasPrefix(again.Resolution.Number, "XII/2/") {
		t.Fatalf("adopted in a second re-vote, the draft gets the next number: %+v", again.Resolution)
	}

	// Adopted again: the resolution keeps its number and moves to the re-vote.
	second, _ := f.s.CreateResolutionVote(f.office, f.item.ID, "podatki", council.Simple, &council.DraftResolution{Title: "w sprawie podatków", Text: "§ 1. Stawki."})
	second = f.decide(t, second, council.For, council.For, council.Against)
	number := second.Resolution.Number
	confirmed := revote(second, council.For, council.For, council.For, council.Against)
	if confirmed.Resolution == nil || confirmed.Resolution.Number != number {
		t.Fatalf("confirmed: %+v, want %s", confirmed.Resolution, number)
	}
	if old, _ := f.s.Vote(f.office, second.ID); old.Resolution != nil {
		t.Fatalf("the resolution stays on the replaced vote: %+v", old.Resolution)
	}
	pub, _ = bipSvc.Current(f.office, confirmed.Resolution.PublicationID)
	if pub.Withdrawn || pub.Version != 2 || !strings.Contains(pub.Body, "potwierdzono w reasumpcji") {
		t.Fatalf("BIP after a confirming re-vote: v%d %s", pub.Version, pub.Body)
	}
	// Two re-votes prepared of one result: once the first has replaced it,
	// the second cannot be opened.
	third, _ := f.s.CreateVote(f.office, f.item.ID, "wniosek formalny", council.Simple)
	third = f.decide(t, third, council.For, council.For)
	var twins []*council.Vote
	for range 2 {
		v, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja wniosku", Majority: council.Simple, Repeats: third.ID})
		if err != nil {
			t.Fatal(err)
		}
		twins = append(twins, v)
	}
	f.decide(t, twins[0], council.Against)
	_, err = f.s.OpenVote(f.office, twins[1].ID)
	wantCode(t, err, ratusz.ECONFLICT, "")

	var n int
	f.pool.QueryRow(f.office, "SELECT count(*) FROM resolutions").Scan(&n)
	if n != 3 {
		t.Fatalf("%d resolutions, want 3 (XII/1 not adopted, XII/2, %s)", n, number)
	}

	// An agenda change undone by a re-vote: the item put on comes off.
	if err := f.s.SetCurrentItem(f.office, f.session.ID, f.item.ID); err != nil {
		t.Fatal(err)
	}
	add, err := f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "add", Label: "1a", Title: "Stanowisko"})
	if err != nil {
		t.Fatal(err)
	}
	f.decide(t, add, council.For, council.For, council.For)
	if got := labels(t, f); got != "1 1a" {
		t.Fatalf("after adding: %q", got)
	}
	v, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja zmiany porządku", Majority: council.Simple, Repeats: add.ID})
	if err != nil || v.Majority != council.AbsoluteStatutory {
		t.Fatalf("a re-vote of an agenda change needs the statutory majority: %v %+v", err, v)
	}
	f.decide(t, v, council.Against, council.Against, council.Against)
	if got := labels(t, f); got != "1 -1a" {
		t.Fatalf("after the re-vote rejected the change: %q", got)
	}
}

// Re-votes found in review: a corrected draft, a publication withdrawn
// meanwhile, a chain of re-votes, an added item voted on since.
func TestRevoteEdgeCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 5)
	bipSvc := bip.NewService(f.pool)
	other, err := f.s.AddItem(f.office, f.session.ID, council.AgendaInput{Title: "Wolne wnioski"})
	if err != nil {
		t.Fatal(err)
	}
	revote := func(of *council.Vote, draft *council.DraftResolution, choices ...council.Choice) *council.Vote {
		t.Helper()
		v, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja", Majority: council.Simple, Repeats: of.ID, Resolution: draft})
		if err != nil {
			t.Fatal(err)
		}
		return f.decide(t, v, choices...)
	}

	// A corrected draft adopted in the re-vote is the resolution's text.
	a, _ := f.s.CreateResolutionVote(f.office, f.item.ID, "budżet", council.Simple, &council.DraftResolution{Title: "w sprawie budżetu", Text: "STARY tekst"})
	a = f.decide(t, a, council.For, council.For, council.For)
	ra := revote(a, &council.DraftResolution{Title: "w sprawie budżetu na 2027 r.", Text: "NOWY tekst"}, council.For, council.For, council.For)
	if ra.Resolution == nil || ra.Resolution.Number != a.Resolution.Number || ra.Resolution.Title != "w sprawie budżetu na 2027 r." {
		t.Fatalf("corrected draft: %+v", ra.Resolution)
	}
	pub, _ := bipSvc.Current(f.office, ra.Resolution.PublicationID)
	if !strings.Contains(pub.Title, "na 2027 r.") || !strings.Contains(pub.Body, "NOWY tekst") || strings.Contains(pub.Body, "STARY") {
		t.Fatalf("BIP keeps the old text: %s\n%s", pub.Title, pub.Body)
	}
	// The repeated vote's named list says its result was replaced.
	if list, _ := bipSvc.Current(f.office, *a.PublicationID); !strings.Contains(list.Body, "zastąpiła reasumpcja") {
		t.Fatalf("named list without a note:\n%s", list.Body)
	}

	// A publication withdrawn meanwhile does not stop the re-vote closing.
	b, _ := f.s.CreateResolutionVote(f.office, f.item.ID, "podatki", council.Simple, &council.DraftResolution{Title: "w sprawie podatków", Text: "§ 1."})
	b = f.decide(t, b, council.For, council.For, council.For)
	if err := pg.InTx(f.office, f.pool, func(tx pgx.Tx) error {
		_, err := bip.Withdraw(f.office, tx, b.Resolution.PublicationID, "Omyłkowo opublikowana")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rb := revote(b, nil, council.Against, council.Against, council.Against)
	if *rb.Outcome != "rejected" {
		t.Fatalf("re-vote %+v", rb)
	}

	// Agenda: a removal confirmed, then rejected by a re-vote of the re-vote.
	if err := f.s.SetCurrentItem(f.office, f.session.ID, f.item.ID); err != nil {
		t.Fatal(err)
	}
	rm, _ := f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "remove", Item: other.ID})
	rm = f.decide(t, rm, council.For, council.For, council.For)
	rm2 := revote(rm, nil, council.For, council.For, council.For)
	if got := labels(t, f); got != "1 -2" {
		t.Fatalf("after confirming the removal: %q", got)
	}
	revote(rm2, nil, council.Against, council.Against, council.Against)
	if got := labels(t, f); got != "1 2" {
		t.Fatalf("the removal rejected in a re-vote of the re-vote: %q", got)
	}

	// An item put on and voted on since cannot be taken off by a re-vote;
	// one not voted on is, and stops being the current item.
	add, _ := f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "add", Label: "1a", Title: "Stanowisko"})
	add = f.decide(t, add, council.For, council.For, council.For)
	items, _ := f.s.Agenda(f.office, f.session.ID)
	var added int64
	for _, it := range items {
		if it.Label == "1a" {
			added = it.ID
		}
	}
	under, _ := f.s.CreateVote(f.office, added, "Przyjęcie stanowiska", council.Simple)
	f.decide(t, under, council.For, council.For)
	_, err = f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Reasumpcja", Majority: council.Simple, Repeats: add.ID})
	wantCode(t, err, ratusz.EINVALID, "repeats")
	add2, _ := f.s.ProposeAgendaChange(f.office, f.session.ID, council.AgendaChange{Op: "add", Label: "1b", Title: "Apel"})
	add2 = f.decide(t, add2, council.For, council.For, council.For)
	items, _ = f.s.Agenda(f.office, f.session.ID)
	for _, it := range items {
		if it.Label == "1b" {
			added = it.ID
		}
	}
	if err := f.s.SetCurrentItem(f.office, f.session.ID, added); err != nil {
		t.Fatal(err)
	}
	revote(add2, nil, council.Against, council.Against, council.Against)
	if got := labels(t, f); got != "1 1a -1b 2" {
		t.Fatalf("after undoing 1b: %q", got)
	}
	if sess, _ := f.s.SessionByID(f.office, f.session.ID); sess.CurrentItemID != nil {
		t.Fatalf("the struck item is still the current one: %d", *sess.CurrentItemID)
	}
}

// The chair cancels a vote whose devices failed: the ballots cast stay on
// record but count for nothing, nothing is published, and the session
// goes on to vote again by roll call.
func TestCancelVote(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 5)
	v, err := f.s.CreateResolutionVote(f.office, f.item.ID, "budżet", council.Simple, &council.DraftResolution{Title: "w sprawie budżetu", Text: "§ 1."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := f.s.CastBallot(f.as[i], v.ID, council.For); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.s.CancelVote(f.as[0], v.ID, "awaria")
	wantCode(t, err, ratusz.EFORBIDDEN, "") // a councillor may not
	_, err = f.s.CancelVote(f.office, v.ID, "  ")
	wantCode(t, err, ratusz.EINVALID, "reason")
	c, err := f.s.CancelVote(f.office, v.ID, "Awaria systemu do głosowania")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "cancelled" || c.CancelReason != "Awaria systemu do głosowania" || c.Outcome != nil || c.Counts != nil || c.Resolution != nil || c.PublicationID != nil {
		t.Fatalf("cancelled vote %+v", c)
	}
	var kept int
	f.pool.QueryRow(f.office, "SELECT count(*) FROM ballots WHERE vote_id = $1", v.ID).Scan(&kept)
	if kept != 2 {
		t.Fatalf("%d ballots kept, want the 2 cast", kept)
	}
	wantCode(t, f.s.CastBallot(f.as[2], v.ID, council.For), ratusz.ECONFLICT, "")
	_, err = f.s.CloseVote(f.office, v.ID)
	wantCode(t, err, ratusz.ECONFLICT, "")
	_, err = f.s.CancelVote(f.office, v.ID, "jeszcze raz")
	wantCode(t, err, ratusz.ECONFLICT, "")

	// Voting again, by roll call: another vote opens and decides.
	rc, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "budżet (imiennie)", Majority: council.Simple, Mode: "roll_call",
		Resolution: &council.DraftResolution{Title: "w sprawie budżetu", Text: "§ 1."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OpenVote(f.office, rc.ID); err != nil {
		t.Fatalf("a vote after the cancelled one: %v", err)
	}
	if err := f.s.RecordBallots(f.office, rc.ID, map[int64]council.Choice{f.councillors[0].ID: council.For, f.councillors[1].ID: council.For, f.councillors[2].ID: council.For}); err != nil {
		t.Fatal(err)
	}
	rc, err = f.s.CloseVote(f.office, rc.ID)
	if err != nil || rc.Resolution == nil || !strings.HasPrefix(rc.Resolution.Number, "XII/1/") {
		t.Fatalf("the roll call adopts the resolution as number 1: %v %+v", err, rc)
	}
	// A vote left prepared in a closed session stays as it was.
	left, _ := f.s.CreateVote(f.office, f.item.ID, "niewykorzystane", council.Simple)
	if err := f.s.CloseSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.CancelVote(f.office, left.ID, "porządki")
	wantCode(t, err, ratusz.ECONFLICT, "")
}
