package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/web/httpx"
)

// The API responds and remarks as the signed-in actor
// (consultations.Respondent{}); answering by a browser's token is the pages'.

func (a *API) loadConsultation(r *http.Request) (*consultations.Consultation, error) {
	return a.Consultations.ByIDText(r.Context(), chi.URLParam(r, "id"))
}

func (a *API) consultations(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Consultations.List(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*consultations.Consultation{}
	}
	httpx.WriteJSON(w, http.StatusOK, List[*consultations.Consultation]{Data: list, Total: len(list)})
	return nil
}

func (a *API) createConsultation(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer); err != nil {
		return err
	}
	var in consultations.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Consultations.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/consultations/"+strconv.FormatInt(c.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, Created{ID: c.ID})
	return nil
}

// ConsultationView is a consultation with its documents (their URLs
// relative to the site).
type ConsultationView struct {
	Consultation *consultations.Consultation `json:"consultation"`
	Documents    []File                      `json:"documents"`
}

func (a *API) consultation(w http.ResponseWriter, r *http.Request) error {
	c, err := a.loadConsultation(r)
	if err != nil {
		return err
	}
	docs, err := a.Consultations.Documents(r.Context(), c.ID)
	if err != nil {
		return err
	}
	out := ConsultationView{Consultation: c, Documents: []File{}}
	for _, d := range docs {
		out.Documents = append(out.Documents, File{ID: d.ID, Name: d.Name, ContentType: d.ContentType, Size: d.Size,
			URL: httpx.DocumentPath(d.ID, d.Name)})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateConsultation(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in consultations.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Consultations.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) consultationState(open bool) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer); err != nil {
			return err
		}
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		var c *consultations.Consultation
		if open {
			c, err = a.Consultations.Open(r.Context(), id)
		} else {
			c, err = a.Consultations.Close(r.Context(), id)
		}
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, c)
		return nil
	}
}

// Answers is a response to a consultation's survey.
type Answers struct {
	Answers consultations.Answers `json:"answers"`
}

func (a *API) respond(change bool) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		var in struct {
			Answers map[string]any `json:"answers"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		if in.Answers == nil {
			in.Answers = map[string]any{}
		}
		answers, err := a.Consultations.Respond(r.Context(), id, consultations.Respondent{}, in.Answers, change)
		if err != nil {
			return err
		}
		code := http.StatusCreated
		if change {
			code = http.StatusOK
		}
		httpx.WriteJSON(w, code, Answers{Answers: answers})
		return nil
	}
}

func (a *API) myResponse(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	c, err := a.loadConsultation(r)
	if err != nil {
		return err
	}
	mine, err := a.Consultations.Mine(r.Context(), c, consultations.Respondent{})
	if err != nil {
		return err
	}
	if mine == nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.no_response")
	}
	httpx.WriteJSON(w, http.StatusOK, Answers{Answers: mine})
	return nil
}

func (a *API) consultationResults(w http.ResponseWriter, r *http.Request) error {
	c, err := a.loadConsultation(r)
	if err != nil {
		return err
	}
	res, err := a.Consultations.Results(r.Context(), c)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) remarks(w http.ResponseWriter, r *http.Request) error {
	c, err := a.loadConsultation(r)
	if err != nil {
		return err
	}
	list, err := a.Consultations.Remarks(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*consultations.Remark{}
	}
	httpx.WriteJSON(w, http.StatusOK, List[*consultations.Remark]{Data: list, Total: len(list)})
	return nil
}

func (a *API) addRemark(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in consultations.RemarkInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rem, err := a.Consultations.AddRemark(r.Context(), id, consultations.Respondent{}, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rem)
	return nil
}

func (a *API) answerRemark(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := httpx.PathID(r, "remark")
	if err != nil {
		return err
	}
	var in struct {
		Verdict       string `json:"verdict"`
		Justification string `json:"justification"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rem, err := a.Consultations.AnswerRemark(r.Context(), id, rid, in.Verdict, in.Justification)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rem)
	return nil
}

func (a *API) consultationDocument(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer); err != nil {
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
	d, err := a.Consultations.AddDocument(r.Context(), id, name, data)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, Stored{ID: d.ID, URL: a.base + httpx.DocumentPath(d.ID, d.Name)})
	return nil
}
