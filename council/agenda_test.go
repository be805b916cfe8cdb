package council_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
)

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
