package pabulib

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchTally parses the file and runs the rule, both inside the loop: the
// targets include reading the ballots.
func benchTally(b *testing.B, name, rule string) {
	data, err := os.ReadFile(pabulibFile(b, name))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		in, err := Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Tally(in, rule); err != nil {
			b.Fatal(err)
		}
	}
}

// Target: under 1 s per op.
func BenchmarkTallyWieliczkaEqualSharesAdd1Comparison(b *testing.B) {
	benchTally(b, "Poland_Wieliczka_2023_Green_Budget.pb", "equalshares/add1-comparison")
}

// Target: under 0.5 s per op (83 projects, 61,668 ballots).
func BenchmarkTallyWarszawa2026EqualShares(b *testing.B) {
	benchTally(b, "Poland_Warszawa_2026.pb", "equalshares")
}

// No target; add1 reruns Equal Shares for every step of one złoty per voter
// until the outcome overspends (185 steps here).
func BenchmarkTallyWarszawa2026EqualSharesAdd1(b *testing.B) {
	benchTally(b, "Poland_Warszawa_2026.pb", "equalshares/add1")
}

// Target: greedy under 100 ms on any shared file. Each file runs its own
// greedy rule, plain greedy for the Equal Shares ones.
func BenchmarkTallyGreedy(b *testing.B) {
	for _, path := range pabulibFiles(b) {
		in := parseFile(b, path)
		rule, _ := in.MetaValue("rule")
		if !strings.HasPrefix(rule, "greedy") {
			rule = "greedy"
		}
		b.Run(strings.TrimSuffix(filepath.Base(path), ".pb"), func(b *testing.B) {
			benchTally(b, filepath.Base(path), rule)
		})
	}
}
