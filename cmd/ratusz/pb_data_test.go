package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ratusz/ratusz/internal/testdb"
	"github.com/ratusz/ratusz/participation/pabulib"
)

// `ratusz pb import` brings a real pabulib file in with its official
// winners; `ratusz pb export` writes its ballots back out.
func TestPBImportExport(t *testing.T) {
	file := filepath.Join("../../../shared/data/pabulib", "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb")
	if _, err := os.Stat(file); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data required in CI: %v", err)
		}
		t.Skip(err)
	}
	t.Setenv("DATABASE_URL", testdb.URL(t))
	t.Setenv("RATUSZ_LOG_LEVEL", "error")
	ctx := context.Background()
	if err := run(ctx, []string{"pb", "import", file}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"pb", "import", file}); err == nil || !strings.Contains(describe(err), "already been imported") {
		t.Fatalf("second import: %v", err)
	}
	out, err := os.CreateTemp(t.TempDir(), "export-*.pb")
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = out
	err = run(ctx, []string{"pb", "export", "--edition", "1", "--pool", "1"})
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out.Name())
	exported, err := pabulib.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	orig, _ := os.ReadFile(file)
	official, _ := pabulib.Parse(bytes.NewReader(orig))
	want, _ := official.Selected()
	got, _ := exported.Selected()
	if strings.Join(got, ",") != strings.Join(want, ",") || len(exported.Ballots) != len(official.Ballots) {
		t.Fatalf("exported winners %v (of %d ballots), official %v (%d)", got, len(exported.Ballots), want, len(official.Ballots))
	}
	if err := run(ctx, []string{"pb", "export", "--edition", "x"}); err == nil {
		t.Fatal("bad export flags accepted")
	}
}
