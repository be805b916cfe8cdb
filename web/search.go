package web

import "github.com/go-chi/chi/v5"

// searchPages adds the search pages.
func (s *Server) searchPages(r chi.Router) {
	r.Get("/szukaj", s.page(s.searchPage))
	r.Get("/szukaj/feed.atom", s.searchFeed)
	r.Get("/szukaj/zapisane", s.page(s.savedSearchesPage))
	r.Post("/szukaj/zapisane", s.page(s.saveSearch))
	r.Post("/szukaj/zapisane/{id}/usun", s.page(s.deleteSavedSearch))
	r.Get("/szukaj/wypisz/{token}", s.page(s.unsubscribeForm))
	r.Post("/szukaj/wypisz/{token}", s.page(s.unsubscribe))
}
