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
