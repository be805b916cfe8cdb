package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/notify"
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
	Follow   *followBox
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
		fb, err := s.followBox(r, &p.Page, notify.TargetBody, b.ID, b.Name)
		if err != nil {
			return err
		}
		p.Bodies = append(p.Bodies, bodySessions{b, sessions, clubsOf(members), fb})
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
	P      *council.Profile
	Follow *followBox
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
	if p.Follow, err = s.followBox(r, &p.Page, notify.TargetCouncillor, id, prof.Councillor.Name); err != nil {
		return err
	}
	p.Title = "council.profile.title"
	if g := prof.Councillor.Gender; g != "" {
		p.Title += "." + g
	}
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
	}{{"council.count.for", "#1e6b34", c.For}, {"council.count.against", "#a4161a", c.Against}, {"council.count.abstain", "#8a5a00", c.Abstain},
		{"council.count.not_voting", "#4a5360", c.NotVoting}, {"council.count.absent", "#6b7280", c.Absent}}
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
