package web

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

type devicePage struct {
	Page
	*sessionView
	Me         *council.Councillor
	Choice     string                   // the councillor's choice in the open vote, or in the last closed one
	ChoiceAt   time.Time                // when it was saved
	Resolution *council.DraftResolution // the draft the open vote adopts, if any
	DraftHTML  template.HTML            // its text, rendered
}

func (*devicePage) template() string { return "council_device" }

// MyRequests are the councillor's waiting requests to speak.
func (p *devicePage) MyRequests() []*council.Speech {
	var out []*council.Speech
	for _, sp := range p.Waiting() {
		if sp.CouncillorID != nil && *sp.CouncillorID == p.Me.ID {
			out = append(out, sp)
		}
	}
	return out
}

// Asked reports whether the councillor is waiting with a request of kind.
func (p *devicePage) Asked(kind string) bool {
	for _, sp := range p.MyRequests() {
		if sp.Kind == kind {
			return true
		}
	}
	return false
}

// councilDevice is the councillor's own page for a session: check in, ask
// to speak, and vote in the open vote. Plain forms; with JavaScript they
// are sent in place and the page follows the sitting live.
func (s *Server) councilDevice(w http.ResponseWriter, r *http.Request) error {
	return s.renderDevice(w, r, http.StatusOK, nil)
}

// myDevice reads the session and the signed-in councillor of its body.
func (s *Server) myDevice(r *http.Request) (*sessionView, *council.Councillor, error) {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return nil, nil, err
	}
	v, err := s.loadSessionView(r)
	if err != nil {
		return nil, nil, err
	}
	me, err := s.Council.Me(r.Context(), v.Body.ID)
	return v, me, err
}

func (s *Server) renderDevice(w http.ResponseWriter, r *http.Request, code int, errs map[string]string) error {
	v, me, err := s.myDevice(r)
	if err != nil {
		return err
	}
	p := &devicePage{sessionView: v, Me: me}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Compact = true
	if vote := cmpVote(v); vote != nil {
		if p.Choice, p.ChoiceAt, err = s.Council.MyBallot(r.Context(), vote.ID, me.ID); err != nil {
			return err
		}
		if v.Open != nil {
			if p.Resolution, err = s.Council.DraftOf(r.Context(), v.Open.ID); err != nil {
				return err
			}
			if p.Resolution != nil {
				p.DraftHTML = template.HTML(bip.RenderMarkdown(p.Resolution.Text))
			}
		}
	}
	p.Title = "council.device.title"
	p.TitleArgs = []any{v.Session.Roman()}
	p.Section = "council"
	p.Errors = errs
	if n := r.URL.Query().Get("zapisano"); n != "" && len(errs) == 0 {
		p.Notice = p.T("council.device.saved")
	}
	s.render(w, r, code, p)
	return nil
}

// cmpVote is the vote the device shows the councillor's choice in: the
// open one, else the last result.
func cmpVote(v *sessionView) *council.Vote {
	if v.Open != nil {
		return v.Open
	}
	return v.ResultShown()
}

// deviceAction is a councillor's check-in, ballot or request to speak. A
// refusal shows the device again with the message; a success is shown
// only once it is saved.
func (s *Server) deviceAction(w http.ResponseWriter, r *http.Request) error {
	v, me, err := s.myDevice(r)
	if err != nil {
		return err
	}
	field := "device"
	switch {
	case r.PostForm.Get("choice") != "":
		field = "vote"
		var vote int64
		if vote, err = httpx.FormID(r, "vote"); err == nil {
			err = s.Council.CastBallot(r.Context(), vote, council.Choice(r.PostForm.Get("choice")))
		}
	case r.PostForm.Get("speak") != "":
		field = "speak"
		_, err = s.Council.RequestSpeech(r.Context(), v.Session.ID, council.SpeechRequest{Kind: r.PostForm.Get("speak")})
	case r.PostForm.Get("withdraw") != "":
		field = "speak"
		var sp int64
		if sp, err = httpx.FormID(r, "withdraw"); err == nil {
			err = s.Council.WithdrawSpeech(r.Context(), v.Session.ID, sp)
		}
	default:
		err = s.Council.SetAttendance(r.Context(), v.Session.ID, me.ID, r.PostForm.Get("present") == "1")
	}
	if err != nil {
		switch ratusz.ErrorCode(err) {
		case ratusz.EINVALID, ratusz.ECONFLICT, ratusz.EFORBIDDEN:
			return s.renderDevice(w, r, httpx.Status(err), map[string]string{field: httpx.Message(s.lang(r), err)})
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/rada/sesje/%d/urzadzenie?zapisano=1", v.Session.ID), http.StatusSeeOther)
	return nil
}
