package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/web/httpx"
)

// consultationPages adds the consultations module's pages.
func (s *Server) consultationPages(r chi.Router) {
	r.Get("/konsultacje", s.page(s.consultationList))
	r.Get("/konsultacje/nowa", s.page(s.consultationNewForm))
	r.Post("/konsultacje/nowa", s.page(s.consultationCreateForm))
	r.Get("/konsultacje/dokumenty/{id}/{name}", s.page(s.consultationDocument))
	r.Get("/konsultacje/{id}", s.page(s.consultationShow))
	r.Post("/konsultacje/{id}/uwagi", s.page(s.consultationRemarkForm))
	r.Get("/konsultacje/{id}/ankieta", s.page(s.consultationSurvey))
	r.Post("/konsultacje/{id}/ankieta", s.page(s.consultationSurveySubmit))
	r.Get("/konsultacje/{id}/wyniki", s.page(s.consultationResults))
	r.Get("/konsultacje/{id}/wyniki.csv", s.page(s.consultationResultsCSV))
	r.Get("/konsultacje/{id}/raport", s.page(s.consultationReport))
	r.Get("/konsultacje/{id}/edycja", s.page(s.consultationEdit))
	r.Post("/konsultacje/{id}/edycja", s.page(s.consultationAction("form", s.consultationUpdateForm)))
	r.Post("/konsultacje/{id}/pytania", s.page(s.consultationAction("q_text", s.consultationAddQuestion)))
	r.Post("/konsultacje/{id}/pytania/usun", s.page(s.consultationAction("questions", s.consultationRemoveQuestion)))
	r.Post("/konsultacje/{id}/dokumenty", s.page(s.consultationAction("file", s.consultationUpload)))
	r.Post("/konsultacje/{id}/otworz", s.page(s.consultationAction("open", s.consultationOpenForm)))
	r.Post("/konsultacje/{id}/zamknij", s.page(s.consultationAction("close", s.consultationCloseForm)))
	r.Post("/konsultacje/{id}/wyniki-na-zywo", s.page(s.consultationAction("live", s.consultationLiveForm)))
	r.Post("/konsultacje/{id}/moderacja", s.page(s.consultationAction("moderation", s.consultationModerate)))
	r.Post("/konsultacje/{id}/uwagi/{remark}/odpowiedz", s.page(s.consultationAction("remark", s.consultationAnswerRemark)))
}

// consultationAPI adds the consultations module's JSON API under /api/v1.
func (s *Server) consultationAPI(r chi.Router) {
	r.Get("/consultations", s.api(s.apiConsultations))
	r.Post("/consultations", s.api(s.apiCreateConsultation))
	r.Get("/consultations/{id}", s.api(s.apiConsultation))
	r.Put("/consultations/{id}", s.api(s.apiUpdateConsultation))
	r.Post("/consultations/{id}/open", s.api(s.apiConsultationState(true)))
	r.Post("/consultations/{id}/close", s.api(s.apiConsultationState(false)))
	r.Post("/consultations/{id}/documents", s.api(s.apiConsultationDocument))
	r.Post("/consultations/{id}/responses", s.api(s.apiRespond(false)))
	r.Put("/consultations/{id}/responses/mine", s.api(s.apiRespond(true)))
	r.Get("/consultations/{id}/responses/mine", s.api(s.apiMyResponse))
	r.Get("/consultations/{id}/results", s.api(s.apiConsultationResults))
	r.Get("/consultations/{id}/remarks", s.api(s.apiRemarks))
	r.Post("/consultations/{id}/remarks", s.api(s.apiAddRemark))
	r.Put("/consultations/{id}/remarks/{remark}/answer", s.api(s.apiAnswerRemark))
}

// consultations is the module's service; it holds only the pool.

func (s *Server) loadConsultation(r *http.Request) (*consultations.Consultation, error) {
	return s.Consultations.ByIDText(r.Context(), chi.URLParam(r, "id"))
}

