// Package pg holds the PostgreSQL plumbing no module owns: the embedded
// cluster launcher, the connection pool, transactions and migrations.
package pg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a private PostgreSQL cluster in a directory, created with the
// system's initdb and run with pg_ctl, listening only on a Unix socket inside
// that directory.
type Cluster struct {
	Dir      string   // the data directory, e.g. ./data/postgres
	Settings []string // extra "name=value" server settings for this start
	NoSync   bool     // initdb --no-sync (tests)

	// RelocateBase is where, as root, a cluster goes when the postgres
	// user cannot reach Dir (a clone in root's 0700 home): default
	// /var/lib/ratusz. Relocated then names the Dir that was asked for,
	// and Dir is where the cluster really is.
	RelocateBase string
	Relocated    string
	// Moved is set when this start made the relocated cluster (the caller
	// says so in its log, once).
	Moved bool

	bin     string
	cred    *syscall.Credential // set when we run as root: the cluster runs as "postgres"
	started bool                // this process started the server and stops it
}

// Superuser is the cluster's bootstrap role.
const Superuser = "ratusz"

// ErrNoBinaries says the PostgreSQL server programs are not installed.
var ErrNoBinaries = errors.New("PostgreSQL server programs (initdb, pg_ctl, postgres) not found; install them with: sudo apt-get install -y postgresql")

// FindBinaries returns the directory holding initdb, pg_ctl and postgres:
// RATUSZ_PG_BIN if set, else the one on PATH, else the newest
// /usr/lib/postgresql/*/bin (Debian's layout).
func FindBinaries() (string, error) {
	if dir := os.Getenv("RATUSZ_PG_BIN"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err != nil {
			return "", fmt.Errorf("RATUSZ_PG_BIN: %w", err)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(real), "initdb")); err == nil {
				return filepath.Dir(real), nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start makes sure the cluster exists and runs. It creates the cluster on
// first use, reuses a server that another process (a running `ratusz serve`)
// already started, and clears a stale postmaster.pid left by a crash. Only a
// server that this call started is stopped by Stop.
func (c *Cluster) Start(ctx context.Context) error {
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return err
	}
	c.Dir = dir
	if c.bin, err = FindBinaries(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root; run it as the system's postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, PostgreSQL must run as another user, and no 'postgres' user exists (apt-get install postgresql creates it): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if blocked, why := unreachable(filepath.Dir(dir), uid, gid); blocked != "" {
			// Never loosen the user's own folders: keep the cluster where
			// postgres can reach it, under a name made from the data
			// directory, so that every start with it finds the same one.
			if err := c.relocate(dir, uid, gid); err != nil {
				return fmt.Errorf("the postgres user cannot enter %s (%s), and the cluster could not be kept elsewhere: %w", blocked, why, err)
			}
			dir = c.Dir
		}
	}

	// Serialise concurrent starts (a CLI command next to a starting server).
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return err
	}
	defer unlock()

	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return err
		}
	}
	if c.running(ctx) {
		return nil // another process's server: use it, leave it running
	}
	// A postmaster.pid whose process is gone is left by a crash.
	if pid, ok := readPID(dir); ok && !processAlive(pid) {
		_ = os.Remove(filepath.Join(dir, "postmaster.pid"))
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses=", shellQuote(dir))
	for _, s := range c.Settings {
		opts += " -c " + shellQuote(s)
	}
	cmd := c.command(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", dir, "-l", filepath.Join(dir, "server.log"), "-o", opts)
	if out, err := cmd.CombinedOutput(); err != nil {
		tail, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, strings.TrimSpace(string(out)), lastLines(string(tail), 10))
	}
	c.started = true
	return nil
}

