package pg

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Server-side limits set on every connection of a pool, unless the
// connection string sets them itself. They make a stuck transaction
// impossible to hold forever: PostgreSQL ends a session left idle inside a
// transaction, a statement that runs too long, and a wait for a lock.
var sessionLimits = map[string]string{
	"idle_in_transaction_session_timeout": "30s",
	"statement_timeout":                   "120s",
	"lock_timeout":                        "20s",
}

// MaxConns is the pool size for this machine: four connections per core,
// at least eight. A request holds at most one connection at a time (a
// transaction never waits on the pool), so a pool this size keeps both
// cores busy while some requests wait on the network or on locks. Set
// pool_max_conns in DATABASE_URL to change it.
func MaxConns() int32 { return int32(max(8, 4*runtime.NumCPU())) }

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if !hasParam(url, "pool_max_conns") {
		cfg.MaxConns = MaxConns()
	}
	for k, v := range sessionLimits {
		_, set := cfg.ConnConfig.RuntimeParams[k]
		if !set && !strings.Contains(cfg.ConnConfig.RuntimeParams["options"], k) {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	cfg.ConnConfig.Tracer = guardTracer{}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return pool, nil
}

// hasParam reports whether a connection string (URL or keyword form) sets
// the named parameter.
func hasParam(conn, name string) bool {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		return u.Query().Has(name)
	}
	for _, f := range strings.Fields(conn) {
		if k, _, ok := strings.Cut(f, "="); ok && strings.TrimSpace(k) == name {
			return true
		}
	}
	return false
}

// InTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise. Inside fn every query must use tx: a call to the pool
// from inside fn waits for a second connection while holding the first,
// and enough such calls at once freeze the whole site. With the guard on
// (tests), such a call is recorded and fails the test binary.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) error {
	return InTxWith(ctx, pool, pgx.TxOptions{}, fn)
}

// InTxWith is InTx with transaction options (isolation, read-only).
func InTxWith(ctx context.Context, pool *pgxpool.Pool, opts pgx.TxOptions, fn func(tx pgx.Tx) error) (err error) {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	release := guardHold(pool)
	committed := false
	defer func() {
		release()
		p := recover()
		if !committed { // an error, a panic, or runtime.Goexit (t.FailNow) in fn
			rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = tx.Rollback(rbCtx)
		}
		if p != nil {
			panic(p)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	committed = true // a failed commit ends the transaction too
	return tx.Commit(ctx)
}

// IsConstraint reports whether err is a violation of the named constraint.
func IsConstraint(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.ConstraintName == name
}

// WithDatabase returns the connection string with its database replaced, for
// both URL ("postgres://…/db") and keyword ("host=… dbname=…") forms.
func WithDatabase(conn, db string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	return conn + " dbname=" + db // a later keyword wins
}

// Querier is what both the pool and a transaction offer, for reads that
// run either on their own or inside the caller's transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// LockXact takes a transaction-scoped advisory lock named by its parts
// (e.g. "interpellation-number", a body id, a kind), held until the
// transaction ends. It serialises work that a row lock cannot, such as
// giving the next number in a series or counting rows before adding one.
func LockXact(ctx context.Context, tx pgx.Tx, parts ...any) error {
	key := fmt.Sprint(parts...)
	if len(parts) > 1 {
		key = fmt.Sprintln(parts...)
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
	return err
}
