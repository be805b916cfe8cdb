package pg_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
)

// A transaction left open by a stuck request is ended by the server, so it
// cannot hold its connection and its locks forever; the limits are set on
// every connection unless the connection string sets them.
func TestPoolSessionLimits(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	pool, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for name, want := range map[string]string{"idle_in_transaction_session_timeout": "30s", "statement_timeout": "2min", "lock_timeout": "20s"} {
		var got string
		if err := pool.QueryRow(ctx, "SHOW "+name).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
	if got := pool.Config().MaxConns; got != pg.MaxConns() || got < 8 {
		t.Errorf("pool size %d, want %d", got, pg.MaxConns())
	}

	t.Run("ConnectionStringWins", func(t *testing.T) {
		p, err := pg.Open(ctx, url+" pool_max_conns=3 options='-c idle_in_transaction_session_timeout=1s'")
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if p.Config().MaxConns != 3 {
			t.Errorf("pool_max_conns ignored: %d", p.Config().MaxConns)
		}
		// A transaction idle past the limit is ended by the server.
		err = pg.InTx(ctx, p, func(tx pgx.Tx) error {
			time.Sleep(1500 * time.Millisecond)
			_, err := tx.Exec(ctx, "SELECT 1")
			return err
		})
		if err == nil { // the server closed the connection: a broken pipe, or its FATAL
			t.Fatalf("idle transaction not ended: %v", err)
		}
	})
}

// The guard the test harness runs records a pool call made inside an open
// transaction, and only that.
func TestGuardFindsPoolCallsInsideTransactions(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	before := len(pg.GuardViolations())
	if err := pg.InTx(ctx, pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT 1").Scan(&n) // the mistake
	}); err != nil {
		t.Fatal(err)
	}
	v := pg.GuardViolations()
	pg.ClearGuard()
	if len(v) != before+1 || !strings.Contains(v[len(v)-1], "TestGuardFindsPoolCallsInsideTransactions") {
		t.Fatalf("guard recorded %d violations, want 1 naming this test", len(v)-before)
	}
	// Outside a transaction, and from another goroutine, the pool is fine.
	var n int
	if err := pool.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if len(pg.GuardViolations()) != 0 {
		t.Fatal("a pool call outside a transaction was recorded")
	}
}
