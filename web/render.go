package web

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/web/httpx"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
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
	OIDCName     string            // what residents sign in with (RATUSZ_OIDC_NAME)
	Compact      bool              // a slim header, for a phone in hand (the councillor's device)
	Feed         string            // the page's Atom feed, announced in its head for feed readers
}

func (p *Page) base() *Page { return p }

// T translates a catalogue key into the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// SessionOf names a session of a body: "Sesja XI Rady Gminy …" in
// Polish, "Session XI of Rada Gminy …" in English (no Polish genitive).
func (p *Page) SessionOf(roman string, b *council.Body) string {
	return p.T("council.session.of", roman, b.Genitive(), b.Name)
}

// Nav is the main navigation, built once for each language, active section
// and admin status (it is on every page, and a template loop over it costs
// more than the rest of the layout).
func (p *Page) Nav() template.HTML {
	key := navKey{p.Lang, p.Section, p.Actor.Has(ratusz.RoleAdmin)}
	if v, ok := navCache.Load(key); ok {
		return v.(template.HTML)
	}
	var b strings.Builder
	item := func(path, label string, current bool) {
		b.WriteString(`<li><a href="` + html.EscapeString(path) + `"`)
		if current {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(">" + html.EscapeString(label) + "</a></li>")
	}
	for _, sec := range sections {
		item(sec.Path, i18n.T(p.Lang, "nav."+sec.Key), p.Section == sec.Key)
	}
	if key.admin {
		item("/admin/users", i18n.T(p.Lang, "nav.admin"), p.Section == "admin")
	}
	h := template.HTML(b.String())
	navCache.Store(key, h)
	return h
}

// LangSwitch is the link to the page in the other language.
func (p *Page) LangSwitch() template.HTML {
	other, label := i18n.EN, "English"
	if p.Lang == i18n.EN {
		other, label = i18n.PL, "Polski"
	}
	return template.HTML(`<a class="lang-switch" href="/lang/` + string(other) + `?next=` + html.EscapeString(url.QueryEscape(p.Path)) +
		`" lang="` + string(other) + `" hreflang="` + string(other) + `">` + label + `</a>`)
}

type navKey struct {
	lang    i18n.Lang
	section string
	admin   bool
}

var navCache sync.Map

// PageTitle is the translated title.
func (p *Page) PageTitle() string { return i18n.T(p.Lang, p.Title, p.TitleArgs...) }

// Err returns the error message for a form field, or "".
func (p *Page) Err(field string) string { return p.Errors[field] }

// Date writes a moment as people write it, in Warsaw's time: "10 grudnia
// 2026 r., 10:00", "10 December 2026, 10:00".
func (p *Page) Date(t time.Time) string { return i18n.DateTime(p.Lang, t.In(warsaw)) }

// Clock is the time of day in Warsaw: "10:00".
func (p *Page) Clock(t time.Time) string { return t.In(warsaw).Format("15:04") }

// Day writes a day in words: "10 grudnia 2026 r.", "10 December 2026".
func (p *Page) Day(t time.Time) string { return i18n.LongDate(p.Lang, t.In(warsaw)) }

// Short writes a day in a dense table: "3.12.2026", "3 Dec 2026".
func (p *Page) Short(t time.Time) string { return i18n.ShortDate(p.Lang, t.In(warsaw)) }

var warsaw = bip.Warsaw

type pager interface{ base() *Page }

// templates holds each page parsed once per language.
type templates struct {
	byName map[i18n.Lang]map[string]*template.Template
}

// literalT matches a translation of a fixed key with no arguments, in any of
// the forms the templates use: .T, $.T or $p.T followed by a quoted key.
var literalT = regexp.MustCompile(`\{\{\s*\$?[a-zA-Z]*\.T\s+"([a-z0-9_.]+)"\s*\}\}`)

// translate replaces each literal translation with its text, escaped for
// HTML (it stands in text and in quoted attributes), so that rendering a
// page calls no method for the fixed text of the page.
func translate(src string, lang i18n.Lang) string {
	return literalT.ReplaceAllStringFunc(src, func(m string) string {
		key := literalT.FindStringSubmatch(m)[1]
		if !i18n.Has(key) {
			return m // left for the test that finds missing keys
		}
		return html.EscapeString(i18n.T(lang, key))
	})
}

// templateFuncs is every function the templates call, in one place.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"join": strings.Join,
		"role": func(r ratusz.Role) string { return "role." + string(r) },
		"list": func(s ...string) []string { return s },
		// BIP
		"attachmentURL": attachmentURL,
		"size": func(n int64) string {
			switch {
			case n >= 1<<20:
				return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
			}
			return fmt.Sprintf("%d B", n)
		},
		"hex":       func(b []byte) string { return fmt.Sprintf("%x", b) },
		"kindKey":   func(k string) string { return "bip.kind." + k },
		"firstLine": func(s string) string { line, _, _ := strings.Cut(s, "\n"); return line },
		// consultations
		"documentURL": documentURL,
		"ordinal":     func(i int) int { return i + 1 },
		"pct":         func(lang i18n.Lang, f float64) string { return percent(lang, f) },
		"decimal":     decimal,
		// e-Rada
		"deref":          derefOf[string],
		"derefTime":      derefOf[time.Time],
		"agendaFileURL":  agendaFileURL,
		"roman":          council.Roman,
		"derefInt":       derefOf[int64],
		"choiceKey":      func(c string) string { return "council.choice." + c },
		"majorityKey":    func(m council.Majority) string { return "council.majority." + string(m) },
		"sessionKindKey": func(k string) string { return "council.kind." + k },
		"stateKey":       func(k string) string { return "council.state." + k },
		"countdown":      Countdown,
		"sentence":       sentence,
		"speechKindKey":  func(k string) string { return "council.speech." + k },
		// the site
		"sections": func() []section { return sections },
		// the participatory budget
		"pln": participation.FormatPLN,
		"pbFileURL": func(f *participation.File) string {
			return "/budzet-obywatelski/pliki/" + strconv.FormatInt(f.ID, 10) + "/" + url.PathEscape(f.Name)
		},
		"derefI":   derefOf[int],
		"derefI64": derefOf[int64],
		"ruleKey":  func(rule string) string { return "pb.rule." + strings.NewReplacer("/", "_", "-", "_").Replace(rule) },
		"phaseLabels": func(p *pbEditionPage) []string {
			var out []string
			for _, ph := range participation.Phases {
				out = append(out, p.T("pb.phase."+ph))
			}
			return out
		},
	}
}

