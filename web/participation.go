package web

import "github.com/go-chi/chi/v5"

// participationPages adds the participation module's pages.
func (s *Server) participationPages(r chi.Router) {}

// participationAPI adds the participation module's JSON API under /api/v1.
func (s *Server) participationAPI(r chi.Router) {}
