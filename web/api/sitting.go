package api

import (
	"net/http"
	"strconv"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

// The running sitting: the speakers list, speaking times, breaks,
// everyone present at once, and the timeline.

// Speakers is the speakers list: who speaks now, and who waits, in order.
type Speakers struct {
	Speaking *council.Speech   `json:"speaking"`
	Waiting  []*council.Speech `json:"waiting"`
}

func (a *API) writeSpeakers(w http.ResponseWriter, r *http.Request, sessionID int64) error {
	list, err := a.Council.Speakers(r.Context(), sessionID)
	if err != nil {
		return err
	}
	out := Speakers{Waiting: []*council.Speech{}}
	for _, sp := range list {
		if sp.State == "speaking" {
			out.Speaking = sp
		} else {
			out.Waiting = append(out.Waiting, sp)
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// speakers is GET /sessions/{id}/speakers.
func (a *API) speakers(w http.ResponseWriter, r *http.Request) error {
	s, err := httpx.Load(r, "id", a.Council.SessionByID)
	if err != nil {
		return err
	}
	return a.writeSpeakers(w, r, s.ID)
}

// requestSpeech is POST /sessions/{id}/speakers: a councillor for
// themself, the chair or the office for anyone.
func (a *API) requestSpeech(w http.ResponseWriter, r *http.Request) error {
	id, in, err := idAndBody[council.SpeechRequest](r)
	if err != nil {
		return err
	}
	sp, err := a.Council.RequestSpeech(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sessions/"+strconv.FormatInt(id, 10)+"/speakers/"+strconv.FormatInt(sp.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, sp)
	return nil
}

// speechAction runs an action on one request of a session's list and
// answers with the list as it then stands.
func (a *API) speechAction(act func(r *http.Request, session, speech int64) error) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
			return err
		}
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		sp, err := httpx.PathID(r, "speech")
		if err != nil {
			return err
		}
		if err := act(r, id, sp); err != nil {
			return err
		}
		return a.writeSpeakers(w, r, id)
	}
}

func (a *API) grantFloor(w http.ResponseWriter, r *http.Request) error {
	return a.speechAction(func(r *http.Request, session, speech int64) error {
		_, err := a.Council.GrantFloor(r.Context(), session, speech)
		return err
	})(w, r)
}

func (a *API) endSpeech(w http.ResponseWriter, r *http.Request) error {
	return a.speechAction(func(r *http.Request, session, speech int64) error {
		return a.Council.EndSpeech(r.Context(), session, speech)
	})(w, r)
}

func (a *API) withdrawSpeech(w http.ResponseWriter, r *http.Request) error {
	return a.speechAction(func(r *http.Request, session, speech int64) error {
		return a.Council.WithdrawSpeech(r.Context(), session, speech)
	})(w, r)
}

// addTime is POST /sessions/{id}/speakers/{speech}/time {"seconds": 60}.
func (a *API) addTime(w http.ResponseWriter, r *http.Request) error {
	return a.speechAction(func(r *http.Request, session, speech int64) error {
		var in struct {
			Seconds int `json:"seconds"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		_, err := a.Council.AddTime(r.Context(), session, speech, in.Seconds)
		return err
	})(w, r)
}

// orderSpeakers is PUT /sessions/{id}/speakers/order {"order": [ids]}.
func (a *API) orderSpeakers(w http.ResponseWriter, r *http.Request) error {
	id, in, err := idAndBody[struct {
		Order []int64 `json:"order"`
	}](r)
	if err != nil {
		return err
	}
	if err := a.Council.ReorderSpeakers(r.Context(), id, in.Order); err != nil {
		return err
	}
	return a.writeSpeakers(w, r, id)
}

// limits is PUT /sessions/{id}/limits: speaking times in seconds by kind.
func (a *API) limits(w http.ResponseWriter, r *http.Request) error {
	return a.sessionAction(func(r *http.Request, id int64) error {
		var in council.Limits
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		return a.Council.SetLimits(r.Context(), id, in)
	})(w, r)
}

// breaks is POST /sessions/{id}/breaks {"action": "start", "minutes": 15}
// or {"action": "end"}.
func (a *API) breaks(w http.ResponseWriter, r *http.Request) error {
	return a.sessionAction(func(r *http.Request, id int64) error {
		var in struct {
			Action  string `json:"action"`
			Minutes int    `json:"minutes"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		switch in.Action {
		case "start":
			return a.Council.StartBreak(r.Context(), id, in.Minutes)
		case "end":
			return a.Council.EndBreak(r.Context(), id)
		}
		return ratusz.Invalid("action", "err.council.break_action")
	})(w, r)
}

// allPresent is POST /sessions/{id}/attendance/all.
func (a *API) allPresent(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := a.Council.AllPresent(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, Presence{Present: n})
	return nil
}

// timeline is GET /sessions/{id}/timeline: what happened, when.
func (a *API) timeline(w http.ResponseWriter, r *http.Request) error {
	s, err := httpx.Load(r, "id", a.Council.SessionByID)
	if err != nil {
		return err
	}
	list, err := a.Council.Timeline(r.Context(), s.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*council.TimelineEntry{}
	}
	httpx.WriteJSON(w, http.StatusOK, Items[*council.TimelineEntry]{Data: list})
	return nil
}
