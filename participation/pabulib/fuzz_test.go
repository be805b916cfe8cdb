package pabulib

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The pabulib reader takes files from anywhere; no input may panic it or
// the tally, and what it reads writes back to what it reads again.
func FuzzParsePabulib(f *testing.F) {
	f.Add("META\nkey;value\nbudget;100\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;votes\n1;50;2\nVOTES\nvoter_id;vote\n1;1\n2;1")
	f.Add("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;50\nVOTES")
	f.Add("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote") // the header last, without a newline
	f.Add("META\nkey;value\ncomment;\"a;b\"\"c\"\nPROJECTS\nproject_id;cost\n\xff" + strings.Repeat("\x80", 70) + ";1\n")
	if files, _ := filepath.Glob(filepath.Join(pabulibDir, "*.pb")); len(files) > 0 {
		if b, err := os.ReadFile(files[0]); err == nil && len(b) < 64<<10 {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		in, err := Parse(strings.NewReader(src))
		if err != nil {
			return
		}
		if len(in.Projects) <= 50 && len(in.Ballots) <= 200 {
			for _, rule := range []string{"greedy", "equalshares"} {
				Tally(in, rule) // may refuse; must not panic
			}
		}
	})
}

// clip shortens text for an error message; bytes that are not UTF-8 used
// to send it past the start of the string.
func TestClipInvalidUTF8(t *testing.T) {
	for _, s := range []string{strings.Repeat("\x80", 70), "\xff" + strings.Repeat("ą", 40), strings.Repeat("a", 59) + "ąę"} {
		out := clip(s)
		if !strings.HasSuffix(out, "…") || !utf8.ValidString(out) {
			t.Errorf("clip(%q) = %q", s, out)
		}
	}
}
