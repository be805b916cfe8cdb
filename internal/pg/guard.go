package pg

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The guard finds pool calls made inside an open transaction: while a
// goroutine runs the function given to InTx, any connection it asks of the
// same pool is recorded with its stack. It is off in production (it reads
// the goroutine's id from its stack on every acquire) and turned on by the
// test harness, which fails the test binary when anything was recorded.
var guard struct {
	on         atomic.Bool
	mu         sync.Mutex
	held       map[guardKey]int
	violations []string
}

type guardKey struct {
	pool *pgxpool.Pool
	g    uint64
}

// EnableGuard turns the nested-acquire guard on or off.
func EnableGuard(on bool) { guard.on.Store(on) }

// GuardViolations returns the stacks of every pool call recorded inside an
// open transaction since the guard was turned on.
func GuardViolations() []string {
	guard.mu.Lock()
	defer guard.mu.Unlock()
	return append([]string(nil), guard.violations...)
}

func guardHold(pool *pgxpool.Pool) func() {
	if !guard.on.Load() {
		return func() {}
	}
	k := guardKey{pool, goid()}
	guard.mu.Lock()
	if guard.held == nil {
		guard.held = map[guardKey]int{}
	}
	guard.held[k]++
	guard.mu.Unlock()
	return func() {
		guard.mu.Lock()
		if guard.held[k]--; guard.held[k] == 0 {
			delete(guard.held, k)
		}
		guard.mu.Unlock()
	}
}

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

// guardTracer is the pool's tracer: it checks each acquire against the
// goroutine's open transactions.
type guardTracer struct{}

func (guardTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (guardTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (guardTracer) TraceAcquireStart(ctx context.Context, pool *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	if !guard.on.Load() {
		return ctx
	}
	k := guardKey{pool, goid()}
	guard.mu.Lock()
	defer guard.mu.Unlock()
	if guard.held[k] > 0 {
		guard.violations = append(guard.violations, fmt.Sprintf("pool used inside an open transaction:\n%s", debug.Stack()))
	}
	return ctx
}

func (guardTracer) TraceAcquireEnd(context.Context, *pgxpool.Pool, pgxpool.TraceAcquireEndData) {}
