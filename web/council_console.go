package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/web/httpx"
)

type consolePage struct {
	Page
	*sessionView
	Majorities  []council.Majority
	ClosedVotes []*council.Vote
	NotVoted    []*council.Councillor // in the open vote, for the chair alone
	Confirm     *consoleConfirm       // a question before an action that cannot be undone
}

// consoleConfirm asks the chair to confirm an action: closing a vote that
// some present have not voted in, closing the sitting.
type consoleConfirm struct {
	Action   string // the form's action path, under the session
	Vote     int64  // the vote, for closing one
	Question string
	Items    []*council.AgendaItem // the items not taken, for closing the sitting
	Button   string
}

// needConfirm is what an action returns to ask first.
type needConfirm struct{ consoleConfirm }

func (*needConfirm) Error() string { return "confirmation needed" }

func (*consolePage) template() string { return "council_console" }

// CurrentValue is the current item's id for the select.
func (p *consolePage) CurrentValue() string {
	if p.Current == nil {
		return ""
	}
	return strconv.FormatInt(p.Current.ID, 10)
}

// ItemValues and ItemLabels list the items still on the agenda.
func (v *sessionView) ItemValues() []string {
	var out []string
	for _, it := range v.Agenda {
		if it.RemovedByVoteID == nil {
			out = append(out, strconv.FormatInt(it.ID, 10))
		}
	}
	return out
}

func (v *sessionView) ItemLabels() []string {
	var out []string
	for _, it := range v.Agenda {
		if it.RemovedByVoteID == nil {
			out = append(out, it.Label+". "+it.Title)
		}
	}
	return out
}

func (p *consolePage) ModeValues() []string { return []string{"electronic", "roll_call", "secret"} }

func (p *consolePage) ModeLabels() []string {
	var out []string
	for _, m := range p.ModeValues() {
		out = append(out, p.T("council.mode."+m))
	}
	return out
}

// RepeatValues and RepeatLabels: "not a re-vote", then the closed votes.
func (p *consolePage) RepeatValues() []string {
	out := []string{""}
	for _, v := range p.ClosedVotes {
		out = append(out, strconv.FormatInt(v.ID, 10))
	}
	return out
}

func (p *consolePage) RepeatLabels() []string {
	out := []string{p.T("council.repeats.none")}
	for _, v := range p.ClosedVotes {
		out = append(out, p.T("council.vote_no", v.ID)+": "+v.Subject)
	}
	return out
}

// councilConsole is the chair's and the office's page to run a session.
func (s *Server) councilConsole(w http.ResponseWriter, r *http.Request) error {
	if err := council.MayManage(r.Context()); err != nil {
		return err
	}
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, v, nil)
}

func (s *Server) renderConsole(w http.ResponseWriter, r *http.Request, code int, v *sessionView, errs map[string]string) error {
	return s.renderConsoleAsking(w, r, code, v, errs, nil)
}

func (s *Server) renderConsoleAsking(w http.ResponseWriter, r *http.Request, code int, v *sessionView, errs map[string]string, ask *consoleConfirm) error {
	p := &consolePage{sessionView: v, Majorities: council.Majorities, Confirm: ask}
	p.Lang = s.lang(r)
	if v.Open != nil {
		var err error
		if p.NotVoted, err = s.Council.NotVoted(r.Context(), v.Open.ID); err != nil {
			return err
		}
	}
	for _, x := range v.Votes {
		if x.State == "closed" && x.SupersededBy == nil { // a replaced result is not repeated again
			p.ClosedVotes = append(p.ClosedVotes, x)
		}
	}
	p.Title = "council.console.title"
	p.TitleArgs = []any{v.Session.Roman()}
	p.Section = "council"
	p.Errors = errs
	s.render(w, r, code, p)
	return nil
}

