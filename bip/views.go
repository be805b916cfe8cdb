package bip

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// viewCounter counts page views in memory and writes them in one statement
// every few seconds, so that reading a publication costs no write. A crash
// loses at most the last interval's views, which nobody relies on.
type viewCounter struct {
	pool   *pgxpool.Pool
	mu     sync.Mutex
	counts map[int64]int64
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

const viewFlushInterval = 5 * time.Second

func newViewCounter(pool *pgxpool.Pool) *viewCounter {
	v := &viewCounter{pool: pool, counts: map[int64]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go v.loop()
	return v
}

func (v *viewCounter) add(id int64) {
	v.mu.Lock()
	v.counts[id]++
	v.mu.Unlock()
}

func (v *viewCounter) loop() {
	defer close(v.done)
	t := time.NewTicker(viewFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			v.flush()
		case <-v.stop:
			v.flush()
			return
		}
	}
}

func (v *viewCounter) flush() {
	v.mu.Lock()
	counts := v.counts
	v.counts = map[int64]int64{}
	v.mu.Unlock()
	if len(counts) == 0 {
		return
	}
	ids := make([]int64, 0, len(counts))
	ns := make([]int64, 0, len(counts))
	for id, n := range counts {
		ids = append(ids, id)
		ns = append(ns, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v.pool.Exec(ctx, `UPDATE bip_publications p SET views = p.views + c.n
		FROM unnest($1::bigint[], $2::bigint[]) AS c (id, n) WHERE p.id = c.id`, ids, ns)
}

func (v *viewCounter) close() {
	v.once.Do(func() { close(v.stop) })
	<-v.done
}
