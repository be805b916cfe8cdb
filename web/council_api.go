package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

// officeCreate is a create endpoint of the council office: it checks the
// role, reads the JSON body into In and answers 201 {"id"}.
func officeCreate[In any](create func(r *http.Request, in *In) (int64, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := council.MayManage(r.Context()); err != nil {
			return err
		}
		var in In
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		id, err := create(r, &in)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
		return nil
	}
}

type bodyInput struct {
	Name          string `json:"name"`
	StatutorySize int    `json:"statutory_size"`
}

func (s *Server) createBody(r *http.Request, in *bodyInput) (int64, error) {
	b, err := s.Council.CreateBody(r.Context(), in.Name, in.StatutorySize)
	if err != nil {
		return 0, err
	}
	return b.ID, nil
}

type councillorInput struct {
	Name  string `json:"name"`
	Club  string `json:"club"`
	Email string `json:"email"`
}

func (s *Server) addCouncillor(r *http.Request, in *councillorInput) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	c, err := s.Council.AddCouncillor(r.Context(), id, in.Name, in.Club, in.Email)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

type sessionInput struct {
	Body int64 `json:"body"`
	council.SessionInput
}

func (s *Server) createSession(r *http.Request, in *sessionInput) (int64, error) {
	sess, err := s.Council.NewSession(r.Context(), in.Body, in.SessionInput)
	if err != nil {
		return 0, err
	}
	return sess.ID, nil
}

// apiUpdateSession changes a session (PUT: every field as it should be).
func (s *Server) apiUpdateSession(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := council.MayManage(r.Context()); err != nil {
		return err
	}
	var in council.SessionInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.Council.UpdateSession(r.Context(), id, in); err != nil {
		return err
	}
	return s.apiSession(w, r)
}

// apiSession is a session with its agenda, files and votes.
func (s *Server) apiSession(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadSessionView(r)
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(v.Agenda))
	for _, it := range v.Agenda {
		files := []map[string]any{}
		for _, f := range v.Files[it.ID] {
			files = append(files, map[string]any{"id": f.ID, "name": f.Name, "content_type": f.ContentType, "size": f.Size,
				"url": s.Config.BaseURL.String() + agendaFileURL(f)})
		}
		items = append(items, map[string]any{"id": it.ID, "label": it.Label, "title": it.Title, "papers": it.Papers,
			"removed_by_vote": it.RemovedByVoteID, "files": files})
	}
	votes := make([]map[string]any, 0, len(v.Votes))
	for _, x := range v.Votes {
		votes = append(votes, s.voteJSON(x))
	}
	sess := v.Session
	out := map[string]any{"id": sess.ID, "body": sess.BodyID, "term": sess.TermID, "number": sess.Number, "roman": sess.Roman(),
		"kind": sess.Kind, "title": sess.Title, "starts_at": sess.StartsAt, "place": sess.Place, "state": sess.State,
		"broadcast_url": sess.BroadcastURL, "recording_url": sess.RecordingURL, "protocol_url": sess.ProtocolURL,
		"current_item": sess.CurrentItemID, "announced_at": sess.AnnouncedAt, "announcement_url": nil,
		"present": v.PresentN, "quorum": v.Quorum, "agenda": items, "votes": votes}
	if sess.AgendaPublicationID != nil {
		out["announcement_url"] = s.publicationURL(*sess.AgendaPublicationID)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// sessionAction runs an office action on a session and answers with it.
func (s *Server) sessionAction(act func(r *http.Request, id int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := act(r, id); err != nil {
			return err
		}
		return s.apiSession(w, r)
	}
}

func (s *Server) apiAnnounceSession(w http.ResponseWriter, r *http.Request) error {
	return s.sessionAction(func(r *http.Request, id int64) error {
		_, err := s.Council.AnnounceSession(r.Context(), id)
		return err
	})(w, r)
}

func (s *Server) apiStartSession(w http.ResponseWriter, r *http.Request) error {
	return s.sessionAction(func(r *http.Request, id int64) error { return s.Council.StartSession(r.Context(), id) })(w, r)
}

func (s *Server) apiCloseSession(w http.ResponseWriter, r *http.Request) error {
	return s.sessionAction(func(r *http.Request, id int64) error { return s.Council.CloseSession(r.Context(), id) })(w, r)
}

func (s *Server) apiCurrentItem(w http.ResponseWriter, r *http.Request) error {
	return s.sessionAction(func(r *http.Request, id int64) error {
		if err := council.MayManage(r.Context()); err != nil {
			return err
		}
		var in struct {
			AgendaItem int64 `json:"agenda_item"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		return s.Council.SetCurrentItem(r.Context(), id, in.AgendaItem)
	})(w, r)
}

func (s *Server) proposeAgendaChange(r *http.Request, in *council.AgendaChange) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	v, err := s.Council.ProposeAgendaChange(r.Context(), id, *in)
	if err != nil {
		return 0, err
	}
	return v.ID, nil
}

type termInput struct {
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

func (s *Server) createTerm(r *http.Request, in *termInput) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	start, err := time.Parse("2006-01-02", in.StartsOn)
	if err != nil {
		return 0, ratusz.Invalid("starts_on", "err.date")
	}
	var end *time.Time
	if in.EndsOn != "" {
		e, err := time.Parse("2006-01-02", in.EndsOn)
		if err != nil {
			return 0, ratusz.Invalid("ends_on", "err.date")
		}
		end = &e
	}
	t, err := s.Council.CreateTerm(r.Context(), id, in.Name, start, end)
	if err != nil {
		return 0, err
	}
	return t.ID, nil
}

// apiAgendaFile attaches a file (multipart field "file") to an agenda item.
func (s *Server) apiAgendaFile(w http.ResponseWriter, r *http.Request) error {
	if err := council.MayManage(r.Context()); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, data, err := httpx.FormFile(r, "file")
	if err != nil {
		return err
	}
	f, err := s.Council.AddAgendaFile(r.Context(), id, name, data)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": f.ID, "url": s.Config.BaseURL.String() + agendaFileURL(f)})
	return nil
}

func (s *Server) addAgendaItem(r *http.Request, in *council.AgendaInput) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	item, err := s.Council.AddItem(r.Context(), id, *in)
	if err != nil {
		return 0, err
	}
	return item.ID, nil
}

func (s *Server) createVote(r *http.Request, in *council.VoteInput) (int64, error) {
	v, err := s.Council.PrepareVote(r.Context(), *in)
	if err != nil {
		return 0, err
	}
	return v.ID, nil
}

func (s *Server) apiAttendance(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Councillor int64 `json:"councillor"`
		Present    *bool `json:"present"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Present == nil {
		return ratusz.Invalid("present", "err.required")
	}
	if err := s.Council.SetAttendance(r.Context(), id, in.Councillor, *in.Present); err != nil {
		return err
	}
	n, err := s.Council.Present(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"present": n})
	return nil
}

func (s *Server) voteJSON(v *council.Vote) map[string]any {
	m := map[string]any{
		"id": v.ID, "session": v.SessionID, "session_date": v.SessionDate, "agenda_item": v.AgendaItemID,
		"subject": v.Subject, "majority": v.Majority, "mode": v.Mode, "state": v.State, "repeats": v.RepeatsID, "superseded_by": v.SupersededBy, "cancel_reason": v.CancelReason,
		"statutory_size": v.StatutorySize, "ballots_cast": v.BallotsCast,
		"counts": v.Counts, "outcome": v.Outcome, "ballots": []map[string]any{}, "publication_url": nil,
	}
	if v.Ballots != nil {
		list := []map[string]any{}
		for _, b := range v.Ballots {
			list = append(list, map[string]any{"councillor": b.Councillor, "councillor_id": b.CouncillorID, "club": b.Club, "choice": b.Choice})
		}
		m["ballots"] = list
	}
	if v.PublicationID != nil {
		m["publication_url"] = s.publicationURL(*v.PublicationID)
	}
	if r := v.Resolution; r != nil {
		m["resolution"] = map[string]any{"number": r.Number, "title": r.Title, "url": s.publicationURL(r.PublicationID), "voided_by": r.VoidedBy}
	}
	return m
}

// voteAction runs an action on a vote and answers with the vote.
func (s *Server) voteAction(act func(*http.Request, int64) (*council.Vote, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := act(r, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, s.voteJSON(v))
		return nil
	}
}

func (s *Server) apiOpenVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return s.Council.OpenVote(r.Context(), id) })(w, r)
}