// consoleAction runs a chair's action from the console; a refusal shows the
// console again with the message.
func (s *Server) consoleAction(act func(r *http.Request, v *sessionView) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// As the console's page: 401 or 403 before anything else, so that a
		// refused visitor is never shown the console.
		if err := council.MayManage(r.Context()); err != nil {
			return err
		}
		v, err := s.loadSessionView(r)
		if err != nil {
			return err
		}
		if err := act(r, v); err != nil {
			var ask *needConfirm
			if errors.As(err, &ask) {
				return s.renderConsoleAsking(w, r, http.StatusOK, v, nil, &ask.consoleConfirm)
			}
			switch ratusz.ErrorCode(err) {
			case ratusz.EINVALID, ratusz.ECONFLICT:
				field := ratusz.ErrorField(err)
				if field == "" {
					field = "console"
				}
				if v, err2 := s.loadSessionView(r); err2 == nil {
					return s.renderConsole(w, r, httpx.Status(err), v, map[string]string{field: httpx.Message(s.lang(r), err)})
				}
			}
			return err
		}
		// Back to where the chair was on the page (without JavaScript the
		// page reloads: it returns to the list it acted on, not its top).
		back := ""
		if a := r.PostForm.Get("back"); anchorRe.MatchString(a) {
			back = "#" + a
		}
		http.Redirect(w, r, fmt.Sprintf("/rada/sesje/%d/prowadzenie%s", v.Session.ID, back), http.StatusSeeOther)
		return nil
	}
}

var anchorRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)

func (s *Server) consoleAttendance(r *http.Request, v *sessionView) error {
	id, err := httpx.FormID(r, "councillor")
	if err != nil {
		return err
	}
	return s.Council.SetAttendance(r.Context(), v.Session.ID, id, r.PostForm.Get("present") == "1")
}

func (s *Server) consoleCreateVote(r *http.Request, v *sessionView) error {
	item, err := httpx.FormID(r, "agenda_item")
	if err != nil {
		return err
	}
	var res *council.DraftResolution
	if t := r.PostForm.Get("resolution_title"); t != "" || r.PostForm.Get("resolution_text") != "" {
		res = &council.DraftResolution{Title: t, Text: r.PostForm.Get("resolution_text")}
	}
	in := council.VoteInput{AgendaItem: item, Subject: r.PostForm.Get("subject"), Majority: council.Majority(r.PostForm.Get("majority")),
		Mode: r.PostForm.Get("mode"), Resolution: res}
	if rep := r.PostForm.Get("repeats"); rep != "" {
		if in.Repeats, err = strconv.ParseInt(rep, 10, 64); err != nil {
			return ratusz.Invalid("repeats", "err.council.repeats")
		}
	}
	_, err = s.Council.PrepareVote(r.Context(), in)
	if f := ratusz.ErrorField(err); f == "resolution.title" || f == "resolution.text" {
		err.(*ratusz.Error).Field = strings.Replace(f, ".", "_", 1)
	}
	return err
}

func (s *Server) consoleState(r *http.Request, v *sessionView) error {
	switch r.PostForm.Get("action") {
	case "start":
		return s.Council.StartSession(r.Context(), v.Session.ID)
	case "close":
		if r.PostForm.Get("confirm") != "1" {
			c := consoleConfirm{Action: "stan", Question: i18n.T(s.lang(r), "council.confirm.close_session"), Items: v.NotTaken(),
				Button: i18n.T(s.lang(r), "council.close_session")}
			if v.Open != nil {
				return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_still_open")
			}
			return &needConfirm{c}
		}
		return s.Council.CloseSession(r.Context(), v.Session.ID)
	}
	return ratusz.Invalid("console", "err.council.session_action")
}

func (s *Server) consoleCurrent(r *http.Request, v *sessionView) error {
	item, err := httpx.FormID(r, "current_item")
	if err != nil {
		return err
	}
	err = s.Council.SetCurrentItem(r.Context(), v.Session.ID, item)
	if e, ok := err.(*ratusz.Error); ok && e.Field == "agenda_item" {
		e.Field = "current_item"
	}
	return err
}

// consoleRollCall records the choices read out in a roll-call vote, all or
// none.
func (s *Server) consoleRollCall(r *http.Request, v *sessionView) error {
	vote, err := httpx.FormID(r, "vote")
	if err != nil {
		return err
	}
	choices := map[int64]council.Choice{}
	for _, c := range v.Councillors {
		if choice := r.PostForm.Get("c" + strconv.FormatInt(c.ID, 10)); choice != "" && v.Present[c.ID] {
			choices[c.ID] = council.Choice(choice)
		}
	}
	err = s.Council.RecordBallots(r.Context(), vote, choices)
	if e, ok := err.(*ratusz.Error); ok {
		e.Field = "console"
	}
	return err
}

