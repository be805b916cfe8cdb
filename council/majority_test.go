package council_test

import (
	"testing"

	"github.com/ratusz/ratusz/council"
)

func TestMajorities(t *testing.T) {
	// A council of 23 seats (a gmina of 20–50 thousand residents).
	const seats = 23
	cases := []struct {
		rule  council.Majority
		c     council.Counts
		adopt bool
	}{
		{council.Simple, council.Counts{For: 8, Against: 7, Abstain: 6}, true},
		{council.Simple, council.Counts{For: 7, Against: 7, Abstain: 9}, false},
		{council.Absolute, council.Counts{For: 8, Against: 7, Abstain: 6}, false},
		{council.Absolute, council.Counts{For: 11, Against: 5, Abstain: 5}, true},
		{council.Absolute, council.Counts{For: 10, Against: 5, Abstain: 5}, false},
		{council.AbsoluteStatutory, council.Counts{For: 12}, true},
		{council.AbsoluteStatutory, council.Counts{For: 11, Against: 0}, false},
		{council.Qualified35, council.Counts{For: 14}, true},  // 14·5 = 70 ≥ 69
		{council.Qualified35, council.Counts{For: 13}, false}, // 65 < 69
		{council.Qualified23, council.Counts{For: 16}, true},  // 48 ≥ 46
		{council.Qualified23, council.Counts{For: 15}, false}, // 45 < 46
	}
	for _, c := range cases {
		if got := c.rule.Adopted(c.c, seats); got != c.adopt {
			t.Errorf("%s %+v of %d: adopted=%v, want %v", c.rule, c.c, seats, got, c.adopt)
		}
	}
	if !council.Quorum(12, 23) || council.Quorum(11, 23) || !council.Quorum(15, 30) {
		t.Error("quorum is at least half of the statutory seats")
	}
	for n, want := range map[int]string{1: "I", 4: "IV", 9: "IX", 12: "XII", 14: "XIV", 40: "XL", 99: "XCIX", 2024: "MMXXIV"} {
		if got := council.Roman(n); got != want {
			t.Errorf("Roman(%d) = %s, want %s", n, got, want)
		}
	}
}

// Required is the threshold Adopted measures against, for every rule,
// every council size up to 60 and every split of the votes of 20 present.
func TestRequiredIsAdoptedsThreshold(t *testing.T) {
	for _, m := range council.Majorities {
		for seats := 1; seats <= 60; seats++ {
			for f := 0; f <= 20; f++ {
				for a := 0; a <= 20-f; a++ {
					c := council.Counts{For: f, Against: a, Abstain: 20 - f - a}
					if got, want := m.Adopted(c, seats), c.For >= m.Required(c, seats); got != want {
						t.Fatalf("%s, %d seats, %+v: adopted %v but required %d", m, seats, c, got, m.Required(c, seats))
					}
				}
			}
		}
	}
	// As councils read it: 8 of 15 for an absolute statutory majority.
	if n := council.AbsoluteStatutory.Required(council.Counts{}, 15); n != 8 {
		t.Fatalf("absolute statutory of 15: %d, want 8", n)
	}
}
