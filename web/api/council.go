package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

// officeCreate is a create endpoint of the council office: it checks the
// role, reads the JSON body into In and answers 201 with the new id.
func officeCreate[In any](create func(r *http.Request, in *In) (int64, error)) httpx.Handler {
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
		httpx.WriteJSON(w, http.StatusCreated, Created{ID: id})
		return nil
	}
}

type bodyInput struct {
	Name          string `json:"name"`
	StatutorySize int    `json:"statutory_size"`
}

func (a *API) createBody(r *http.Request, in *bodyInput) (int64, error) {
	b, err := a.Council.CreateBody(r.Context(), in.Name, in.StatutorySize)
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

func (a *API) addCouncillor(r *http.Request, in *councillorInput) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	c, err := a.Council.AddCouncillor(r.Context(), id, in.Name, in.Club, in.Email)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

type sessionInput struct {
	Body int64 `json:"body"`
	council.SessionInput
}

func (a *API) createSession(r *http.Request, in *sessionInput) (int64, error) {
	sess, err := a.Council.NewSession(r.Context(), in.Body, in.SessionInput)
	if err != nil {
		return 0, err
	}
	return sess.ID, nil
}

// updateSession changes a session (PUT: every field as it should be).
func (a *API) updateSession(w http.ResponseWriter, r *http.Request) error {
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
	if _, err := a.Council.UpdateSession(r.Context(), id, in); err != nil {
		return err
	}
	return a.session(w, r)
}

// Session is a session with its agenda, files and votes.
type Session struct {
	ID              int64        `json:"id"`
	Body            int64        `json:"body"`
	Term            *int64       `json:"term"`
	Number          int          `json:"number"`
	Roman           string       `json:"roman"`
	Kind            string       `json:"kind"`
	Title           string       `json:"title"`
	StartsAt        time.Time    `json:"starts_at"`
	Place           string       `json:"place"`
	State           string       `json:"state"`
	BroadcastURL    string       `json:"broadcast_url"`
	RecordingURL    string       `json:"recording_url"`
	ProtocolURL     string       `json:"protocol_url"`
	CurrentItem     *int64       `json:"current_item"`
	AnnouncedAt     *time.Time   `json:"announced_at"`
	AnnouncementURL *string      `json:"announcement_url"` // the notice in BIP, once announced
	Present         int          `json:"present"`
	Quorum          bool         `json:"quorum"`
	LimitItem       int          `json:"limit_item"`     // speaking times in seconds, by kind
	LimitAdVocem    int          `json:"limit_ad_vocem"` //
	LimitFormal     int          `json:"limit_formal"`   //
	BreakSince      *time.Time   `json:"break_since"`    // the break in hand, if any
	BreakUntil      *time.Time   `json:"break_until"`    // its announced end, if said
	Agenda          []AgendaItem `json:"agenda"`
	Votes           []Vote       `json:"votes"`
}

// AgendaItem is an item of a session's agenda with its files.
type AgendaItem struct {
	ID            int64    `json:"id"`
	Label         string   `json:"label"`
	Title         string   `json:"title"`
	Papers        []string `json:"papers"`
	RemovedByVote *int64   `json:"removed_by_vote"`
	Files         []File   `json:"files"`
}

func (a *API) session(w http.ResponseWriter, r *http.Request) error {
	v, err := httpx.Load(r, "id", a.Council.SessionView)
	if err != nil {
		return err
	}
	items := make([]AgendaItem, 0, len(v.Agenda))
	for _, it := range v.Agenda {
		files := []File{}
		for _, f := range v.Files[it.ID] {
			files = append(files, File{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
				URL: a.base + httpx.AgendaFilePath(f.ID, f.Name)})
		}
		items = append(items, AgendaItem{ID: it.ID, Label: it.Label, Title: it.Title, Papers: it.Papers,
			RemovedByVote: it.RemovedByVoteID, Files: files})
	}
	votes := make([]Vote, 0, len(v.Votes))
	for _, x := range v.Votes {
		votes = append(votes, a.newVote(x))
	}
	sess := v.Session
	out := Session{ID: sess.ID, Body: sess.BodyID, Term: sess.TermID, Number: sess.Number, Roman: sess.Roman(),
		Kind: sess.Kind, Title: sess.Title, StartsAt: sess.StartsAt, Place: sess.Place, State: sess.State,
		BroadcastURL: sess.BroadcastURL, RecordingURL: sess.RecordingURL, ProtocolURL: sess.ProtocolURL,
		CurrentItem: sess.CurrentItemID, AnnouncedAt: sess.AnnouncedAt,
		Present: v.PresentN, Quorum: v.Quorum, Agenda: items, Votes: votes,
		LimitItem: sess.LimitItem, LimitAdVocem: sess.LimitAdVocem, LimitFormal: sess.LimitFormal,
		BreakSince: sess.BreakSince, BreakUntil: sess.BreakUntil}
	if sess.AgendaPublicationID != nil {
		u := a.publicationURL(*sess.AgendaPublicationID)
		out.AnnouncementURL = &u
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// sessionAction runs an office action on a session and answers with it.
func (a *API) sessionAction(act func(r *http.Request, id int64) error) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := act(r, id); err != nil {
			return err
		}
		return a.session(w, r)
	}
}

func (a *API) announceSession(w http.ResponseWriter, r *http.Request) error {
	return a.sessionAction(func(r *http.Request, id int64) error {
		_, err := a.Council.AnnounceSession(r.Context(), id)
		return err
	})(w, r)
}

func (a *API) startSession(w http.ResponseWriter, r *http.Request) error {
	return a.sessionAction(func(r *http.Request, id int64) error { return a.Council.StartSession(r.Context(), id) })(w, r)
}

func (a *API) closeSession(w http.ResponseWriter, r *http.Request) error {
	return a.sessionAction(func(r *http.Request, id int64) error { return a.Council.CloseSession(r.Context(), id) })(w, r)
}

func (a *API) currentItem(w http.ResponseWriter, r *http.Request) error {
	return a.sessionAction(func(r *http.Request, id int64) error {
		if err := council.MayManage(r.Context()); err != nil {
			return err
		}
		var in struct {
			AgendaItem int64 `json:"agenda_item"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		return a.Council.SetCurrentItem(r.Context(), id, in.AgendaItem)
	})(w, r)
}

func (a *API) proposeAgendaChange(r *http.Request, in *council.AgendaChange) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	v, err := a.Council.ProposeAgendaChange(r.Context(), id, *in)
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

func (a *API) createTerm(r *http.Request, in *termInput) (int64, error) {
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
	t, err := a.Council.CreateTerm(r.Context(), id, in.Name, start, end)
	if err != nil {
		return 0, err
	}
	return t.ID, nil
}

// agendaFile attaches a file (multipart field "file") to an agenda item.
func (a *API) agendaFile(w http.ResponseWriter, r *http.Request) error {
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
	f, err := a.Council.AddAgendaFile(r.Context(), id, name, data)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, Stored{ID: f.ID, URL: a.base + httpx.AgendaFilePath(f.ID, f.Name)})
	return nil
}

func (a *API) addAgendaItem(r *http.Request, in *council.AgendaInput) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	item, err := a.Council.AddItem(r.Context(), id, *in)
	if err != nil {
		return 0, err
	}
	return item.ID, nil
}

func (a *API) createVote(r *http.Request, in *council.VoteInput) (int64, error) {
	v, err := a.Council.PrepareVote(r.Context(), *in)
	if err != nil {
		return 0, err
	}
	return v.ID, nil
}

// Presence answers attendance: how many are present now.
type Presence struct {
	Present int `json:"present"`
}

func (a *API) attendance(w http.ResponseWriter, r *http.Request) error {
	id, in, err := idAndBody[struct {
		Councillor int64 `json:"councillor"`
		Present    *bool `json:"present"`
	}](r)
	if err != nil {
		return err
	}
	if in.Present == nil {
		return ratusz.Invalid("present", "err.required")
	}
	if err := a.Council.SetAttendance(r.Context(), id, in.Councillor, *in.Present); err != nil {
		return err
	}
	n, err := a.Council.Present(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, Presence{Present: n})
	return nil
}

// Vote is a vote with its named ballots and, once adopted, its resolution.
type Vote struct {
	ID             int64            `json:"id"`
	Session        int64            `json:"session"`
	SessionDate    time.Time        `json:"session_date"`
	AgendaItem     int64            `json:"agenda_item"`
	Subject        string           `json:"subject"`
	Majority       council.Majority `json:"majority"`
	Mode           string           `json:"mode"`
	State          string           `json:"state"`
	Repeats        *int64           `json:"repeats"`
	SupersededBy   *int64           `json:"superseded_by"`
	CancelReason   string           `json:"cancel_reason"`
	StatutorySize  int              `json:"statutory_size"`
	BallotsCast    int              `json:"ballots_cast"`
	Counts         *council.Counts  `json:"counts"`
	Outcome        *string          `json:"outcome"`
	Ballots        []council.Ballot `json:"ballots"`
	PublicationURL *string          `json:"publication_url"` // the named list in BIP
	Resolution     *Resolution      `json:"resolution,omitempty"`
}

// Resolution is the resolution a vote adopted.
type Resolution struct {
	Number   string `json:"number"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	VoidedBy *int64 `json:"voided_by"` // the re-vote that rejected it: not adopted after all
}

func (a *API) newVote(v *council.Vote) Vote {
	out := Vote{ID: v.ID, Session: v.SessionID, SessionDate: v.SessionDate, AgendaItem: v.AgendaItemID,
		Subject: v.Subject, Majority: v.Majority, Mode: v.Mode, State: v.State, Repeats: v.RepeatsID,
		SupersededBy: v.SupersededBy, CancelReason: v.CancelReason, StatutorySize: v.StatutorySize,
		BallotsCast: v.BallotsCast, Counts: v.Counts, Outcome: v.Outcome, Ballots: v.Ballots}
	if out.Ballots == nil {
		out.Ballots = []council.Ballot{}
	}
	if v.PublicationID != nil {
		u := a.publicationURL(*v.PublicationID)
		out.PublicationURL = &u
	}
	if r := v.Resolution; r != nil {
		out.Resolution = &Resolution{Number: r.Number, Title: r.Title, URL: a.publicationURL(r.PublicationID), VoidedBy: r.VoidedBy}
	}
	return out
}

// voteAction runs an action on a vote and answers with the vote.
func (a *API) voteAction(act func(*http.Request, int64) (*council.Vote, error)) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := act(r, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, a.newVote(v))
		return nil
	}
}

func (a *API) openVote(w http.ResponseWriter, r *http.Request) error {
	return a.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return a.Council.OpenVote(r.Context(), id) })(w, r)
}

