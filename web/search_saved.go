package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/search"
)

// A saved search: a signed-in person's query whose new results are sent
// to their e-mail address. Each e-mail carries a fresh random unsubscribe
// link that works without signing in; only its hash is stored.

type savedSearch struct {
	ID        int64
	Query     string
	Filters   url.Values
	CreatedAt time.Time
}

// URL is the search page of the saved query.
func (s savedSearch) URL() string { return "/szukaj?" + s.Filters.Encode() }

// EditURL opens the saved query on the search page, where saving replaces it.
func (s savedSearch) EditURL() string {
	v := url.Values{}
	for k, vs := range s.Filters {
		v[k] = vs
	}
	v.Set("zapisane", strconv.FormatInt(s.ID, 10))
	return "/szukaj?" + v.Encode()
}

// savedFilters are a saved search's parameters besides the words, in the
// order they are described, with their labels.
var savedFilters = []struct{ param, label string }{
	{"typ", "search.facet.type"}, {"kategoria", "search.facet.category"}, {"organ", "search.facet.body"},
	{"status", "search.facet.status"}, {"kadencja", "search.term"}, {"od", "search.from"}, {"do", "search.to"},
}

// Describe names a saved search's filters, e.g. "Rodzaj: głosowania · Od dnia: 2024-01-01".
func (p *savedSearchesPageData) Describe(ss savedSearch) string {
	var parts []string
	for _, f := range savedFilters {
		v := ss.Filters.Get(f.param)
		if v == "" {
			continue
		}
		switch f.param {
		case "typ":
			var names []string
			for _, t := range strings.Split(v, ",") {
				names = append(names, p.T("search.type."+t))
			}
			v = strings.Join(names, ", ")
		case "status":
			v = p.T("search.status." + v)
		case "kategoria":
			if n, ok := p.Categories[v]; ok {
				v = n
			}
		}
		parts = append(parts, p.T(f.label)+": "+v)
	}
	return strings.Join(parts, " · ")
}

type savedSearchesPageData struct {
	Page
	List       []savedSearch
	Categories map[string]string // BIP category slug → name
}

func (s *Server) savedSearchesPage(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	p := &savedSearchesPageData{}
	p.Lang = s.lang(r) // the handler translates messages before render
	var err error
	if p.Categories, err = s.categoryNames(r.Context(), p.Lang); err != nil {
		return err
	}
	p.Title = "search.saved.title"
	p.Section = "search"
	switch {
	case r.URL.Query().Get("usunieto") == "1":
		p.Notice = p.T("search.saved.deleted")
	case r.URL.Query().Get("zmieniono") == "1":
		p.Notice = p.T("search.saved.changed")
	}
	rows, err := s.pool.Query(r.Context(), `SELECT id, query, filters, created_at FROM search_saved
		WHERE user_id = $1 AND active ORDER BY created_at DESC, id DESC`, a.UserID)
	if err != nil {
		return err
	}
	p.List, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (savedSearch, error) {
		var ss savedSearch
		var f []byte
		err := row.Scan(&ss.ID, &ss.Query, &f, &ss.CreatedAt)
		json.Unmarshal(f, &ss.Filters)
		return ss, err
	})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "search_saved", p)
	return nil
}

