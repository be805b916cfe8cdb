package web

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/web/httpx"
)

// MaxBody is the largest request body accepted outside uploads; MaxUpload
// the largest multipart form (several attachments).
const (
	MaxBody   = 1 << 20
	MaxUpload = 64 << 20
)

// logRequests logs each request with its id, and counts it in the metrics
// by route pattern (never by raw path, which would explode the series).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		code := ww.Status()
		if code == 0 {
			code = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(code)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		if route == "/healthz" || route == "/readyz" || route == "/metrics" || route == "/static/*" {
			return
		}
		path := redactPath(r.URL.Path, route)
		s.Log.Info("request", "method", r.Method, "path", path, "route", route, "status", code,
			"bytes", ww.BytesWritten(), "duration_ms", d.Milliseconds(),
			"request_id", middleware.GetReqID(r.Context()))
	})
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	https := s.Config.BaseURL.Scheme == "https"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if https { // browsers then never try plain http for this site again
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// limitBodies caps request bodies; reading past the cap fails with
// *http.MaxBytesError, which becomes a 413.
func (s *Server) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := int64(MaxBody)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = MaxUpload
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// formMemory is how much of a multipart body is kept in memory; the rest
// of its files go to temporary files, removed when the request ends.
const formMemory = 1 << 20

// readForms parses a form body once, before any handler, on the request
// whose end removes its temporary files (a handler's own parse would be on
// a copy of the request, and net/http cleans up only the one it made).
// Every field name and value, of the body and of the query, must be UTF-8
// text without NUL, which is what PostgreSQL can store; anything else is
// refused with 400 naming the field, before a handler sees it. (File names
// are checked by uploads, so that the form comes back with the message.)
func (s *Server) readForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				httpx.WriteError(s.Log, w, r, err)
			} else {
				s.renderError(w, r, err)
			}
		}
		// A path that is not text names no page (PostgreSQL cannot even
		// look it up).
		if !goodText(r.URL.Path) {
			fail(ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found"))
			return
		}
		// Media types are case-insensitive: "Application/X-WWW-Form-
		// Urlencoded" is a form too, and net/http parses it as one.
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var err error
		// Every request's form is parsed here, so handlers read r.Form and
		// r.PostForm without parsing again.
		switch {
		case r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead:
			_ = r.ParseForm() // the query; a malformed pair is dropped, as r.URL.Query does
		case ct == "multipart/form-data":
			err = r.ParseMultipartForm(formMemory)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
		default: // the body for an urlencoded form; nothing else is read
			err = r.ParseForm()
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(httpx.ToHTTPError(err))
			} else {
				fail(ratusz.Invalid("", "err.form_malformed"))
			}
			return
		}
		for _, values := range []url.Values{r.URL.Query(), r.PostForm} {
			if field, ok := badText(values); !ok {
				fail(ratusz.Invalid(field, "err.text_encoding", field))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// badText returns the first field whose name or values are not storable
// text.
func badText(v url.Values) (string, bool) {
	for k, vs := range v {
		if !goodText(k) {
			return strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "?"), false
		}
		for _, s := range vs {
			if !goodText(s) {
				return k, false
			}
		}
	}
	return "", true
}

func goodText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

const sessionCookie = "ratusz_session"

// authenticate puts the actor in the context: the owner of a Bearer token
// (a bad token is a 401 at once) or of the session cookie.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				httpx.WriteError(s.Log, w, r, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.token_invalid"))
				return
			}
			u, err := s.Accounts.TokenUser(ctx, strings.TrimSpace(tok))
			if err != nil {
				httpx.WriteError(s.Log, w, r, err)
				return
			}
			r = r.WithContext(ratusz.NewContextWithActor(ctx, u.Actor()))
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			u, err := s.Accounts.SessionUser(ctx, c.Value)
			switch {
			case err == nil:
				r = r.WithContext(ratusz.NewContextWithActor(ctx, u.Actor()))
			case ratusz.ErrorCode(err) == ratusz.EUNAUTHORIZED:
				s.clearSessionCookie(w, r) // expired or revoked: carry on anonymous
			default:
				s.renderError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.Config.SecureCookies() }

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, id string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

// clientAddr is the peer's IP address, for login throttling. Behind a proxy
// every request comes from the proxy; a deployment there should pass the
// real address in RemoteAddr (e.g. with the PROXY protocol).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secretPaths are the paths whose last part is a secret (an unsubscribe
// link's token), logged without it whatever the route or method.
var secretPaths = []string{"/szukaj/wypisz/", "/powiadomienia/wypisz/"}

// redactPath is the path as the log may hold it.
func redactPath(path, route string) string {
	if strings.Contains(route, "{token}") {
		return route
	}
	for _, p := range secretPaths {
		if strings.HasPrefix(path, p) {
			return p + "{token}"
		}
	}
	if !utf8.ValidString(path) {
		return strings.ToValidUTF8(path, "?")
	}
	return path
}

// require is a route group's guard: the actor must hold one of the roles,
// or the request is refused with 401 or 403 before any handler runs.
func (s *Server) require(roles ...ratusz.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := ratusz.ActorFromContext(r.Context()).Require(roles...); err != nil {
				s.renderError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