// closeVote closes a vote; a secret one takes the tellers' totals
// {"counts": {"for", "against", "abstain"}}.
func (a *API) closeVote(w http.ResponseWriter, r *http.Request) error {
	return a.voteAction(func(r *http.Request, id int64) (*council.Vote, error) {
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
			return a.Council.CloseSecretVote(r.Context(), id, council.Counts{For: in.Counts.For, Against: in.Counts.Against, Abstain: in.Counts.Abstain})
		}
		return a.Council.CloseVote(r.Context(), id)
	})(w, r)
}

// cancelVote is POST /votes/{id}/cancel {"reason"}.
func (a *API) cancelVote(w http.ResponseWriter, r *http.Request) error {
	return a.voteAction(func(r *http.Request, id int64) (*council.Vote, error) {
		var in struct {
			Reason string `json:"reason"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		return a.Council.CancelVote(r.Context(), id, in.Reason)
	})(w, r)
}

func (a *API) vote(w http.ResponseWriter, r *http.Request) error {
	return a.voteAction(func(r *http.Request, id int64) (*council.Vote, error) { return a.Council.Vote(r.Context(), id) })(w, r)
}

// BallotCast answers a ballot: the vote and the choice recorded.
type BallotCast struct {
	Vote   int64  `json:"vote"`
	Choice string `json:"choice"`
}

func (a *API) castBallot(w http.ResponseWriter, r *http.Request) error {
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
		err = a.Council.RecordBallot(r.Context(), id, in.Councillor, council.Choice(in.Choice))
	} else {
		err = a.Council.CastBallot(r.Context(), id, council.Choice(in.Choice))
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, BallotCast{Vote: id, Choice: in.Choice})
	return nil
}

// VotePage is a page of closed votes; Next is the following page's URL, or
// null on the last.
type VotePage struct {
	Data []Vote  `json:"data"`
	Next *string `json:"next"`
}

// votes pages through closed votes, newest first.
func (a *API) votes(w http.ResponseWriter, r *http.Request) error {
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
	votes, err := a.Council.Votes(r.Context(), f)
	if err != nil {
		return err
	}
	out := VotePage{Data: make([]Vote, 0, len(votes))}
	for _, v := range votes {
		out.Data = append(out.Data, a.newVote(v))
	}
	if len(votes) == f.Limit {
		next := a.base + "/api/v1/votes?limit=" + strconv.Itoa(f.Limit) + "&cursor=" + strconv.FormatInt(votes[len(votes)-1].ID, 10)
		out.Next = &next
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// councillorGender is PUT /councillors/{id}/gender {"gender": "f"|"m"|""}:
// the office says how pages speak of a councillor.
func (a *API) councillorGender(w http.ResponseWriter, r *http.Request) error {
	id, in, err := idAndBody[struct {
		Gender string `json:"gender"`
	}](r)
	if err != nil {
		return err
	}
	if err := a.Council.SetGender(r.Context(), id, in.Gender); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, CouncillorGender{ID: id, Gender: in.Gender})
	return nil
}

// CouncillorGender answers a change of a councillor's grammatical gender.
type CouncillorGender struct {
	ID     int64  `json:"id"`
	Gender string `json:"gender"`
}