const browserCookie = "ratusz_konsultacje"

// respondent is who answers from a browser: the signed-in account, or for
// open consultations a random token in a cookie (one response per
// browser); create sets the cookie when there is none.
func (s *Server) respondent(w http.ResponseWriter, r *http.Request, create bool) consultations.Respondent {
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) >= 32 {
		return consultations.Respondent{Browser: c.Value}
	}
	if !create || !ratusz.ActorFromContext(r.Context()).Anonymous() {
		return consultations.Respondent{}
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: tok, Path: "/konsultacje", MaxAge: 2 * 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	return consultations.Respondent{Browser: tok}
}

func (s *Server) apiConsultations(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Consultations.List(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*consultations.Consultation{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "total": len(list)})
	return nil
}

func (s *Server) apiCreateConsultation(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleConsultationOfficer); err != nil {
		return err
	}
	var in consultations.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.Consultations.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/consultations/"+strconv.FormatInt(c.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": c.ID})
	return nil
}

func (s *Server) apiConsultation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	docs, err := s.Consultations.Documents(r.Context(), c.ID)
	if err != nil {
		return err
	}
	out := map[string]any{"consultation": c, "documents": docsJSON(docs)}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func docsJSON(docs []*consultations.Document) []map[string]any {
	out := []map[string]any{}
	for _, d := range docs {
		out = append(out, map[string]any{"id": d.ID, "name": d.Name, "content_type": d.ContentType, "size": d.Size, "url": documentURL(d)})
	}
	return out
}

func (s *Server) apiUpdateConsultation(w http.ResponseWriter, r *http.Request) error {
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
	c, err := s.Consultations.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiConsultationState(open bool) handlerFunc {
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
			c, err = s.Consultations.Open(r.Context(), id)
		} else {
			c, err = s.Consultations.Close(r.Context(), id)
		}
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, c)
		return nil
	}
}

type responseInput struct {
	Answers map[string]any `json:"answers"`
}

func (s *Server) apiRespond(change bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		var in responseInput
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		if in.Answers == nil {
			in.Answers = map[string]any{}
		}
		answers, err := s.Consultations.Respond(r.Context(), id, consultations.Respondent{}, in.Answers, change)
		if err != nil {
			return err
		}
		code := http.StatusCreated
		if change {
			code = http.StatusOK
		}
		httpx.WriteJSON(w, code, map[string]any{"answers": answers})
		return nil
	}
}

func (s *Server) apiMyResponse(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	mine, err := s.Consultations.Mine(r.Context(), c, consultations.Respondent{})
	if err != nil {
		return err
	}
	if mine == nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.no_response")
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"answers": mine})
	return nil
}

func (s *Server) apiConsultationResults(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	res, err := s.Consultations.Results(r.Context(), c)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) apiRemarks(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadConsultation(r)
	if err != nil {
		return err
	}
	list, err := s.Consultations.Remarks(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*consultations.Remark{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "total": len(list)})
	return nil
}

func (s *Server) apiAddRemark(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in consultations.RemarkInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rem, err := s.Consultations.AddRemark(r.Context(), id, consultations.Respondent{}, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rem)
	return nil
}

type remarkAnswerInput struct {
	Verdict       string `json:"verdict"`
	Justification string `json:"justification"`
}

func (s *Server) apiAnswerRemark(w http.ResponseWriter, r *http.Request) error {
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
	var in remarkAnswerInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rem, err := s.Consultations.AnswerRemark(r.Context(), id, rid, in.Verdict, in.Justification)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rem)
	return nil
}

func (s *Server) apiConsultationDocument(w http.ResponseWriter, r *http.Request) error {
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
	d, err := s.Consultations.AddDocument(r.Context(), id, name, data)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": d.ID, "url": s.Config.BaseURL.String() + documentURL(d)})
	return nil
}
