package search

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Indexer keeps an engine in step with PostgreSQL. A sync compares every
// searchable row's hash with what the engine was last sent (search_synced,
// stored in PostgreSQL), sends what changed and deletes what is gone: it is idempotent, and when the engine is down nothing is
// recorded as sent, so the next sync after it comes back sends everything
// missed.
type Indexer struct {
	pool  *pgxpool.Pool
	index Index
	log   *slog.Logger
	wake  chan struct{}

	mu      sync.Mutex
	pending bool            // an event came since the last sync
	dirty   map[string]bool // the document types it may have changed; nil: all

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

// Notify asks for a sync of every source soon; it never blocks.
func (ix *Indexer) Notify() { ix.NotifyEvent("") }

// NotifyEvent asks for a sync soon of the sources an event of this type
// may change ("vote.closed": the council's; "bip.publish": BIP's): a
// commit then costs what its module holds, not the whole index. An
// unknown type, or "", means every source. It never blocks.
func (ix *Indexer) NotifyEvent(typ string) {
	ix.mu.Lock()
	types := typesChangedBy(typ)
	if types == nil || (ix.dirty == nil && ix.pending) {
		ix.dirty, ix.pending = nil, true
	} else {
		if !ix.pending {
			ix.dirty = map[string]bool{}
		}
		for _, t := range types {
			ix.dirty[t] = true
		}
		ix.pending = true
	}
	ix.mu.Unlock()
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

const batchSize = 500

// Sync brings the engine up to date once. PostgreSQL hashes every
// searchable row; only rows whose hash differs from what the engine was
// sent are read in full and sent, in batches.
func (ix *Indexer) Sync(ctx context.Context) (SyncStats, error) { return ix.sync(ctx, nil) }

// sync brings the sources of the given types (nil: all) up to date.
func (ix *Indexer) sync(ctx context.Context, types map[string]bool) (SyncStats, error) {
	var st SyncStats
	engine := ix.index.Name()
	// One sync of an engine at a time, across every process serving the
	// site: another instance's sync waits for this one, then finds only
	// what changed since, so no document is sent twice at once.
	lease, err := ix.pool.Acquire(ctx)
	if err != nil {
		return st, err
	}
	defer lease.Release()
	if _, err := lease.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", "ratusz-search-sync:"+engine); err != nil {
		return st, err
	}
	defer func() {
		if _, err := lease.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended($1, 0))", "ratusz-search-sync:"+engine); err != nil {
			lease.Conn().Close(context.WithoutCancel(ctx)) // a session still holding the lock must not go back to the pool
		}
	}()
	sent := map[string]string{}
	rows, err := ix.pool.Query(ctx, "SELECT id, hash FROM search_synced WHERE engine = $1", engine)
	if err != nil {
		return st, err
	}
	var id, h string
	if _, err := pgx.ForEachRow(rows, []any{&id, &h}, func() error { sent[id] = h; return nil }); err != nil {
		return st, err
	}
	present := make(map[string]bool, len(sent))
	for _, src := range sources {
		if types != nil && !types[src.typ] {
			continue
		}
		hashes, err := src.hashes(ctx, ix.pool)
		if err != nil {
			return st, err
		}
		var changed []int64
		for id, h := range hashes {
			st.Documents++
			present[id] = true
			if sent[id] != h {
				n, _ := strconv.ParseInt(id[len(src.typ)+1:], 10, 64)
				changed = append(changed, n)
			}
		}
		slices.Sort(changed)
		for i := 0; i < len(changed); i += batchSize {
			rows, err := src.load(ctx, ix.pool, changed[i:min(i+batchSize, len(changed))])
			if err != nil {
				return st, err
			}
			docs := make([]Document, len(rows))
			ids := make([]string, len(rows))
			hs := make([]string, len(rows))
			for k, r := range rows {
				docs[k], ids[k], hs[k] = r.Document, r.ID, r.hash
			}
			if err := ix.index.Upsert(ctx, docs); err != nil {
				return st, err
			}
			if _, err := ix.pool.Exec(ctx, `INSERT INTO search_synced (engine, id, hash)
				SELECT $1, id, hash FROM unnest($2::text[], $3::text[]) AS t(id, hash)
				ON CONFLICT (engine, id) DO UPDATE SET hash = excluded.hash`, engine, ids, hs); err != nil {
				return st, err
			}
			st.Upserted += len(docs)
		}
	}
	var gone []string
	for id := range sent {
		typ, _, _ := strings.Cut(id, ":")
		if !present[id] && (types == nil || types[typ]) {
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
		ix.mu.Lock()
		var types map[string]bool
		if ix.pending {
			types = ix.dirty // nil when an event may have changed anything
		}
		ix.pending, ix.dirty = false, nil
		ix.mu.Unlock()
		st, err := ix.sync(ctx, types)
		if err != nil { // the next try covers everything
			ix.mu.Lock()
			ix.pending, ix.dirty = true, nil
			ix.mu.Unlock()
		}
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

// typesChangedBy are the document types an event type may change, by the
// module that emits it; nil: any (an event this list does not know). A
// full sync every Every catches what a module changes in another's
// documents.
func typesChangedBy(event string) []string {
	prefix, _, _ := strings.Cut(event, ".")
	switch prefix {
	case "bip":
		return []string{TypeBIP, TypeAttachment, TypeResolution}
	case "consultation":
		return []string{TypeConsultation}
	case "pb":
		return []string{TypeProject}
	case "vote", "session", "agenda", "attendance", "speakers", "speech", "interpellation", "resolution", "council":
		return []string{TypeResolution, TypeSession, TypeAgendaItem, TypeVote, TypeInterpellation}
	}
	return nil
}
