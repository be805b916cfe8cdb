package pabulib

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// pabulibDir is the shared pabulib data, which is never copied into the
// repository.
const pabulibDir = "../../../shared/data/pabulib"

// pabulibFiles returns the shared .pb files, sorted. Without them the test
// skips, except when CI is set (CI=true), where it fails.
func pabulibFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(pabulibDir, "*.pb"))
	if err == nil && len(files) == 0 {
		err = os.ErrNotExist
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pabulib data %s is required in CI: %v", pabulibDir, err)
		}
		t.Skipf("pabulib data %s not here: %v", pabulibDir, err)
	}
	sort.Strings(files)
	return files
}

// pabulibFile returns the path of one shared file, skipping or failing as
// pabulibFiles does when it is missing.
func pabulibFile(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(pabulibDir, name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pabulib file is required in CI: %v", err)
		}
		t.Skipf("pabulib file not here: %v", err)
	}
	return path
}

func parseFile(t testing.TB, path string) *Instance {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return in
}

// The shared files are the ones SHA256SUMS lists, unchanged.
func TestPabulibChecksums(t *testing.T) {
	files := pabulibFiles(t)
	f, err := os.Open(filepath.Join(pabulibDir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, path, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			want[filepath.Base(path)] = sum
		}
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		name := filepath.Base(path)
		if w, ok := want[name]; !ok {
			t.Errorf("%s: not in SHA256SUMS", name)
		} else if got := hex.EncodeToString(sum[:]); got != w {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s", name, got, w)
		}
	}
}
