package web

import "github.com/go-chi/chi/v5"

// consultationPages adds the consultations module's pages.
func (s *Server) consultationPages(r chi.Router) {}

// consultationAPI adds the consultations module's JSON API under /api/v1.
func (s *Server) consultationAPI(r chi.Router) {}
