package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
)

//go:embed templates static
var assets embed.FS

// Page is what every page's template gets: the typed page structs embed it.
type Page struct {
	Title        string // catalogue key of the page title
	TitleArgs    []any
	Lang         i18n.Lang
	Actor        ratusz.Actor
	Municipality string
	Path         string            // the request's path and query, for the language switch
	Section      string            // the active navigation entry
	Errors       map[string]string // field → translated message, for forms
	Notice       string            // a translated confirmation
	OIDC         bool              // resident login is on
}

func (p *Page) base() *Page { return p }

// T translates a catalogue key into the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// PageTitle is the translated title.
func (p *Page) PageTitle() string { return i18n.T(p.Lang, p.Title, p.TitleArgs...) }

// Other is the language the switch offers.
func (p *Page) Other() i18n.Lang {
	if p.Lang == i18n.EN {
		return i18n.PL
	}
	return i18n.EN
}

// Err returns the error message for a form field, or "".
func (p *Page) Err(field string) string { return p.Errors[field] }

// Date formats a time for the page's language in Europe/Warsaw.
func (p *Page) Date(t time.Time) string {
	return t.In(warsaw).Format("2006-01-02 15:04")
}

// Day formats a date without the time.
func (p *Page) Day(t time.Time) string { return t.In(warsaw).Format("2006-01-02") }

var warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

type pager interface{ base() *Page }

type templates struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"join": strings.Join,
	"role": func(r ratusz.Role) string { return "role." + string(r) },
	"list": func(s ...string) []string { return s },
}

// parseTemplates parses each page together with the layout.
func parseTemplates() (*templates, error) {
	t := &templates{byName: map[string]*template.Template{}}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		files := []string{"templates/layout.html", n}
		if strings.HasPrefix(name, "bare_") { // a page with a layout of its own
			files = files[1:]
		}
		tmpl, err := template.New(name).Funcs(funcs).ParseFS(assets, files...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		t.byName[name] = tmpl
	}
	return t, nil
}

// render fills the common fields and writes the page; a template error is a
// 500, caught before anything is written.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p pager) {
	b := p.base()
	b.Lang = s.lang(r)
	b.Actor = ratusz.ActorFromContext(r.Context())
	b.Municipality = s.cfg.Municipality
	b.Path = r.URL.RequestURI()
	b.OIDC = s.oidc != nil
	tmpl, ok := s.pages.byName[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no template %q", name)
	} else {
		err = tmpl.ExecuteTemplate(&buf, "layout", p)
	}
	if err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, i18n.T(b.Lang, "err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(b.Lang))
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

const langCookie = "ratusz_lang"

// lang is the reader's language: the switch's cookie, else Accept-Language.
func (s *Server) lang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

func staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// localPath returns next if it is a path on this site, else "/": redirects
// after login never leave the site.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}
