package web

import "github.com/go-chi/chi/v5"

// oparlRoutes serves the council's open data in OParl 1.1.
func (s *Server) oparlRoutes(r chi.Router) {}
