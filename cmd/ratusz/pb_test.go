package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ratusz/ratusz/participation/pabulib"
)

// pabulibFile returns a shared pabulib file (never copied into the
// repository); without it the test skips, except when CI is set (CI=true).
func pabulibFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("../../../shared/data/pabulib", name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pabulib data is required in CI: %v", err)
		}
		t.Skipf("pabulib data not here: %v", err)
	}
	return path
}

func pbTally(args ...string) (string, error) {
	var out bytes.Buffer
	err := pbCmd(context.Background(), append([]string{"tally"}, args...), &out)
	return out.String(), err
}

// `ratusz pb tally` prints Wieliczka's official winners, one a line, by the
// rule the file declares; --rule picks another, before or after the file.
func TestPBTally(t *testing.T) {
	path := pabulibFile(t, "Poland_Wieliczka_2023_Green_Budget.pb")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := pabulib.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	official, _ := in.Selected()
	slices.Sort(official)

	t.Run("OK", func(t *testing.T) {
		out, err := pbTally(path)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Fields(out)
		slices.Sort(got)
		if !slices.Equal(got, official) {
			t.Errorf("printed %v, official winners %v", got, official)
		}
	})
	t.Run("OKRule", func(t *testing.T) {
		for _, args := range [][]string{{"--rule", "greedy", path}, {path, "--rule=greedy"}} {
			out, err := pbTally(args...)
			if err != nil {
				t.Fatal(err)
			}
			// Greedy goes by votes: project 24 (720 votes) first, and it
			// funds 21 (496 votes), which Equal Shares does not.
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if lines[0] != "24" || !slices.Contains(lines, "21") {
				t.Errorf("%v: printed %q", args, out)
			}
		}
	})
	t.Run("ErrUnknownRule", func(t *testing.T) {
		// Through run, as `ratusz pb …` goes, with no database.
		err := run(context.Background(), []string{"pb", "tally", "--rule", "borda", path})
		if err == nil {
			t.Fatal("no error")
		}
		for _, want := range []string{`"borda"`, "greedy-no-skip", "equalshares/add1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		}
	})
}

func TestPBTallyErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pb")
	os.WriteFile(bad, []byte("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\na;50\nVOTES\nvoter_id;vote\n1;a,b\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrMalformed", []string{bad}, "bad.pb: pabulib line 10 (VOTES): vote for project \"b\""},
		{"ErrMissingFile", []string{filepath.Join(dir, "none.pb")}, "none.pb"},
		{"ErrNoFile", nil, "usage: ratusz pb tally"},
		{"ErrTwoFiles", []string{bad, bad}, "usage: ratusz pb tally"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := pbTally(c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to say %q", err, c.want)
			}
			if out != "" {
				t.Errorf("printed %q", out)
			}
		})
	}
	t.Run("ErrNoSubcommand", func(t *testing.T) {
		if err := pbCmd(context.Background(), []string{"count"}, new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("error %v", err)
		}
	})
}
