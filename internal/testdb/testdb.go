// Package testdb gives each test its own PostgreSQL database, cloned from a
// template migrated once per test binary. The cluster is started with the
// same launcher `ratusz serve` uses, in a temporary directory, unless
// RATUSZ_TEST_DATABASE_URL names a server to use instead.
//
// When PostgreSQL cannot be had, tests skip, except under CI=true, where
// they fail with the reason.
package testdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz/internal/pg"
)

const template = "ratusz_template"

var (
	once     sync.Once
	cluster  *pg.Cluster
	adminURL string // a connection to the "postgres" database
	baseURL  func(db string) string
	startErr error
	clone    sync.Mutex
	seq      atomic.Int64
	tmpRoot  string
)

// Main runs a package's tests and stops the cluster afterwards. Call it from
// TestMain.
func Main(m *testing.M) {
	pg.EnableGuard(true)
	code := m.Run()
	if v := pg.GuardViolations(); len(v) > 0 {
		fmt.Fprintf(os.Stderr, "testdb: %d pool call(s) made inside an open transaction (each can deadlock the pool):\n", len(v))
		for _, s := range v {
			fmt.Fprintln(os.Stderr, s)
		}
		code = 1
	}
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testdb:", err)
		}
	}
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

// Unavailable skips the test, or fails it under CI, because PostgreSQL
// cannot be had.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("PostgreSQL is required in CI: %v", err)
	}
	t.Skipf("PostgreSQL unavailable: %v", err)
}

// TempDir returns a directory that the cluster's user can enter (when tests
// run as root, PostgreSQL runs as "postgres", and t.TempDir is private).
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ratusz-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func start() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if url := os.Getenv("RATUSZ_TEST_DATABASE_URL"); url != "" {
		if _, err := pgx.ParseConfig(url); err != nil {
			startErr = fmt.Errorf("RATUSZ_TEST_DATABASE_URL: %w", err)
			return
		}
		adminURL = url
		baseURL = func(db string) string { return pg.WithDatabase(url, db) }
	} else {
		root, err := os.MkdirTemp("", "ratusz-pg-")
		if err != nil {
			startErr = err
			return
		}
		os.Chmod(root, 0o755)
		tmpRoot = root
		cluster = &pg.Cluster{
			Dir:      filepath.Join(root, "postgres"),
			NoSync:   true,
			Settings: []string{"fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"},
		}
		if err := cluster.Start(ctx); err != nil {
			startErr = err
			return
		}
		adminURL = cluster.URL("postgres")
		baseURL = cluster.URL
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		startErr = err
		return
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("%s_%d", template, os.Getpid())
	conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		startErr = err
		return
	}
	pool, err := pg.Open(ctx, baseURL(name))
	if err != nil {
		startErr = err
		return
	}
	_, err = pg.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		startErr = err
		return
	}
	templateName = name
}

var templateName string

func ensure(t testing.TB) {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		Unavailable(t, startErr)
	}
}

// newDatabase creates a database, from the migrated template or empty, and
// drops it when the test ends.
func newDatabase(t testing.TB, fromTemplate bool) string {
	t.Helper()
	ensure(t)
	ctx := context.Background()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), seq.Add(1))
	sql := "CREATE DATABASE " + name
	if fromTemplate {
		sql += " TEMPLATE " + templateName
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	clone.Lock() // the template may be copied by one CREATE DATABASE at a time
	_, err = conn.Exec(ctx, sql)
	clone.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return baseURL(name)
}

// URL returns the connection string of a new migrated database for the test.
func URL(t testing.TB) string { return newDatabase(t, true) }

// EmptyDatabase returns the connection string of a new database with no tables.
func EmptyDatabase(t testing.TB) string { return newDatabase(t, false) }

// New returns a pool on a new migrated database for the test.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pg.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