// relocate points the cluster at RelocateBase/<name of dir>/postgres,
// owned by postgres, made on first use.
func (c *Cluster) relocate(dir string, uid, gid int) error {
	base := c.RelocateBase
	if base == "" {
		base = "/var/lib/ratusz"
	}
	sum := sha256.Sum256([]byte(dir))
	name := strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, filepath.Dir(dir)), "-")
	if len(name) > 40 { // the socket's path must stay under PostgreSQL's 107 bytes
		name = name[len(name)-40:]
	}
	home := filepath.Join(base, name+"-"+hex.EncodeToString(sum[:4]))
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	if blocked, why := unreachable(base, uid, gid); blocked != "" {
		return fmt.Errorf("the postgres user cannot enter %s either (%s)", blocked, why)
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return fmt.Errorf("a cluster already exists in %s, and moving it is for you to decide", dir)
	}
	if err := os.Mkdir(home, 0o700); err == nil {
		c.Moved = true
	} else if !errors.Is(err, os.ErrExist) {
		return err
	}
	// Never follow a link planted in the shared folder.
	if fi, err := os.Lstat(home); err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", home)
	}
	if err := os.Lchown(home, uid, gid); err != nil {
		return err
	}
	c.Relocated, c.Dir = dir, filepath.Join(home, "postgres")
	// A note beside the data directory says where its cluster is.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err == nil {
		os.WriteFile(dir+".location", []byte(c.Dir+"\n"), 0o644)
	}
	return nil
}

// unreachable returns the first directory on the way to path (path
// included) that the user uid:gid cannot enter, and why in words, or "".
func unreachable(path string, uid, gid int) (string, string) {
	path = filepath.Clean(path)
	var chain []string
	for p := path; ; p = filepath.Dir(p) {
		chain = append([]string{p}, chain...)
		if p == filepath.Dir(p) {
			break
		}
	}
	for _, p := range chain {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			return "", "" // made later, by us, open enough
		} else if err != nil {
			return p, err.Error()
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return "", ""
		}
		mode := fi.Mode().Perm()
		var can bool
		switch {
		case int(st.Uid) == uid:
			can = mode&0o100 != 0
		case int(st.Gid) == gid:
			can = mode&0o010 != 0
		default:
			can = mode&0o001 != 0
		}
		if !can {
			owner := strconv.Itoa(int(st.Uid))
			if u, err := user.LookupId(owner); err == nil {
				owner = u.Username
			}
			return p, fmt.Sprintf("mode %04o, owned by %s", mode, owner)
		}
	}
	return "", ""
}

func (c *Cluster) initdb(ctx context.Context) error {
	tmp := c.Dir + ".init"
	_ = os.RemoveAll(tmp)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		if err := os.Chown(tmp, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
	}
	args := []string{"-D", tmp, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"}
	if c.NoSync {
		args = append(args, "--no-sync")
	}
	if out, err := c.command(ctx, "initdb", args...).CombinedOutput(); err != nil {
		if c.cred != nil {
			if blocked, why := unreachable(tmp, int(c.cred.Uid), int(c.cred.Gid)); blocked != "" {
				return fmt.Errorf("initdb in %s: the postgres user cannot enter %s (%s)", tmp, blocked, why)
			}
		}
		return fmt.Errorf("initdb in %s: %v: %s", tmp, err, lastLines(string(out), 10))
	}
	// Only the owner may reach the socket; trust authentication is safe there.
	conf := "\n# ratusz\nlisten_addresses = ''\nunix_socket_permissions = 0700\n"
	f, err := os.OpenFile(filepath.Join(tmp, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(conf); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, c.Dir)
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = filepath.Dir(c.Dir)
	// Its own process group: a Ctrl-C in the terminal reaches us, and we stop
	// the server in order, instead of the signal hitting it directly.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	return cmd
}

// running reports whether a server answers on the cluster's socket.
func (c *Cluster) running(ctx context.Context) bool {
	if _, ok := readPID(c.Dir); !ok {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return false
	}
	conn.Close(ctx)
	return true
}

// Stop stops the server if this process started it.
func (c *Cluster) Stop() error {
	if !c.started {
		return nil
	}
	c.started = false
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := c.command(ctx, "pg_ctl", "stop", "-w", "-t", "25", "-m", "fast", "-D", c.Dir).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Started reports whether this process started (and will stop) the server.
func (c *Cluster) Started() bool { return c.started }

// URL returns a connection string for a database of the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", c.Dir, Superuser, database)
}

// EnsureDatabase creates the database if it does not exist and returns its URL.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", err
		}
	}
	return c.URL(name), nil
}

func readPID(dir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	return pid, err == nil && pid > 0
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