func (s *Server) consoleAgendaChange(r *http.Request, v *sessionView) error {
	ch := council.AgendaChange{Op: r.PostForm.Get("op"), Label: r.PostForm.Get("change_label"), Title: r.PostForm.Get("change_title"),
		Papers: []string{r.PostForm.Get("change_papers")}}
	if ch.Op == "remove" {
		id, err := httpx.FormID(r, "change_item")
		if err != nil {
			return err
		}
		ch.Item = id
	}
	_, err := s.Council.ProposeAgendaChange(r.Context(), v.Session.ID, ch)
	if e, ok := err.(*ratusz.Error); ok && e.Field != "" {
		e.Field = "change_" + e.Field
	}
	return err
}

func (s *Server) consoleOpenVote(r *http.Request, v *sessionView) error {
	id, err := httpx.FormID(r, "vote")
	if err != nil {
		return err
	}
	_, err = s.Council.OpenVote(r.Context(), id)
	return err
}

// consoleCancelVote cancels a prepared or open vote; a refusal is shown
// beside that vote's reason field.
func (s *Server) consoleCancelVote(r *http.Request, v *sessionView) error {
	id, err := httpx.FormID(r, "vote")
	if err != nil {
		return err
	}
	_, err = s.Council.CancelVote(r.Context(), id, r.PostForm.Get("reason"))
	if e, ok := err.(*ratusz.Error); ok && e.Field == "reason" {
		e.Field = "reason-" + strconv.FormatInt(id, 10)
	}
	return err
}

func (s *Server) consoleCloseVote(r *http.Request, v *sessionView) error {
	id, err := httpx.FormID(r, "vote")
	if err != nil {
		return err
	}
	if v.Open != nil && v.Open.ID == id && v.Open.Mode == "secret" {
		var c council.Counts
		for _, f := range []struct {
			name string
			n    *int
		}{{"count_for", &c.For}, {"count_against", &c.Against}, {"count_abstain", &c.Abstain}} {
			n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get(f.name)))
			if err != nil || n < 0 {
				return ratusz.Invalid(f.name, "err.number")
			}
			*f.n = n
		}
		_, err = s.Council.CloseSecretVote(r.Context(), id, c)
		if e, ok := err.(*ratusz.Error); ok && e.Field == "counts" {
			e.Field = "count_for"
		}
		return err
	}
	if v.Open != nil && v.Open.ID == id && r.PostForm.Get("confirm") != "1" {
		missing, err := s.Council.NotVoted(r.Context(), id)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			names := make([]string, len(missing))
			for i, c := range missing {
				names[i] = c.Name
			}
			lang := s.lang(r)
			return &needConfirm{consoleConfirm{Action: "zamknij", Vote: id,
				Question: i18n.N(lang, "council.confirm.not_voted:n", len(missing), v.PresentN, strings.Join(names, ", ")),
				Button:   i18n.T(lang, "council.confirm.close_anyway")}}
		}
	}
	_, err = s.Council.CloseVote(r.Context(), id)
	return err
}

// consoleAllPresent marks every member present.
func (s *Server) consoleAllPresent(r *http.Request, v *sessionView) error {
	_, err := s.Council.AllPresent(r.Context(), v.Session.ID)
	return err
}

