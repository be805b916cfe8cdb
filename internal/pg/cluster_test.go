package pg_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// A second launcher on the same directory reuses the running server and
// leaves it running; after a crash (a stale postmaster.pid naming a dead
// process) the cluster starts again.
func TestClusterReuseAndStaleRecovery(t *testing.T) {
	if _, err := pg.FindBinaries(); err != nil {
		testdb.Unavailable(t, err)
	}
	ctx := context.Background()
	dir := filepath.Join(testdb.TempDir(t), "postgres")

	first := &pg.Cluster{Dir: dir, NoSync: true}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Stop() })
	if !first.Started() {
		t.Fatal("first launcher should have started the server")
	}
	url, err := first.EnsureDatabase(ctx, "ratusz")
	if err != nil {
		t.Fatal(err)
	}

	second := &pg.Cluster{Dir: dir}
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if second.Started() {
		t.Fatal("second launcher should reuse the running server")
	}
	second.Stop() // a no-op for a reused server
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("server stopped by a launcher that did not start it: %v", err)
	}
	conn.Close(ctx)

	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash: a postmaster.pid naming a process that is gone.
	if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte("999999\n"+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	third := &pg.Cluster{Dir: dir}
	if err := third.Start(ctx); err != nil {
		t.Fatalf("restart after stale pid: %v", err)
	}
	t.Cleanup(func() { third.Stop() })
	conn, err = pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("query after restart: %v", err)
	}
}

// Two migrations racing on one database apply each version once.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	url := testdb.EmptyDatabase(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			pool, err := pg.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer pool.Close()
			_, err = pg.Migrate(ctx, pool)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(pg.Versions()) {
		t.Fatalf("applied %d migrations, want %d", n, len(pg.Versions()))
	}
	if pending, err := pg.Pending(ctx, pool); err != nil || len(pending) != 0 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
}

// As root, a clone in root's 0700 home used to stop at "initdb: fork/exec
// …: permission denied", since the cluster runs as postgres. The cluster
// is now kept where postgres can reach it, the user's folder keeps its
// mode, and the next start finds the same cluster.
func TestClusterInPrivateFolderAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only as root does the cluster run as another user")
	}
	if _, err := pg.FindBinaries(); err != nil {
		testdb.Unavailable(t, err)
	}
	ctx := context.Background()
	home, err := os.MkdirTemp("", "ratusz-home-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(home)
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	base := testdb.TempDir(t) // stands for /var/lib/ratusz
	dir := filepath.Join(home, "ratusz", "data", "postgres")
	c := &pg.Cluster{Dir: dir, NoSync: true, RelocateBase: base}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("start in a 0700 folder: %v", err)
	}
	defer c.Stop()
	if !c.Moved || c.Relocated != dir || !strings.HasPrefix(c.Dir, base+"/") {
		t.Fatalf("cluster at %s (moved %v, asked %s)", c.Dir, c.Moved, c.Relocated)
	}
	if fi, _ := os.Stat(home); fi.Mode().Perm() != 0o700 {
		t.Fatalf("the private folder was loosened to %v", fi.Mode().Perm())
	}
	url, err := c.EnsureDatabase(ctx, "ratusz")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := c.Stop(); err != nil {
		t.Fatalf("clean stop: %v", err)
	}
	again := &pg.Cluster{Dir: dir, RelocateBase: base}
	if err := again.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer again.Stop()
	if again.Dir != c.Dir || again.Moved {
		t.Fatalf("second start: cluster at %s, moved %v; want the same %s", again.Dir, again.Moved, c.Dir)
	}
	if err := again.Stop(); err != nil {
		t.Fatal(err)
	}
}