// apiCloseVote closes a vote; a secret one takes the tellers' totals
// {"counts": {"for", "against", "abstain"}}.
func (s *Server) apiCloseVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) {
		var in struct {
			Counts *struct {
				For     int `json:"for"`
				Against int `json:"against"`
				Abstain int `json:"abstain"`
			} `json:"counts"`
		}
		if r.ContentLength != 0 {
			if err := httpx.DecodeJSON(r, &in); err != nil {
				return nil, err
			}
		}
		if in.Counts != nil {
			return s.Council.CloseSecretVote(r.Context(), id, council.Counts{For: in.Counts.For, Against: in.Counts.Against, Abstain: in.Counts.Abstain})
		}
		return s.Council.CloseVote(r.Context(), id)
	})(w, r)
}

// apiCancelVote is POST /votes/{id}/cancel {"reason"}.
func (s *Server) apiCancelVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) {
		var in struct {
			Reason string `json:"reason"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		return s.Council.CancelVote(r.Context(), id, in.Reason)
	})(w, r)
}

func (s *Server) apiVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return s.Council.Vote(r.Context(), id) })(w, r)
}

func (s *Server) apiCastBallot(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Choice     string `json:"choice"`
		Councillor int64  `json:"councillor"` // roll call: the office records a councillor's choice
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Councillor != 0 {
		err = s.Council.RecordBallot(r.Context(), id, in.Councillor, council.Choice(in.Choice))
	} else {
		err = s.Council.CastBallot(r.Context(), id, council.Choice(in.Choice))
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"vote": id, "choice": in.Choice})
	return nil
}

// apiVotes pages through closed votes, newest first; next is the URL of the
// following page or null.
func (s *Server) apiVotes(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := council.VoteFilter{Limit: 20}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return ratusz.Invalid("limit", "err.range", 1, 100)
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return ratusz.Invalid("cursor", "err.council.cursor")
		}
		f.Before = n
	}
	votes, err := s.Council.Votes(r.Context(), f)
	if err != nil {
		return err
	}
	data := make([]map[string]any, 0, len(votes))
	for _, v := range votes {
		data = append(data, s.voteJSON(v))
	}
	var next any
	if len(votes) == f.Limit {
		next = s.Config.BaseURL.String() + "/api/v1/votes?limit=" + strconv.Itoa(f.Limit) + "&cursor=" + strconv.FormatInt(votes[len(votes)-1].ID, 10)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": data, "next": next})
	return nil
}