// saveSearch stores the query of the page's form; what it finds now is
// taken as already seen, so alerts announce only what is new.
func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return ratusz.Invalid("q", "err.search.query_long", 200)
	}
	if a.Email == "" {
		return ratusz.Invalid("q", "err.search.no_email")
	}
	f := savedParams(r.PostForm)
	q, err := parseSearch(f, pageParams)
	if err != nil {
		return err
	}
	if q.Q == "" && len(q.Types) == 0 && q.Category == "" && q.Body == "" && q.Status == "" {
		return ratusz.Invalid("q", "err.search.empty")
	}
	// Editing: the search replaces one of the person's own saved searches.
	var replace int64
	if _, ok := r.PostForm["zastap"]; ok {
		if replace, err = strconv.ParseInt(r.PostForm.Get("zastap"), 10, 64); err != nil || replace <= 0 {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
		}
	}
	q.Sort, q.Limit = "date", 100
	res, err := s.search.index.Search(r.Context(), q)
	if err != nil {
		return err
	}
	fj, _ := json.Marshal(f)
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	// What it finds now counts as seen: alerts announce only what is new.
	err = pg.InTx(r.Context(), s.pool, func(tx pgx.Tx) error {
		id := replace
		if replace != 0 {
			tag, err := tx.Exec(r.Context(), `UPDATE search_saved SET query = $3, filters = $4, email = $5, lang = $6
				WHERE id = $1 AND user_id = $2 AND active`, replace, a.UserID, q.Q, fj, a.Email, string(s.lang(r)))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
			}
		} else if err := search.SaveWithin(r.Context(), tx, a.UserID, maxSaved); err != nil {
			return err
		} else if err := tx.QueryRow(r.Context(), `INSERT INTO search_saved (user_id, email, query, filters, lang)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, a.UserID, a.Email, q.Q, fj, string(s.lang(r))).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(r.Context(), `INSERT INTO search_saved_seen (saved_id, doc_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, ids)
		return err
	})
	if err != nil {
		return err
	}
	if replace != 0 {
		http.Redirect(w, r, "/szukaj/zapisane?zmieniono=1", http.StatusSeeOther)
		return nil
	}
	f.Set("zapisano", "1")
	http.Redirect(w, r, "/szukaj?"+f.Encode(), http.StatusSeeOther)
	return nil
}

// maxSaved is how many searches one person may save.
const maxSaved = 50

// savedKeys are the parameters a saved search keeps.
var savedKeys = []string{"q", "typ", "kategoria", "organ", "kadencja", "status", "od", "do"}

// savedParams picks a saved search's parameters from a form or a query.
func savedParams(v url.Values) url.Values {
	f := url.Values{}
	for _, k := range savedKeys {
		if x := strings.TrimSpace(v.Get(k)); x != "" {
			f.Set(k, x)
		}
	}
	return f
}

// savedSearchOf returns one of the actor's active saved searches, by the
// id in a page's "zapisane" parameter.
func (s *Server) savedSearchOf(ctx context.Context, userID int64, param string) (*savedSearch, error) {
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
	}
	ss := &savedSearch{ID: id}
	var f []byte
	err = s.pool.QueryRow(ctx, `SELECT query, filters, created_at FROM search_saved WHERE id = $1 AND user_id = $2 AND active`,
		id, userID).Scan(&ss.Query, &f, &ss.CreatedAt)
	if err == pgx.ErrNoRows {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
	}
	json.Unmarshal(f, &ss.Filters)
	return ss, err
}

func (s *Server) deleteSavedSearch(w http.ResponseWriter, r *http.Request) error {
	a := ratusz.ActorFromContext(r.Context())
	if err := a.Require(); err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
	}
	tag, err := s.pool.Exec(r.Context(), "UPDATE search_saved SET active = false WHERE id = $1 AND user_id = $2 AND active", id, a.UserID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")
	}
	http.Redirect(w, r, "/szukaj/zapisane?usunieto=1", http.StatusSeeOther)
	return nil
}

type unsubscribePage struct {
	Page
	Token string
	Query string
	Done  bool
}

// savedByToken finds the saved search an unsubscribe token belongs to.
func (s *Server) savedByToken(ctx context.Context, token string) (int64, string, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 {
		return 0, "", false, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.token")
	}
	sum := sha256.Sum256(b)
	var id int64
	var q string
	var active bool
	err = s.pool.QueryRow(ctx, `SELECT s.id, s.query, s.active FROM search_saved_tokens t JOIN search_saved s ON s.id = t.saved_id
		WHERE t.sha = $1`, sum[:]).Scan(&id, &q, &active)
	if err == pgx.ErrNoRows {
		return 0, "", false, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.token")
	}
	return id, q, active, err
}

// unsubscribeForm asks to confirm (a link opened by a mail scanner changes nothing).
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	_, q, active, err := s.savedByToken(r.Context(), token)
	if err != nil {
		return err
	}
	p := &unsubscribePage{Token: token, Query: q, Done: !active}
	p.Title = "search.unsubscribe.title"
	p.Section = "search"
	s.render(w, r, http.StatusOK, "search_unsubscribe", p)
	return nil
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	id, q, _, err := s.savedByToken(r.Context(), token)
	if err != nil {
		return err
	}
	if _, err := s.pool.Exec(r.Context(), "UPDATE search_saved SET active = false WHERE id = $1", id); err != nil {
		return err
	}
	p := &unsubscribePage{Token: token, Query: q, Done: true}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "search.unsubscribe.title"
	p.Section = "search"
	p.Notice = p.T("search.unsubscribe.done")
	s.render(w, r, http.StatusOK, "search_unsubscribe", p)
	return nil
}

