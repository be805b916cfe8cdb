package main_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// build compiles the binary once for these tests.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ratusz")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type server struct {
	cmd *exec.Cmd
	log *bytes.Buffer
}

func start(t *testing.T, bin string, env []string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &server{cmd, &log}
}

func waitReady(t *testing.T, url string, limit time.Duration, s *server) time.Duration {
	t.Helper()
	begin := time.Now()
	for time.Since(begin) < limit {
		res, err := http.Get(url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return time.Since(begin)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not ready within %s\n%s", limit, s.log)
	return 0
}

// A new user's first start: ready within 30 s on the embedded default,
// stopped by SIGTERM within 10 s, and started again on the same data with
// the same accounts. A CLI command next to the running server uses its
// database.
func TestServeLifecycle(t *testing.T) {
	if _, err := pg.FindBinaries(); err != nil {
		testdb.Unavailable(t, err)
	}
	bin := build(t)
	dataDir := filepath.Join(testdb.TempDir(t), "data")
	addr := freeAddr(t)
	env := []string{"RATUSZ_DATA_DIR=" + dataDir, "RATUSZ_ADDR=" + addr, "DATABASE_URL=", "RATUSZ_BASE_URL="}
	url := "http://" + addr

	s := start(t, bin, env)
	took := waitReady(t, url, 30*time.Second, s)
	t.Logf("first start ready in %s", took)

	// While the server runs, the CLI adds an account to the same database.
	add := exec.Command(bin, "user", "add", "--email", "ala@przykladowo.pl", "--name", "Ala Kot", "--role", "secretary", "--password", "0123456789ab")
	add.Env = append(os.Environ(), env...)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add next to a running server: %v\n%s", err, out)
	}
	tok := exec.Command(bin, "token", "create", "--email", "ala@przykladowo.pl")
	tok.Env = append(os.Environ(), env...)
	tokOut, err := tok.Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tokOut))
	me := func() int {
		req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := me(); code != 200 {
		t.Fatalf("token made by the CLI refused by the server: %d", code)
	}

	begin := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.log)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM\n%s", s.log)
	}
	t.Logf("stopped %s after SIGTERM", time.Since(begin))
	if _, err := os.Stat(filepath.Join(dataDir, "postgres", "postmaster.pid")); err == nil {
		t.Fatal("embedded PostgreSQL left running after shutdown")
	}

	s2 := start(t, bin, env)
	took = waitReady(t, url, 30*time.Second, s2)
	t.Logf("restart ready in %s", took)
	if code := me(); code != 200 {
		t.Fatalf("account lost across restart: %d", code)
	}
	s2.cmd.Process.Signal(syscall.SIGTERM)
	s2.cmd.Wait()

	// With the demo's publications, the BIP log verifies …
	run := func(args ...string) (string, error) {
		var extra []string
		for len(args) > 0 && strings.Contains(args[len(args)-1], "=") {
			extra, args = append(extra, args[len(args)-1]), args[:len(args)-1]
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append(os.Environ(), env...), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("seed", "--demo"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	// Another secret than the one the database was used with is refused,
	// naming the variable: paper voters would otherwise vote again.
	other := filepath.Join(t.TempDir(), "other.key")
	os.WriteFile(other, []byte(strings.Repeat("x", 32)), 0o600)
	if out, err := run("seed", "--demo", "RATUSZ_SECRET_FILE="+other); err == nil || !strings.Contains(out, "RATUSZ_SECRET_FILE") {
		t.Fatalf("another secret: %v\n%s", err, out)
	}
	// Every module's demo publishes, so the count is read, not assumed.
	out, err := run("bip", "verify")
	kept := regexp.MustCompile(`BIP log verified: [1-9][0-9] entries, head ([0-9]+):([0-9a-f]{64})`).FindStringSubmatch(out)
	if err != nil || kept == nil {
		t.Fatalf("verify on a clean log: %v\n%s", err, out)
	}
	// A head kept earlier passes; one past the end says the log was cut.
	if out, err := run("bip", "verify", "--head", kept[1]+":"+kept[2]); err != nil {
		t.Fatalf("verify --head: %v\n%s", err, out)
	}
	if out, err := run("bip", "verify", "--head", "9999:"+kept[2]); err == nil || !strings.Contains(out, "cut") {
		t.Fatalf("verify against a later head: %v\n%s", err, out)
	}
	// … and after someone rewrites a published version with plain SQL, it
	// fails and names the entry.
	cluster := &pg.Cluster{Dir: filepath.Join(dataDir, "postgres")}
	if err := cluster.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), cluster.URL("ratusz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"ALTER TABLE bip_versions DISABLE TRIGGER bip_versions_immutable",
		"UPDATE bip_versions SET title = 'Uchwała, której nie było' WHERE publication_id = 2 AND version = 1",
		"ALTER TABLE bip_versions ENABLE TRIGGER bip_versions_immutable",
	} {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(context.Background())
	cluster.Stop()
	out, err = run("bip", "verify")
	if err == nil || !strings.Contains(out, "entry 2 (publication 2 version 1)") {
		t.Fatalf("verify after tampering: err=%v\n%s", err, out)
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	bin := build(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "RATUSZ_ADDR=nonsense")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "RATUSZ_ADDR") {
		t.Fatalf("err=%v output=%s", err, out)
	}
	cmd = exec.Command(bin, "user", "add", "--email", "x", "--name", "X", "--role", "admin")
	cmd.Env = append(os.Environ(), "RATUSZ_SMTP_URL=mail:25")
	out, _ = cmd.CombinedOutput()
	if !strings.Contains(string(out), "RATUSZ_SMTP_URL") {
		t.Fatalf("output=%s", out)
	}
}
