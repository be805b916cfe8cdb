package council_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/pg"
)

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
