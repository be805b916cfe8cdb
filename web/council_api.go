package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
)

// officeCreate is a create endpoint of the council office: it checks the
// role, reads the JSON body into In and answers 201 {"id"}.
func officeCreate[In any](create func(r *http.Request, in *In) (int64, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleSecretary, ratusz.RoleChair); err != nil {
			return err
		}
		var in In
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		id, err := create(r, &in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": id})
		return nil
	}
}

type bodyInput struct {
	Name          string `json:"name"`
	StatutorySize int    `json:"statutory_size"`
}

func (s *Server) createBody(r *http.Request, in *bodyInput) (int64, error) {
	b, err := s.council.CreateBody(r.Context(), in.Name, in.StatutorySize)
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
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	c, err := s.council.AddCouncillor(r.Context(), id, in.Name, in.Club, in.Email)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

type sessionInput struct {
	Body     int64     `json:"body"`
	Number   int       `json:"number"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
}

func (s *Server) createSession(r *http.Request, in *sessionInput) (int64, error) {
	sess, err := s.council.CreateSession(r.Context(), in.Body, in.Number, in.Title, in.StartsAt)
	if err != nil {
		return 0, err
	}
	return sess.ID, nil
}

type agendaInput struct {
	Title  string   `json:"title"`
	Papers []string `json:"papers"`
}

func (s *Server) addAgendaItem(r *http.Request, in *agendaInput) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	item, err := s.council.AddAgendaItem(r.Context(), id, in.Title, in.Papers)
	if err != nil {
		return 0, err
	}
	return item.ID, nil
}

type voteInput struct {
	AgendaItem int64                    `json:"agenda_item"`
	Subject    string                   `json:"subject"`
	Majority   string                   `json:"majority"`
	Resolution *council.DraftResolution `json:"resolution"`
}

func (s *Server) createVote(r *http.Request, in *voteInput) (int64, error) {
	v, err := s.council.CreateResolutionVote(r.Context(), in.AgendaItem, in.Subject, council.Majority(in.Majority), in.Resolution)
	if err != nil {
		return 0, err
	}
	return v.ID, nil
}

func (s *Server) apiAttendance(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Councillor int64 `json:"councillor"`
		Present    *bool `json:"present"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Present == nil {
		return ratusz.Invalid("present", "err.required")
	}
	if err := s.council.SetAttendance(r.Context(), id, in.Councillor, *in.Present); err != nil {
		return err
	}
	n, err := s.council.Present(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"present": n})
	return nil
}

func (s *Server) voteJSON(v *council.Vote) map[string]any {
	m := map[string]any{
		"id": v.ID, "session": v.SessionID, "session_date": v.SessionDate, "agenda_item": v.AgendaItemID,
		"subject": v.Subject, "majority": v.Majority, "mode": v.Mode, "state": v.State,
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
		m["resolution"] = map[string]any{"number": r.Number, "title": r.Title, "url": s.publicationURL(r.PublicationID)}
	}
	return m
}

// voteAction runs an action on a vote and answers with the vote.
func (s *Server) voteAction(act func(*http.Request, int64) (*council.Vote, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, err := act(r, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s.voteJSON(v))
		return nil
	}
}

func (s *Server) apiOpenVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return s.council.OpenVote(r.Context(), id) })(w, r)
}

func (s *Server) apiCloseVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return s.council.CloseVote(r.Context(), id) })(w, r)
}

func (s *Server) apiVote(w http.ResponseWriter, r *http.Request) error {
	return s.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return s.council.Vote(r.Context(), id) })(w, r)
}

func (s *Server) apiCastBallot(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Choice string `json:"choice"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.council.CastBallot(r.Context(), id, council.Choice(in.Choice)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"vote": id, "choice": in.Choice})
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
	votes, err := s.council.Votes(r.Context(), f)
	if err != nil {
		return err
	}
	data := make([]map[string]any, 0, len(votes))
	for _, v := range votes {
		data = append(data, s.voteJSON(v))
	}
	var next any
	if len(votes) == f.Limit {
		next = s.cfg.BaseURL.String() + "/api/v1/votes?limit=" + strconv.Itoa(f.Limit) + "&cursor=" + strconv.FormatInt(votes[len(votes)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "next": next})
	return nil
}
