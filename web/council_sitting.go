package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/i18n"
)

// What every page of a running sitting shows the same way: the speaker
// and their time, the list, the result to read out, the timeline.

// Remaining is the seconds the speaker has left now.
func (v *sessionView) Remaining(sp *council.Speech) int { return sp.Remaining(time.Now()) }

// Countdown writes seconds as the countdown shows them: "4:05", "−0:12".
func Countdown(s int) string {
	sign := ""
	if s < 0 {
		sign, s = "−", -s
	}
	return sign + strconv.Itoa(s/60) + ":" + strconv.Itoa(s%60/10) + strconv.Itoa(s%10)
}

// Next is the first n of the waiting list.
func (v *sessionView) Next(n int) []*council.Speech {
	w := v.Waiting()
	return w[:min(n, len(w))]
}

// ResultShown is the closed vote to read out: the last one, while no other
// is open.
func (v *sessionView) ResultShown() *council.Vote {
	if v.Open != nil || v.LastClosed == nil || v.LastClosed.Counts == nil {
		return nil
	}
	return v.LastClosed
}

// Required is the threshold the vote was measured against.
func (v *sessionView) Required(x *council.Vote) int {
	if x.Counts == nil {
		return 0
	}
	return x.Majority.Required(*x.Counts, x.StatutorySize)
}

// clubBallots is a club's part of a named list.
type clubBallots struct {
	Club    string
	Ballots []council.Ballot
}

// ByClub groups a named list by club, clubs by name, independents last.
func (v *sessionView) ByClub(x *council.Vote) []clubBallots {
	var out []clubBallots
	at := map[string]int{}
	for _, b := range x.Ballots {
		i, ok := at[b.Club]
		if !ok {
			i = len(out)
			at[b.Club] = i
			out = append(out, clubBallots{Club: b.Club})
		}
		out[i].Ballots = append(out[i].Ballots, b)
	}
	slices.SortStableFunc(out, func(a, b clubBallots) int {
		switch {
		case a.Club == b.Club:
			return 0
		case a.Club == "":
			return 1
		case b.Club == "":
			return -1
		case a.Club < b.Club:
			return -1
		}
		return 1
	})
	return out
}

// Clock is a moment to the second, as the chamber reads it: "10:42:13".
func (p *Page) ClockSec(t time.Time) string { return t.In(warsaw).Format("15:04:05") }

// N is a plural message for the count n.
func (p *Page) N(key string, n int, args ...any) string { return i18n.N(p.Lang, key, n, args...) }

type screenPage struct {
	Page
	*sessionView
}

func (*screenPage) template() string { return "bare_council_screen" }

// councilScreen is the chamber's big screen: for a projector, a TV in the
// chamber or the broadcast's overlay. Public, no navigation; it follows the
// sitting on its own.
func (s *Server) councilScreen(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	p := &screenPage{sessionView: v}
	p.Title = "council.screen.title"
	p.TitleArgs = []any{v.Session.Roman()}
	s.render(w, r, http.StatusOK, p)
	return nil
}

// TimelineText says what a timeline entry records.
func (p *Page) TimelineText(e *council.TimelineEntry) string {
	switch e.Kind {
	case "started", "closed", "break_ended":
		return p.T("council.timeline." + e.Kind)
	case "break_started":
		if e.Text != "" {
			return p.T("council.timeline.break_minutes", e.Text)
		}
		return p.T("council.timeline.break_started")
	}
	return p.T("council.timeline."+e.Kind, e.Text)
}

// G translates a message about a person in their grammatical gender
// ("f", "m"): key.f or key.m where the catalogue has it, else the neutral
// key ("obecny(a)").
func (p *Page) G(key, gender string, args ...any) string {
	return i18n.G(p.Lang, key, gender, args...)
}
