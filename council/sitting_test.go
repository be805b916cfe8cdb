package council_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
)

// names lists the speakers as the list shows them: the one speaking
// (marked *) first, then the waiting ones in order.
func names(t *testing.T, f *fixture) []string {
	t.Helper()
	list, err := f.s.Speakers(f.office, f.session.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sp := range list {
		n := sp.Name + ":" + sp.Kind
		if sp.State == "speaking" {
			n = "*" + n
		}
		out = append(out, n)
	}
	return out
}

func request(t *testing.T, f *fixture, ctx context.Context, kind string) *council.Speech {
	t.Helper()
	sp, err := f.s.RequestSpeech(ctx, f.session.ID, council.SpeechRequest{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestSpeakersList(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	// Before the sitting begins nobody can ask to speak.
	_, err := f.s.RequestSpeech(f.as[0], f.session.ID, council.SpeechRequest{Kind: council.SpeechItem})
	wantCode(t, err, ratusz.ECONFLICT, "")
	if err := f.s.SetCurrentItem(f.office, f.session.ID, f.item.ID); err != nil {
		t.Fatal(err)
	}

	first := request(t, f, f.as[0], council.SpeechItem)
	request(t, f, f.as[1], council.SpeechItem)
	if first.LimitSeconds != 300 || first.AgendaItemID == nil || *first.AgendaItemID != f.item.ID {
		t.Fatalf("request %+v: want the sitting's 300 s on the current item", first)
	}
	// The office adds the mayor by name; a formal motion goes to the top,
	// ad vocem after formal motions and before the item's speakers.
	if _, err := f.s.RequestSpeech(f.office, f.session.ID, council.SpeechRequest{Kind: council.SpeechItem, Name: "Wójt Gminy Anna Nowak"}); err != nil {
		t.Fatal(err)
	}
	adv := request(t, f, f.as[2], council.SpeechAdVocem)
	request(t, f, f.as[3], council.SpeechFormal)
	want := []string{"Radny 03:formal", "Radny 02:ad_vocem", "Radny 00:item", "Radny 01:item", "Wójt Gminy Anna Nowak:item"}
	if got := names(t, f); !equal(got, want) {
		t.Fatalf("list %v, want %v", got, want)
	}
	if adv.LimitSeconds != 60 {
		t.Fatalf("ad vocem limit %d, want 60", adv.LimitSeconds)
	}

	// The same request twice is refused; so is asking for someone else, a
	// name from a councillor, and an unknown kind.
	_, err = f.s.RequestSpeech(f.as[0], f.session.ID, council.SpeechRequest{Kind: council.SpeechItem})
	wantCode(t, err, ratusz.ECONFLICT, "")
	other := f.councillors[4].ID
	_, err = f.s.RequestSpeech(f.as[0], f.session.ID, council.SpeechRequest{Kind: council.SpeechItem, Councillor: &other})
	wantCode(t, err, ratusz.EFORBIDDEN, "")
	_, err = f.s.RequestSpeech(f.as[0], f.session.ID, council.SpeechRequest{Kind: council.SpeechFormal, Name: "Ktoś"})
	wantCode(t, err, ratusz.EFORBIDDEN, "")
	_, err = f.s.RequestSpeech(f.as[0], f.session.ID, council.SpeechRequest{Kind: "shout"})
	wantCode(t, err, ratusz.EINVALID, "kind")
	_, err = f.s.RequestSpeech(f.office, f.session.ID, council.SpeechRequest{Kind: council.SpeechItem, Name: "   "})
	wantCode(t, err, ratusz.EINVALID, "name")

	// Only the chair and the office grant the floor.
	list, _ := f.s.Speakers(f.office, f.session.ID)
	_, err = f.s.GrantFloor(f.as[0], f.session.ID, list[0].ID)
	wantCode(t, err, ratusz.EFORBIDDEN, "")
	sp, err := f.s.GrantFloor(f.office, f.session.ID, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sp.State != "speaking" || sp.StartedAt == nil || sp.Remaining(*sp.StartedAt) != 60 {
		t.Fatalf("granted %+v", sp)
	}
	// Time added moves the end; granting the next ends the first.
	if sp, err = f.s.AddTime(f.office, f.session.ID, sp.ID, 30); err != nil || sp.LimitSeconds != 90 {
		t.Fatalf("add time: %+v %v", sp, err)
	}
	_, err = f.s.AddTime(f.office, f.session.ID, sp.ID, 100000)
	wantCode(t, err, ratusz.EINVALID, "seconds")
	if _, err := f.s.GrantFloor(f.office, f.session.ID, list[1].ID); err != nil {
		t.Fatal(err)
	}
	want = []string{"*Radny 02:ad_vocem", "Radny 00:item", "Radny 01:item", "Wójt Gminy Anna Nowak:item"}
	if got := names(t, f); !equal(got, want) {
		t.Fatalf("list %v, want %v", got, want)
	}
	// Granting a speech already given is a conflict.
	_, err = f.s.GrantFloor(f.office, f.session.ID, list[0].ID)
	wantCode(t, err, ratusz.ECONFLICT, "")

	// Reordering takes exactly the waiting requests.
	list, _ = f.s.Speakers(f.office, f.session.ID)
	waiting := []int64{list[3].ID, list[1].ID, list[2].ID}
	if err := f.s.ReorderSpeakers(f.as[0], f.session.ID, waiting); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("a councillor reordered: %v", err)
	}
	wantCode(t, f.s.ReorderSpeakers(f.office, f.session.ID, waiting[:2]), ratusz.ECONFLICT, "")
	if err := f.s.ReorderSpeakers(f.office, f.session.ID, waiting); err != nil {
		t.Fatal(err)
	}
	want = []string{"*Radny 02:ad_vocem", "Wójt Gminy Anna Nowak:item", "Radny 00:item", "Radny 01:item"}
	if got := names(t, f); !equal(got, want) {
		t.Fatalf("after reorder %v, want %v", got, want)
	}
	// A councillor withdraws their own request, not another's.
	wantCode(t, f.s.WithdrawSpeech(f.as[0], f.session.ID, list[2].ID), ratusz.EFORBIDDEN, "")
	if err := f.s.WithdrawSpeech(f.as[1], f.session.ID, list[2].ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.EndSpeech(f.office, f.session.ID, list[1].ID), ratusz.ECONFLICT, "")
	if err := f.s.EndSpeech(f.office, f.session.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	want = []string{"Wójt Gminy Anna Nowak:item", "Radny 00:item"}
	if got := names(t, f); !equal(got, want) {
		t.Fatalf("after withdraw and end %v, want %v", got, want)
	}

	// Each speech is on the timeline with its item.
	tl, err := f.s.Timeline(f.office, f.session.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"started", "item", "speech_started", "speech_ended", "speech_started", "speech_ended"}; !equal(kinds, want) {
		t.Fatalf("timeline %v, want %v", kinds, want)
	}
	// Given speeches keep their times.
	given, err := f.s.Speeches(f.office, f.session.ID)
	if err != nil || len(given) != 2 || given[0].EndedAt == nil {
		t.Fatalf("speeches %+v %v", given, err)
	}

	// Closing the sitting ends the list; nothing more can be asked.
	if err := f.s.CloseSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	if got := names(t, f); len(got) != 0 {
		t.Fatalf("list after close: %v", got)
	}
	_, err = f.s.RequestSpeech(f.as[4], f.session.ID, council.SpeechRequest{Kind: council.SpeechItem})
	wantCode(t, err, ratusz.ECONFLICT, "")
}

func TestSittingLimitsBreaksAndAttendance(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	for _, bad := range []council.Limits{{Item: -5, AdVocem: 60, Formal: 60}, {Item: 300, AdVocem: 1e6, Formal: 60}, {Item: 300, AdVocem: 60, Formal: 0}} {
		if err := f.s.SetLimits(f.office, f.session.ID, bad); ratusz.ErrorCode(err) != ratusz.EINVALID {
			t.Fatalf("limits %+v accepted: %v", bad, err)
		}
	}
	wantCode(t, f.s.SetLimits(f.as[0], f.session.ID, council.Limits{Item: 120, AdVocem: 30, Formal: 30}), ratusz.EFORBIDDEN, "")
	if err := f.s.SetLimits(f.office, f.session.ID, council.Limits{Item: 120, AdVocem: 30, Formal: 45}); err != nil {
		t.Fatal(err)
	}
	sess, _ := f.s.SessionByID(f.office, f.session.ID)
	if sess.Limits() != (council.Limits{Item: 120, AdVocem: 30, Formal: 45}) {
		t.Fatalf("limits %+v", sess.Limits())
	}

	// Everyone present in one go; a councillor may not do it for all.
	if _, err := f.s.AllPresent(f.as[0], f.session.ID); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("a councillor marked everyone: %v", err)
	}
	n, err := f.s.AllPresent(f.office, f.session.ID)
	if err != nil || n != 5 {
		t.Fatalf("all present: %d %v", n, err)
	}

	// A break needs a running sitting and no open vote; a second one is a
	// conflict, and so is ending none.
	wantCode(t, f.s.StartBreak(f.office, f.session.ID, 15), ratusz.ECONFLICT, "")
	if err := f.s.StartSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.StartBreak(f.office, f.session.ID, -1), ratusz.EINVALID, "minutes")
	wantCode(t, f.s.StartBreak(f.as[0], f.session.ID, 15), ratusz.EFORBIDDEN, "")
	if err := f.s.StartBreak(f.office, f.session.ID, 15); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.StartBreak(f.office, f.session.ID, 15), ratusz.ECONFLICT, "")
	sess, _ = f.s.SessionByID(f.office, f.session.ID)
	if sess.BreakSince == nil || sess.BreakUntil == nil || sess.BreakUntil.Sub(*sess.BreakSince).Minutes() != 15 {
		t.Fatalf("break %v–%v", sess.BreakSince, sess.BreakUntil)
	}
	if err := f.s.EndBreak(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.EndBreak(f.office, f.session.ID), ratusz.ECONFLICT, "")

	// A vote on the timeline, and none prepared once the sitting closed.
	v, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Budżet", Majority: council.Simple})
	if err != nil {
		t.Fatal(err)
	}
	f.decide(t, v, council.For, council.For, council.For)
	if err := f.s.CloseSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Jeszcze jedno", Majority: council.Simple})
	wantCode(t, err, ratusz.ECONFLICT, "")
	tl, _ := f.s.Timeline(f.office, f.session.ID)
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"started", "break_started", "break_ended", "vote_opened", "vote_closed", "closed"}; !equal(kinds, want) {
		t.Fatalf("timeline %v, want %v", kinds, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNotVotedAndProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	f.present(t, 4)
	v, err := f.s.PrepareVote(f.office, council.VoteInput{AgendaItem: f.item.ID, Subject: "Budżet", Majority: council.Simple})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.OpenVote(f.office, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CastBallot(f.as[1], v.ID, council.For); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.NotVoted(f.as[0], v.ID); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("a councillor learnt who has not voted: %v", err)
	}
	list, err := f.s.NotVoted(f.office, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.Name)
	}
	if want := []string{"Radny 00", "Radny 02", "Radny 03"}; !equal(got, want) { // Radny 04 is absent
		t.Fatalf("not voted %v, want %v", got, want)
	}
	var payload string
	if err := f.pool.QueryRow(f.office, "SELECT payload::text FROM outbox WHERE type = $1 ORDER BY id DESC LIMIT 1", council.EventVoteProgress).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if payload != `{"cast": 1, "vote": `+strconv.FormatInt(v.ID, 10)+`, "present": 4, "ballots_cast": 1}` {
		t.Fatalf("progress %s", payload)
	}
}

// The timeline gives OParl's AgendaItem its start and end and the Meeting
// its end.
func TestOParlTimesFromTimeline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	second, err := f.s.AddAgendaItem(f.office, f.session.ID, "Sprawy różne", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetCurrentItem(f.office, f.session.ID, f.item.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetCurrentItem(f.office, f.session.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CloseSession(f.office, f.session.ID); err != nil {
		t.Fatal(err)
	}
	first, err := f.s.OParlAgendaItem(f.office, f.item.ID)
	if err != nil {
		t.Fatal(err)
	}
	last, err := f.s.OParlAgendaItem(f.office, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.s.OParlMeeting(f.office, f.session.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Start == nil || first.End == nil || last.Start == nil || last.End == nil || m.End == nil {
		t.Fatalf("missing times: first %v–%v, second %v–%v, meeting end %v", first.Start, first.End, last.Start, last.End, m.End)
	}
	if !first.End.Equal(*last.Start) || !last.End.Equal(*m.End) || first.End.Before(*first.Start) {
		t.Fatalf("times out of order: first %v–%v, second %v–%v, meeting end %v", first.Start, first.End, last.Start, last.End, m.End)
	}
}

func TestGuessGender(t *testing.T) {
	for name, want := range map[string]string{
		"Katarzyna Lewandowska": "f", "Marek Zieliński": "m", "Kuba Nowak": "m", "Barnaba Kos": "m",
		"Beatrycze Wilk": "f", "Noemi Lis": "f", "Jerzy Kot": "m", "Zbigniew Ryś": "m",
		"Kostka Bartłomiej": "f", // the surname first: the rule reads what comes first
		"J. Kowalski":       "", "Bartłomiej": "m", "Antoni Macierewicz": "m", "Jose Ruiz": "", "Hugo Bos": "m", "": "",
	} {
		if got := council.GuessGender(name); got != want {
			t.Errorf("GuessGender(%q) = %q, want %q", name, got, want)
		}
	}
}