// consoleSpeakers runs the speakers list: add a request, grant the floor,
// end a speech, add time, move a request up or down, take it off.
func (s *Server) consoleSpeakers(r *http.Request, v *sessionView) error {
	ctx, id := r.Context(), v.Session.ID
	speech := func() (int64, error) { return httpx.FormID(r, "speech") }
	switch r.PostForm.Get("action") {
	case "add":
		in := council.SpeechRequest{Kind: r.PostForm.Get("kind"), Name: r.PostForm.Get("name")}
		if c := r.PostForm.Get("councillor"); c != "" {
			cid, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				return ratusz.Invalid("councillor", "err.council.councillor_not_found")
			}
			in.Councillor, in.Name = &cid, ""
		}
		_, err := s.Council.RequestSpeech(ctx, id, in)
		return err
	case "grant":
		sp, err := speech()
		if err == nil {
			_, err = s.Council.GrantFloor(ctx, id, sp)
		}
		return err
	case "end":
		sp, err := speech()
		if err == nil {
			err = s.Council.EndSpeech(ctx, id, sp)
		}
		return err
	case "time":
		sp, err := speech()
		if err != nil {
			return err
		}
		secs, err := strconv.Atoi(r.PostForm.Get("seconds"))
		if err != nil {
			return ratusz.Invalid("seconds", "err.council.extra_time", council.MaxExtraTime)
		}
		_, err = s.Council.AddTime(ctx, id, sp, secs)
		return err
	case "remove":
		sp, err := speech()
		if err == nil {
			err = s.Council.WithdrawSpeech(ctx, id, sp)
		}
		return err
	case "up", "down":
		sp, err := speech()
		if err != nil {
			return err
		}
		order := make([]int64, 0, len(v.Waiting()))
		for _, w := range v.Waiting() {
			order = append(order, w.ID)
		}
		i := slices.Index(order, sp)
		j := i - 1
		if r.PostForm.Get("action") == "down" {
			j = i + 1
		}
		if i < 0 || j < 0 || j >= len(order) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.speakers_changed")
		}
		order[i], order[j] = order[j], order[i]
		return s.Council.ReorderSpeakers(ctx, id, order)
	}
	return ratusz.Invalid("console", "err.council.session_action")
}

// consoleLimits sets the sitting's speaking times, in seconds.
func (s *Server) consoleLimits(r *http.Request, v *sessionView) error {
	var l council.Limits
	for _, f := range []struct {
		name string
		n    *int
	}{{"limit_item", &l.Item}, {"limit_ad_vocem", &l.AdVocem}, {"limit_formal", &l.Formal}} {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get(f.name)))
		if err != nil {
			return ratusz.Invalid(f.name, "err.range", council.MinLimit, council.MaxLimit)
		}
		*f.n = n
	}
	return s.Council.SetLimits(r.Context(), v.Session.ID, l)
}

// consoleBreak starts or ends a break.
func (s *Server) consoleBreak(r *http.Request, v *sessionView) error {
	if r.PostForm.Get("action") == "end" {
		return s.Council.EndBreak(r.Context(), v.Session.ID)
	}
	minutes := 0
	if m := strings.TrimSpace(r.PostForm.Get("minutes")); m != "" {
		var err error
		if minutes, err = strconv.Atoi(m); err != nil {
			return ratusz.Invalid("minutes", "err.range", 0, council.MaxBreak)
		}
	}
	return s.Council.StartBreak(r.Context(), v.Session.ID, minutes)
}

// DefaultItem is the item a new vote is on unless the chair picks
// another: the current one.
func (p *consolePage) DefaultItem() int64 {
	if p.Current != nil {
		return p.Current.ID
	}
	return 0
}

// DefaultSubject is the new vote's subject: the current item's title.
func (p *consolePage) DefaultSubject() string {
	if p.Current != nil {
		return p.Current.Title
	}
	return ""
}

// DefaultResolutionTitle is the resolution's title ("w sprawie …") when
// the current item has a draft (druk) to adopt.
func (p *consolePage) DefaultResolutionTitle() string {
	if p.Current == nil || len(p.Current.Papers) == 0 {
		return ""
	}
	if i := strings.Index(p.Current.Title, "w sprawie "); i >= 0 {
		return p.Current.Title[i:]
	}
	return ""
}

// CouncillorValues and CouncillorLabels: the members, for adding one to
// the speakers list ("" for someone else, by name).
func (p *consolePage) CouncillorValues() []string {
	out := []string{""}
	for _, c := range p.Councillors {
		out = append(out, strconv.FormatInt(c.ID, 10))
	}
	return out
}

func (p *consolePage) CouncillorLabels() []string {
	out := []string{p.T("council.speakers.someone_else")}
	for _, c := range p.Councillors {
		out = append(out, c.Name)
	}
	return out
}

// SpeechKindValues and SpeechKindLabels list the kinds of request.
func (p *consolePage) SpeechKindValues() []string {
	return []string{council.SpeechItem, council.SpeechAdVocem, council.SpeechFormal}
}

func (p *consolePage) SpeechKindLabels() []string {
	var out []string
	for _, k := range p.SpeechKindValues() {
		out = append(out, p.T("council.speech."+k))
	}
	return out
}

// LastWaiting reports whether the i-th waiting request is the last (it
// cannot move down).
func (p *consolePage) LastWaiting(i int) bool { return i == len(p.Waiting())-1 }
