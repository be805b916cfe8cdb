package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/i18n"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title    string       `xml:"title"`
	ID       string       `xml:"id"`
	Updated  string       `xml:"updated"`
	Link     atomLink     `xml:"link"`
	Category atomCategory `xml:"category"`
	Summary  string       `xml:"summary,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

// bipFeed is the Atom feed of the newest changes in BIP, or in a category.
func (s *Server) bipFeed(w http.ResponseWriter, r *http.Request) {
	lang := string(s.lang(r))
	base := s.Config.BaseURL.String()
	f := bip.Filter{Limit: 50, ByUpdate: true}
	title := s.Config.Municipality + " — BIP"
	self := base + "/bip/feed.atom"
	if slug := chi.URLParam(r, "slug"); slug != "" {
		c, err := s.BIP.CategoryBySlug(r.Context(), slug)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		f.CategoryID = c.ID
		title += ": " + c.Name(lang)
		self = base + "/bip/kategoria/" + slug + "/feed.atom"
	}
	list, _, err := s.BIP.Find(r.Context(), f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	feed := atomFeed{Title: title, ID: self, Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: base + "/bip"}},
		Author: atomAuthor{Name: s.Config.Municipality}}
	for i, p := range list {
		if i == 0 {
			feed.Updated = p.UpdatedAt.UTC().Format(time.RFC3339)
		}
		cat := p.CategoryPL
		if lang == "en" {
			cat = p.CategoryEN
		}
		e := atomEntry{Title: p.Title, ID: fmt.Sprintf("%s/bip/publikacje/%d/wersje/%d", base, p.ID, p.Version),
			Updated: p.UpdatedAt.UTC().Format(time.RFC3339), Link: atomLink{Rel: "alternate", Type: "text/html", Href: s.publicationURL(p.ID)},
			Category: atomCategory{Term: p.CategorySlug, Label: cat}}
		if p.Withdrawn {
			e.Summary = i18n.T(i18n.Lang(lang), "bip.withdrawn")
		}
		feed.Entries = append(feed.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	enc.Encode(feed)
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// sitemapSize keeps each sitemap under the protocol's 50,000 URLs.
const sitemapSize = 40000

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	enc.Encode(v)
}

// sitemap is an index of the site's sitemaps: one of pages and categories,
// then one for every 40,000 publications.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	_, total, err := s.BIP.Find(r.Context(), bip.Filter{Limit: 1})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	base := s.Config.BaseURL.String()
	idx := sitemapIndex{Sitemaps: []sitemapURL{{Loc: base + "/sitemap/strony.xml"}}}
	for i := 0; i*sitemapSize < total; i++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: fmt.Sprintf("%s/sitemap/bip-%d.xml", base, i+1)})
	}
	writeXML(w, idx)
}

func (s *Server) sitemapPart(w http.ResponseWriter, r *http.Request) {
	base := s.Config.BaseURL.String()
	var set urlSet
	part := chi.URLParam(r, "part")
	if part == "strony" {
		for _, p := range []string{"/", "/bip", "/bip/rejestr-zmian", "/deklaracja-dostepnosci"} {
			set.URLs = append(set.URLs, sitemapURL{Loc: base + p})
		}
		for _, sec := range sections {
			if sec.Key != "bip" {
				set.URLs = append(set.URLs, sitemapURL{Loc: base + sec.Path})
			}
		}
		cats, err := s.BIP.Categories(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, c := range cats {
			set.URLs = append(set.URLs, sitemapURL{Loc: base + "/bip/kategoria/" + c.Slug})
		}
		writeXML(w, set)
		return
	}
	num, ok := strings.CutPrefix(part, "bip-")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		s.renderError(w, r, ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found"))
		return
	}
	list, err := s.BIP.Sitemap(r.Context(), (n-1)*sitemapSize, sitemapSize)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(list) == 0 {
		s.renderError(w, r, ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found"))
		return
	}
	for _, p := range list {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.publicationURL(p.ID), LastMod: p.UpdatedAt.UTC().Format("2006-01-02")})
	}
	writeXML(w, set)
}
