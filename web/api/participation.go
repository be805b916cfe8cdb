package api

import (
	"net/http"

	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/web/httpx"
)

// EditionCreated answers a new edition with its id and its pools.
type EditionCreated struct {
	ID        int64                     `json:"id"`
	Districts []*participation.District `json:"districts"`
}

func (a *API) createEdition(w http.ResponseWriter, r *http.Request) error {
	var in participation.EditionInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := a.Participation.CreateEdition(r.Context(), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, EditionCreated{ID: e.ID, Districts: e.Districts})
	return nil
}

// EditionView is an edition with the projects the caller is shown.
type EditionView struct {
	Edition  *participation.Edition     `json:"edition"`
	Projects []*participation.PBProject `json:"projects"`
}

func (a *API) edition(w http.ResponseWriter, r *http.Request) error {
	e, err := httpx.Load(r, "id", a.Participation.Edition)
	if err != nil {
		return err
	}
	projects, err := a.Participation.Projects(r.Context(), e.ID, e.OnlyAccepted(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, EditionView{Edition: e, Projects: projects})
	return nil
}

// VotingOpened answers the change to the voting phase with the private
// key of the sealed ballots, shown this once.
type VotingOpened struct {
	Edition   *participation.Edition `json:"edition"`
	BallotKey string                 `json:"ballot_key"`
}

func (a *API) editionPhase(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in participation.PhaseChange
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	key, err := a.Participation.SetPhase(r.Context(), id, in)
	if err != nil {
		return err
	}
	if key != "" { // opening the vote: the private key, this once
		w.Header().Set("Cache-Control", "no-store")
		e, err := a.Participation.Edition(r.Context(), id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, VotingOpened{Edition: e, BallotKey: key})
		return nil
	}
	return a.edition(w, r)
}

// ProjectSubmitted answers a submitted project with its id, its code and
// its cost in grosze.
type ProjectSubmitted struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Cost int64  `json:"cost"`
}

func (a *API) submitProject(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in participation.ProjectInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	proj, err := a.Participation.SubmitProject(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, ProjectSubmitted{ID: proj.ID, Code: proj.Code, Cost: proj.Cost})
	return nil
}

func (a *API) verifyProject(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status        string `json:"status"`
		Justification string `json:"justification"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	proj, err := a.Participation.Verify(r.Context(), id, in.Status, in.Justification)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, proj)
	return nil
}

// Receipt answers a ballot: the voter's receipt code and the tag the
// published list of ballots shows of it.
type Receipt struct {
	Receipt string `json:"receipt"`
	Tag     string `json:"tag"`
}

func (a *API) castPBBallot(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in participation.BallotInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	code, err := a.Participation.CastBallot(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, Receipt{Receipt: code, Tag: participation.ReceiptTag(code)})
	return nil
}

// Results are an edition's results, pool by pool.
type Results struct {
	Results []*participation.DistrictResult `json:"results"`
}

func (a *API) pbResults(w http.ResponseWriter, r *http.Request) error {
	res, err := httpx.Load(r, "id", a.Participation.Results)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, Results{Results: res})
	return nil
}
