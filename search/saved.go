package search

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// MaxSaved is how many searches one person may save.
const MaxSaved = 50

// Saved is a saved search: a person's query (its parameters as the search
// page names them) whose new results are sent to their e-mail address.
type Saved struct {
	ID        int64
	UserID    int64
	Email     string
	Query     string
	Filters   url.Values
	Lang      string
	CreatedAt time.Time
}

// SavedSearches stores saved searches, what each has already announced,
// and the unsubscribe tokens of the e-mails sent (only their hashes).
type SavedSearches struct{ pool *pgxpool.Pool }

// NewSavedSearches returns the store.
func NewSavedSearches(pool *pgxpool.Pool) *SavedSearches { return &SavedSearches{pool: pool} }

var errSavedNotFound = ratusz.Errorf(ratusz.ENOTFOUND, "err.search.saved_not_found")

func scanSaved(row pgx.CollectableRow) (*Saved, error) {
	s := &Saved{}
	var f []byte
	err := row.Scan(&s.ID, &s.UserID, &s.Email, &s.Query, &f, &s.Lang, &s.CreatedAt)
	json.Unmarshal(f, &s.Filters)
	s.Filters = Canonical(s.Filters) // saved under the page's former names
	return s, err
}

const savedColumns = "id, user_id, email, query, filters, lang, created_at"

// List returns a person's active saved searches, newest first.
func (s *SavedSearches) List(ctx context.Context, userID int64) ([]*Saved, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+savedColumns+" FROM search_saved WHERE user_id = $1 AND active ORDER BY created_at DESC, id DESC", userID)
	return pgx.CollectRows(rows, scanSaved)
}

// Active returns every active saved search, for the alerts.
func (s *SavedSearches) Active(ctx context.Context) ([]*Saved, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+savedColumns+" FROM search_saved WHERE active ORDER BY id")
	return pgx.CollectRows(rows, scanSaved)
}

// Get returns one of a person's active saved searches.
func (s *SavedSearches) Get(ctx context.Context, userID, id int64) (*Saved, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+savedColumns+" FROM search_saved WHERE id = $1 AND user_id = $2 AND active", id, userID)
	sv, err := pgx.CollectExactlyOneRow(rows, scanSaved)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errSavedNotFound
	}
	return sv, err
}

// Save stores a search, or replaces the person's saved search replace
// (when not 0), and takes seen (the ids it finds now) as announced, so
// that alerts bring only what is new. A person has at most MaxSaved.
func (s *SavedSearches) Save(ctx context.Context, sv Saved, replace int64, seen []string) (int64, error) {
	fj, err := json.Marshal(sv.Filters)
	if err != nil {
		return 0, err
	}
	id := replace
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if replace != 0 {
			tag, err := tx.Exec(ctx, `UPDATE search_saved SET query = $3, filters = $4, email = $5, lang = $6
				WHERE id = $1 AND user_id = $2 AND active`, replace, sv.UserID, sv.Query, fj, sv.Email, sv.Lang)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return errSavedNotFound
			}
		} else {
			if err := saveWithin(ctx, tx, sv.UserID, MaxSaved); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO search_saved (user_id, email, query, filters, lang)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, sv.UserID, sv.Email, sv.Query, fj, sv.Lang).Scan(&id); err != nil {
				return err
			}
		}
		return markSeen(ctx, tx, id, seen)
	})
	return id, err
}

// Delete ends one of a person's saved searches.
func (s *SavedSearches) Delete(ctx context.Context, userID, id int64) error {
	tag, err := s.pool.Exec(ctx, "UPDATE search_saved SET active = false WHERE id = $1 AND user_id = $2 AND active", id, userID)
	if err == nil && tag.RowsAffected() == 0 {
		return errSavedNotFound
	}
	return err
}

// Unseen returns those of ids the saved search has not announced yet.
func (s *SavedSearches) Unseen(ctx context.Context, id int64, ids []string) ([]string, error) {
	rows, _ := s.pool.Query(ctx, "SELECT doc_id FROM search_saved_seen WHERE saved_id = $1 AND doc_id = ANY($2)", id, ids)
	seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	got := map[string]bool{}
	for _, d := range seen {
		got[d] = true
	}
	var out []string
	for _, d := range ids {
		if !got[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

// MarkSeen takes ids as announced by the saved search.
func (s *SavedSearches) MarkSeen(ctx context.Context, id int64, ids []string) error {
	return markSeen(ctx, s.pool, id, ids)
}

func markSeen(ctx context.Context, q pg.Querier, id int64, ids []string) error {
	_, err := q.Exec(ctx, `INSERT INTO search_saved_seen (saved_id, doc_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, ids)
	return err
}

// NewToken makes an unsubscribe token for an e-mail of the saved search;
// only its hash is stored.
func (s *SavedSearches) NewToken(ctx context.Context, id int64) (string, error) {
	var raw [32]byte
	rand.Read(raw[:])
	sum := sha256.Sum256(raw[:])
	if _, err := s.pool.Exec(ctx, "INSERT INTO search_saved_tokens (sha, saved_id) VALUES ($1, $2)", sum[:], id); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// ByToken returns the saved search an unsubscribe token belongs to, ended
// ones included (Active false).
func (s *SavedSearches) ByToken(ctx context.Context, token string) (sv *Saved, active bool, err error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 {
		return nil, false, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.token")
	}
	sum := sha256.Sum256(b)
	sv = &Saved{}
	err = s.pool.QueryRow(ctx, `SELECT s.id, s.query, s.active FROM search_saved_tokens t JOIN search_saved s ON s.id = t.saved_id
		WHERE t.sha = $1`, sum[:]).Scan(&sv.ID, &sv.Query, &active)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, ratusz.Errorf(ratusz.ENOTFOUND, "err.search.token")
	}
	return sv, active, err
}

// Unsubscribe ends the saved search of a token.
func (s *SavedSearches) Unsubscribe(ctx context.Context, token string) (*Saved, error) {
	sv, _, err := s.ByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	_, err = s.pool.Exec(ctx, "UPDATE search_saved SET active = false WHERE id = $1", sv.ID)
	return sv, err
}

// saveWithin refuses, inside the transaction about to save a search, when
// the person already has max saved searches. It counts under a lock per
// person, held until the transaction ends, so that saves sent at once are
// counted one after another (60 concurrent saves used to pass a limit of
// 50).
func saveWithin(ctx context.Context, tx pgx.Tx, userID int64, max int) error {
	if err := pg.LockXact(ctx, tx, "saved-search", userID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM search_saved WHERE user_id = $1 AND active", userID).Scan(&n); err != nil {
		return err
	}
	if n >= max {
		return ratusz.Invalid("q", "err.search.too_many", max)
	}
	return nil
}

// FollowTarget names one of the actor's saved searches for follows; the
// searches of others are not found.
func (s *SavedSearches) FollowTarget(ctx context.Context, id int64) (string, string, error) {
	a := ratusz.ActorFromContext(ctx)
	sv, err := s.Get(ctx, a.UserID, id)
	if err != nil {
		return "", "", err
	}
	label := sv.Query
	if label == "" {
		label = sv.Filters.Encode()
	}
	return label, "/szukaj?" + sv.Filters.Encode(), nil
}
