package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

type councilHomePage struct {
	Page
	Bodies []bodySessions
}

func (*councilHomePage) template() string { return "council_home" }

type bodySessions struct {
	Body     *council.Body
	Sessions []*council.Session
	Clubs    []club
}

// club is a councillors' club (klub radnych) and its members.
type club struct {
	Name    string
	Members []*council.Councillor
}

func clubsOf(cs []*council.Councillor) []club {
	var out []club
	idx := map[string]int{}
	for _, c := range cs {
		i, ok := idx[c.Club]
		if !ok {
			i = len(out)
			idx[c.Club] = i
			out = append(out, club{Name: c.Club})
		}
		out[i].Members = append(out[i].Members, c)
	}
	return out
}

func (s *Server) councilHome(w http.ResponseWriter, r *http.Request) error {
	bodies, err := s.Council.Bodies(r.Context())
	if err != nil {
		return err
	}
	p := &councilHomePage{}
	for _, b := range bodies {
		sessions, err := s.Council.Sessions(r.Context(), b.ID)
		if err != nil {
			return err
		}
		members, err := s.Council.Councillors(r.Context(), b.ID)
		if err != nil {
			return err
		}
		p.Bodies = append(p.Bodies, bodySessions{b, sessions, clubsOf(members)})
	}
	p.Title = "council.title"
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// sessionView is what the session page, the device and the console share:
// council's read model of the session, with what the forms need.
type sessionView struct{ *council.SessionView }

func (s *Server) loadSessionView(r *http.Request) (*sessionView, error) {
	v, err := httpx.Load(r, "id", s.Council.SessionView)
	if err != nil {
		return nil, err
	}
	return &sessionView{v}, nil
}

type sessionPage struct {
	Page
	*sessionView
}

func (*sessionPage) template() string { return "council_session" }

func (s *Server) councilSession(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	p := &sessionPage{sessionView: v}
	p.Title = "council.session.title"
	p.TitleArgs = []any{v.Session.Roman(), v.Body.Genitive(), v.Body.Name}
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}

type councillorPage struct {
	Page
	P *council.Profile
}

func (*councillorPage) template() string { return "council_councillor" }

func (s *Server) councillorProfile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	prof, err := s.Council.CouncillorProfile(r.Context(), id)
	if err != nil {
		return err
	}
	p := &councillorPage{P: prof}
	p.Title = "council.profile.title"
	p.TitleArgs = []any{prof.Councillor.Name}
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}

type votePage struct {
	Page
	Vote    *council.Vote
	Session *council.Session
	Body    *council.Body
	Chart   template.HTML
	BIPURL  string
}

func (*votePage) template() string { return "council_vote" }

func (s *Server) councilVote(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Council.Vote(r.Context(), id)
	if err != nil {
		return err
	}
	sess, err := s.Council.SessionByID(r.Context(), v.SessionID)
	if err != nil {
		return err
	}
	body, err := s.Council.BodyByID(r.Context(), sess.BodyID)
	if err != nil {
		return err
	}
	p := &votePage{Vote: v, Session: sess, Body: body}
	if v.PublicationID != nil {
		p.BIPURL = "/bip/publikacje/" + strconv.FormatInt(*v.PublicationID, 10)
	}
	p.Title = "council.vote.title"
	p.TitleArgs = []any{v.Subject}
	p.Section = "council"
	p.Lang = s.lang(r)
	if v.Counts != nil {
		p.Chart = voteChart(p, v.Counts)
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

// voteChart draws the counts as horizontal bars; the same numbers stand in
// the table beside it, so the chart is labelled as an image with a summary.
func voteChart(p *votePage, c *council.Counts) template.HTML {
	rows := []struct {
		key, color string
		n          int
	}{{"council.choice.for", "#1e6b34", c.For}, {"council.choice.against", "#a4161a", c.Against}, {"council.choice.abstain", "#8a5a00", c.Abstain},
		{"council.choice.not_voting", "#4a5360", c.NotVoting}, {"council.choice.absent", "#6b7280", c.Absent}}
	total := c.For + c.Against + c.Abstain + c.NotVoting + c.Absent
	if total == 0 {
		total = 1
	}
	var b strings.Builder
	summary := fmt.Sprintf("%s: %d, %s: %d, %s: %d, %s: %d, %s: %d", p.T(rows[0].key), c.For, p.T(rows[1].key), c.Against, p.T(rows[2].key), c.Abstain, p.T(rows[3].key), c.NotVoting, p.T(rows[4].key), c.Absent)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 420 %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, len(rows)*34, template.HTMLEscapeString(summary))
	for i, row := range rows {
		y := i * 34
		w := 260 * row.n / total
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="14" fill="#1b1f24">%s</text>`, y+21, template.HTMLEscapeString(p.T(row.key)))
		fmt.Fprintf(&b, `<rect x="120" y="%d" width="%d" height="24" fill="%s"></rect>`, y+4, w, row.color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#1b1f24">%d</text>`, 126+w, y+21, row.n)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

type devicePage struct {
	Page
	*sessionView
	Me     *council.Councillor
	Choice string
}

func (*devicePage) template() string { return "council_device" }

// councilDevice is the councillor's own page for a session: check in, and
// vote in the open vote. Plain forms; a reload shows the current state.
func (s *Server) councilDevice(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	me, err := s.Council.Me(r.Context(), v.Body.ID)
	if err != nil {
		return err
	}
	p := &devicePage{sessionView: v, Me: me}
	p.Lang = s.lang(r) // the handler translates messages before render
	if v.Open != nil {
		if p.Choice, err = s.Council.MyChoice(r.Context(), v.Open.ID, me.ID); err != nil {
			return err
		}
	}
	p.Title = "council.device.title"
	p.TitleArgs = []any{v.Session.Roman()}
	p.Section = "council"
	if n := r.URL.Query().Get("zapisano"); n != "" {
		p.Notice = p.T("council.device.saved")
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

type consolePage struct {
	Page
	*sessionView
	Majorities  []council.Majority
	ClosedVotes []*council.Vote
}

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
	p := &consolePage{sessionView: v, Majorities: council.Majorities}
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
		http.Redirect(w, r, fmt.Sprintf("/rada/sesje/%d/prowadzenie", v.Session.ID), http.StatusSeeOther)
		return nil
	}
}

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
	_, err = s.Council.CloseVote(r.Context(), id)
	return err
}

// deviceAction is a councillor's check-in or ballot from their device.
func (s *Server) deviceAction(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	me, err := s.Council.Me(r.Context(), v.Body.ID)
	if err != nil {
		return err
	}
	if choice := r.PostForm.Get("choice"); choice != "" {
		vote, err := httpx.FormID(r, "vote")
		if err != nil {
			return err
		}
		err = s.Council.CastBallot(r.Context(), vote, council.Choice(choice))
		if err != nil {
			return err
		}
	} else if err := s.Council.SetAttendance(r.Context(), v.Session.ID, me.ID, r.PostForm.Get("present") == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/rada/sesje/%d/urzadzenie?zapisano=1", v.Session.ID), http.StatusSeeOther)
	return nil
}
