package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/consultations"
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