// parseTemplates parses each page together with the layout, once for each
// language.
func parseTemplates() (*templates, error) {
	fm := templateFuncs()
	t := &templates{byName: map[i18n.Lang]map[string]*template.Template{}}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	layout, err := fs.ReadFile(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.ReadFile(assets, "templates/partials.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range i18n.Langs {
		t.byName[lang] = map[string]*template.Template{}
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if name == "layout" || name == "partials" {
				continue
			}
			page, err := fs.ReadFile(assets, n)
			if err != nil {
				return nil, err
			}
			tmpl, err := template.New(name).Funcs(fm).Parse(translate(string(partials), lang))
			if err != nil {
				return nil, fmt.Errorf("template partials: %w", err)
			}
			if !strings.HasPrefix(name, "bare_") { // a bare page has a layout of its own
				if tmpl, err = tmpl.Parse(translate(string(layout), lang)); err != nil {
					return nil, fmt.Errorf("template layout: %w", err)
				}
			}
			if tmpl, err = tmpl.Parse(translate(string(page), lang)); err != nil {
				return nil, fmt.Errorf("template %s: %w", name, err)
			}
			t.byName[lang][name] = tmpl
		}
	}
	return t, nil
}

// page is what a handler renders: its data, which names its template.
type page interface {
	pager
	template() string
}

// render fills the common fields and writes the page in its template.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, p page) {
	s.renderTemplate(w, r, code, p.template(), p)
}

// renderTemplate writes p in the named template; a template error is a
// 500, caught before anything is written.
func (s *Server) renderTemplate(w http.ResponseWriter, r *http.Request, code int, name string, p pager) {
	b := p.base()
	b.Lang = s.lang(r)
	b.Actor = ratusz.ActorFromContext(r.Context())
	b.Municipality = s.Config.Municipality
	b.Path = r.URL.RequestURI()
	b.OIDC = s.oidc != nil
	b.OIDCName = s.Config.OIDCName
	tmpl, ok := s.pages.byName[b.Lang][name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no template %q", name)
	} else {
		err = tmpl.ExecuteTemplate(&buf, "layout", p)
	}
	if err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, i18n.T(b.Lang, "err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(b.Lang))
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func (s *Server) lang(r *http.Request) i18n.Lang { return httpx.Lang(r) }

// sentence starts a phrase with a capital, for one that opens a sentence.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
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
// after login never leave the site. It judges the address as a browser
// will read it: browsers drop tabs and line breaks anywhere in a URL, trim
// leading and trailing controls and spaces, and read a backslash as a
// slash, so "/\t/evil.example" and "/\\evil.example" both lead to another
// host ("//evil.example").
func localPath(next string) string {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, next)
	clean = strings.TrimFunc(clean, func(r rune) bool { return r <= ' ' })
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return "/"
	}
	for _, r := range clean {
		if r < ' ' || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(clean)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return clean
}

// derefOf is what a pointer points to, or the zero value for nil.
func derefOf[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