// alerter sends saved searches' new results by e-mail.
type alerter struct {
	mu    sync.Mutex // one check at a time, so that nothing is sent twice
	s     *Server
	st    *searchState
	wakeC chan struct{}
	Every time.Duration
}

func newAlerter(s *Server, st *searchState) *alerter {
	return &alerter{s: s, st: st, wakeC: make(chan struct{}, 1), Every: 5 * time.Minute}
}

func (a *alerter) wake() {
	select {
	case a.wakeC <- struct{}{}:
	default:
	}
}

func (a *alerter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wakeC:
		case <-time.After(a.Every):
		}
		if err := a.check(ctx); err != nil && ctx.Err() == nil {
			a.s.log.Warn("search: saved-search alerts", "err", err)
		}
	}
}

// check sends each active saved search's unseen results; an e-mail that
// fails is tried again at the next check, since nothing is marked seen.
func (a *alerter) check(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	rows, err := a.s.pool.Query(ctx, "SELECT id, email, query, filters, lang FROM search_saved WHERE active ORDER BY id")
	if err != nil {
		return err
	}
	type saved struct {
		id                 int64
		email, query, lang string
		filters            url.Values
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (saved, error) {
		var sv saved
		var f []byte
		err := row.Scan(&sv.id, &sv.email, &sv.query, &f, &sv.lang)
		json.Unmarshal(f, &sv.filters)
		return sv, err
	})
	if err != nil {
		return err
	}
	var firstErr error
	for _, sv := range list {
		q, err := parseSearch(sv.filters, pageParams)
		if err != nil {
			continue
		}
		q.Sort, q.Limit = "date", 50
		res, err := a.st.index.Search(ctx, q)
		if err != nil {
			return err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		seen := map[string]bool{}
		srows, _ := a.s.pool.Query(ctx, "SELECT doc_id FROM search_saved_seen WHERE saved_id = $1 AND doc_id = ANY($2)", sv.id, ids)
		seenIDs, err := pgx.CollectRows(srows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range seenIDs {
			seen[id] = true
		}
		var fresh []search.Hit
		for _, h := range res.Hits {
			if !seen[h.ID] {
				fresh = append(fresh, h)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		if err := a.send(ctx, sv.id, sv.email, sv.query, sv.filters, i18n.Lang(sv.lang), fresh); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		fids := make([]string, len(fresh))
		for i, h := range fresh {
			fids[i] = h.ID
		}
		if _, err := a.s.pool.Exec(ctx, `INSERT INTO search_saved_seen (saved_id, doc_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, sv.id, fids); err != nil {
			return err
		}
	}
	return firstErr
}

func (a *alerter) send(ctx context.Context, id int64, to, query string, filters url.Values, lang i18n.Lang, hits []search.Hit) error {
	var raw [32]byte
	rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256(raw[:])
	if _, err := a.s.pool.Exec(ctx, "INSERT INTO search_saved_tokens (sha, saved_id) VALUES ($1, $2)", sum[:], id); err != nil {
		return err
	}
	base := a.s.cfg.BaseURL.String()
	label := query
	if label == "" {
		label = filters.Encode()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\r\n\r\n", i18n.T(lang, "search.mail.intro", len(hits), label))
	for _, h := range hits {
		fmt.Fprintf(&b, "- %s\r\n  %s%s\r\n", h.Title, base, h.URL)
	}
	fmt.Fprintf(&b, "\r\n%s\r\n%s/szukaj?%s\r\n\r\n%s\r\n%s/szukaj/wypisz/%s\r\n",
		i18n.T(lang, "search.mail.all"), base, filters.Encode(), i18n.T(lang, "search.mail.unsubscribe"), base, token)
	subject := i18n.T(lang, "search.mail.subject", a.s.cfg.Municipality, label)
	return a.s.mailer.Send(ctx, to, subject, b.String())
}
