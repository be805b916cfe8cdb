package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Indexer keeps an engine in step with PostgreSQL. A sync compares every
// searchable document's hash with what the engine was last sent
// (search_synced, stored in PostgreSQL), sends what changed and deletes what
// is gone: it is idempotent, and when the engine is down nothing is
// recorded as sent, so the next sync after it comes back sends everything
// missed.
type Indexer struct {
	pool  *pgxpool.Pool
	index Index
	log   *slog.Logger
	wake  chan struct{}

	// Backoff bounds the wait between failed syncs.
	MinBackoff, MaxBackoff time.Duration
	// Every is the sync interval when nothing wakes the indexer.
	Every time.Duration
	// Synced, if set, is called after each successful sync.
	Synced func(SyncStats)
}

// SyncStats says what a sync did.
type SyncStats struct {
	Documents, Upserted, Deleted int
}

// NewIndexer returns an indexer for an engine.
func NewIndexer(pool *pgxpool.Pool, index Index, log *slog.Logger) *Indexer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Indexer{pool: pool, index: index, log: log, wake: make(chan struct{}, 1),
		MinBackoff: 500 * time.Millisecond, MaxBackoff: time.Minute, Every: time.Minute}
}

// Index returns the engine.
func (ix *Indexer) Index() Index { return ix.index }

// Notify asks for a sync soon; it never blocks.
func (ix *Indexer) Notify() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

const batchSize = 500

// Sync brings the engine up to date once.
func (ix *Indexer) Sync(ctx context.Context) (SyncStats, error) {
	var st SyncStats
	engine := ix.index.Name()
	sent := map[string]string{}
	rows, err := ix.pool.Query(ctx, "SELECT id, hash FROM search_synced WHERE engine = $1", engine)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return st, err
		}
		sent[id] = h
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	present := make(map[string]bool, len(sent))
	err = Load(ctx, ix.pool, func(docs []Document) error {
		var changed []Document
		var hashes []string
		for _, d := range docs {
			st.Documents++
			present[d.ID] = true
			h := hashDoc(d)
			if sent[d.ID] != h {
				changed = append(changed, d)
				hashes = append(hashes, h)
			}
		}
		for i := 0; i < len(changed); i += batchSize {
			j := min(i+batchSize, len(changed))
			if err := ix.index.Upsert(ctx, changed[i:j]); err != nil {
				return err
			}
			ids := make([]string, 0, j-i)
			for _, d := range changed[i:j] {
				ids = append(ids, d.ID)
			}
			if _, err := ix.pool.Exec(ctx, `INSERT INTO search_synced (engine, id, hash)
				SELECT $1, id, hash FROM unnest($2::text[], $3::text[]) AS t(id, hash)
				ON CONFLICT (engine, id) DO UPDATE SET hash = excluded.hash`, engine, ids, hashes[i:j]); err != nil {
				return err
			}
			st.Upserted += j - i
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	var gone []string
	for id := range sent {
		if !present[id] {
			gone = append(gone, id)
		}
	}
	for i := 0; i < len(gone); i += batchSize {
		j := min(i+batchSize, len(gone))
		if err := ix.index.Delete(ctx, gone[i:j]); err != nil {
			return st, err
		}
		if _, err := ix.pool.Exec(ctx, "DELETE FROM search_synced WHERE engine = $1 AND id = ANY($2)", engine, gone[i:j]); err != nil {
			return st, err
		}
		st.Deleted += j - i
	}
	return st, nil
}

// Reindex empties the engine and sends every document again.
func (ix *Indexer) Reindex(ctx context.Context) (SyncStats, error) {
	if _, err := ix.pool.Exec(ctx, "DELETE FROM search_synced WHERE engine = $1", ix.index.Name()); err != nil {
		return SyncStats{}, err
	}
	if err := ix.index.Clear(ctx); err != nil {
		return SyncStats{}, err
	}
	return ix.Sync(ctx)
}

// Run syncs now, whenever Notify is called and every Every, until ctx
// ends; failed syncs are retried with exponential backoff.
func (ix *Indexer) Run(ctx context.Context) {
	backoff := ix.MinBackoff
	for {
		st, err := ix.Sync(ctx)
		if ctx.Err() != nil {
			return
		}
		var wait <-chan time.Time
		if err != nil {
			ix.log.Warn("search: sync failed; retrying", "engine", ix.index.Name(), "in", backoff, "err", err)
			wait = time.After(backoff)
			backoff = min(backoff*2, ix.MaxBackoff)
		} else {
			backoff = ix.MinBackoff
			if st.Upserted+st.Deleted > 0 {
				ix.log.Debug("search: synced", "engine", ix.index.Name(), "upserted", st.Upserted, "deleted", st.Deleted)
			}
			if ix.Synced != nil {
				ix.Synced(st)
			}
			wait = time.After(ix.Every)
		}
		select {
		case <-ctx.Done():
			return
		case <-wait:
		case <-ix.wake:
			// Gather the events of one burst into one sync.
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

func hashDoc(d Document) string {
	b, _ := json.Marshal(d)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}
