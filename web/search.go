package web

import "github.com/go-chi/chi/v5"

// searchPages adds the search pages.
func (s *Server) searchPages(r chi.Router) {}

// searchAPI adds the search API under /api/v1.
func (s *Server) searchAPI(r chi.Router) {}

// startSearch starts indexing what the modules publish.
func (s *Server) startSearch() error { return nil }

// stopSearch stops the indexer.
func (s *Server) stopSearch() {}
