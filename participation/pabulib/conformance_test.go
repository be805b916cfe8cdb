package pabulib

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every shared pabulib file with official winners: the rule its META
// declares, run here, funds exactly the projects the file marks as selected.
func TestTallyConformance(t *testing.T) {
	for _, path := range pabulibFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".pb")
		t.Run(name, func(t *testing.T) {
			in := parseFile(t, path)
			want, ok := in.Selected()
			if !ok {
				t.Skip("no selected column: no official winners to compare with")
			}
			rule, _ := in.MetaValue("rule")
			begin := time.Now()
			got, err := Tally(in, "")
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(begin)
			slices.Sort(want)
			sorted := slices.Sorted(slices.Values(got))
			if !slices.Equal(sorted, want) {
				t.Errorf("%s: funded %v,\nofficial %v\nmissing %v, extra %v", rule, sorted, want, diff(want, sorted), diff(sorted, want))
			}
			t.Logf("%s: %d of %d projects funded, as officially (%v)", rule, len(got), len(in.Projects), took.Round(time.Millisecond))
			switch rule {
			case "greedy-exclusive":
				t.Logf("greedy-exclusive: exclusions read from the META comment: %+v; the retained project takes its group's place", in.Exclusions)
			case "greedy-custom":
				t.Log("greedy-custom: Poznań's 80 % rule as the comment states it; in this file the first project that does not fit is not 80 % covered, so greedy-no-skip's outcome")
			}
		})
	}
}

// Ursynów 2021's official list needs its exclusion: plain greedy funds 1687
// and 459, which overlapped with 2150, and not 2150, which the office
// retained. 2150 takes the group's place (1687's rank): at its own rank it
// ties with 1821 (1,923 votes), listed first, after which it does not fit.
func TestTallyUrsynowExclusion(t *testing.T) {
	in := parseFile(t, pabulibFile(t, "Poland_Warszawa_2021_Ursynow.pb"))
	plain := tally(t, in, "greedy")
	if !slices.Contains(plain, "1687") || !slices.Contains(plain, "459") || slices.Contains(plain, "2150") {
		t.Errorf("plain greedy funded %v", plain)
	}
	got := tally(t, in, "greedy-exclusive")
	if !slices.Contains(got, "2150") || slices.Contains(got, "1687") || slices.Contains(got, "459") || slices.Contains(got, "1821") {
		t.Errorf("greedy-exclusive funded %v", got)
	}
}

// diff returns the elements of a not in b; both sorted.
func diff(a, b []string) []string {
	var d []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			d = append(d, x)
		}
	}
	return d
}
