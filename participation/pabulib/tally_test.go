package pabulib

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// instance builds an instance from a budget, "id:cost" projects and ballots
// of project ids ("a,b"; "a:3,b:1" with points).
func instance(t testing.TB, vt VoteType, budget int64, meta map[string]string, projects string, ballots ...string) *Instance {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "META\nkey;value\nbudget;%d\nvote_type;%s\n", budget, vt)
	for k, v := range meta {
		fmt.Fprintf(&b, "%s;%s\n", k, v)
	}
	b.WriteString("PROJECTS\nproject_id;cost\n")
	for _, p := range strings.Fields(projects) {
		id, cost, _ := strings.Cut(p, ":")
		fmt.Fprintf(&b, "%s;%s\n", id, cost)
	}
	if vt.HasPoints() {
		b.WriteString("VOTES\nvoter_id;vote;points\n")
	} else {
		b.WriteString("VOTES\nvoter_id;vote\n")
	}
	for i, ballot := range ballots {
		var ids, pts []string
		for _, v := range strings.Split(ballot, ",") {
			id, p, _ := strings.Cut(v, ":")
			ids, pts = append(ids, id), append(pts, p)
		}
		if vt.HasPoints() {
			fmt.Fprintf(&b, "%d;%s;%s\n", i, strings.Join(ids, ","), strings.Join(pts, ","))
		} else {
			fmt.Fprintf(&b, "%d;%s\n", i, strings.Join(ids, ","))
		}
	}
	in, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return in
}

func repeat(ballot string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = ballot
	}
	return out
}

func tally(t *testing.T, in *Instance, rule string) []string {
	t.Helper()
	got, err := Tally(in, rule)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestGreedy(t *testing.T) {
	// Votes: a 5, b 4, c 4, d 3, e 1. Budget 100.
	ballots := append(append(append(repeat("a,b", 3), repeat("a,c", 2)...), repeat("b,c,d", 1)...), "c,d", "d,e")
	in := instance(t, Approval, 100, nil, "a:60 b:50 c:30 d:10 e:5", ballots...)
	if got := Scores(in); !reflect.DeepEqual(got, []int64{5, 4, 4, 3, 1}) {
		t.Fatalf("scores %v", got)
	}
	t.Run("Skips", func(t *testing.T) {
		// b does not fit after a; c and d do; then e does not.
		if got := tally(t, in, "greedy"); !reflect.DeepEqual(got, []string{"a", "c", "d"}) {
			t.Errorf("funded %v", got)
		}
	})
	t.Run("NoSkip", func(t *testing.T) {
		if got := tally(t, in, "greedy-no-skip"); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("funded %v, want a alone: b is the first that does not fit", got)
		}
	})
	t.Run("TiesInFileOrder", func(t *testing.T) {
		in := instance(t, Approval, 50, nil, "x:50 y:50", "y", "x")
		if got := tally(t, in, "greedy"); !reflect.DeepEqual(got, []string{"x"}) {
			t.Errorf("funded %v, want x, listed first", got)
		}
	})
	t.Run("Threshold", func(t *testing.T) {
		in := instance(t, Approval, 100, map[string]string{"min_project_score_threshold": "4"}, "a:60 b:50 c:30 d:10 e:5", ballots...)
		if got := tally(t, in, "greedy-threshold"); !reflect.DeepEqual(got, []string{"a", "c"}) {
			t.Errorf("funded %v, want d (3 votes) left out", got)
		}
	})
	t.Run("ErrThresholdMissing", func(t *testing.T) {
		if _, err := Tally(in, "greedy-threshold"); err == nil || !strings.Contains(err.Error(), "min_project_score_threshold") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("Custom80", func(t *testing.T) {
		// After a (60) 40 is left; b costs 50 and 40 is 80 % of it: funded
		// from the reserve, and nothing after it.
		if got := tally(t, in, "greedy-custom"); !reflect.DeepEqual(got, []string{"a", "b"}) {
			t.Errorf("funded %v", got)
		}
		in := instance(t, Approval, 100, nil, "a:60 b:51 c:30", "a,b,c", "a,b", "a")
		if got := tally(t, in, "greedy-custom"); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("funded %v: 40 is under 80 %% of 51", got)
		}
	})
	t.Run("Exclusive", func(t *testing.T) {
		in := instance(t, Approval, 100, nil, "a:60 b:50 c:30 d:10 e:5", ballots...)
		in.Exclusions = []Exclusion{{Projects: []string{"a", "c"}}}
		// a is funded, so c is not; then b fits no more, d and e do.
		if got := tally(t, in, "greedy-exclusive"); !reflect.DeepEqual(got, []string{"a", "d", "e"}) {
			t.Errorf("funded %v", got)
		}
		// The office retained d: it takes the group's place, first.
		in.Exclusions = []Exclusion{{Projects: []string{"a", "b", "d"}, Retained: "d"}}
		if got := tally(t, in, "greedy-exclusive"); !reflect.DeepEqual(got, []string{"d", "c", "e"}) {
			t.Errorf("funded %v", got)
		}
	})
	t.Run("Cumulative", func(t *testing.T) {
		// Points, not voters, rank: b has 5 points from one voter.
		in := instance(t, Cumulative, 10, nil, "a:10 b:10", "a:2,b:1", "a:2", "b:5")
		if got := Scores(in); !reflect.DeepEqual(got, []int64{4, 6}) {
			t.Errorf("scores %v", got)
		}
		if got := tally(t, in, "greedy"); !reflect.DeepEqual(got, []string{"b"}) {
			t.Errorf("funded %v", got)
		}
	})
	t.Run("Ordinal", func(t *testing.T) {
		// k points to the first of k, k-1 to the second…
		in := instance(t, Ordinal, 10, nil, "a:10 b:10 c:10", "a,b,c", "b,a", "c")
		if got := Scores(in); !reflect.DeepEqual(got, []int64{3 + 1, 2 + 2, 1 + 1}) {
			t.Errorf("scores %v", got)
		}
	})
}

func TestTallyRuleNames(t *testing.T) {
	in := instance(t, Approval, 10, map[string]string{"rule": "greedy"}, "a:10 b:5", "a", "a,b")
	t.Run("FromMeta", func(t *testing.T) {
		if got := tally(t, in, ""); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("funded %v", got)
		}
	})
	t.Run("ErrUnknownRule", func(t *testing.T) {
		_, err := Tally(in, "borda")
		if !errors.Is(err, ErrUnknownRule) {
			t.Fatalf("error %v", err)
		}
		for _, want := range []string{`"borda"`, "equalshares/add1-comparison", "greedy-threshold"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		}
	})
	t.Run("ErrNoRuleInMeta", func(t *testing.T) {
		in := instance(t, Approval, 10, nil, "a:10", "a")
		if _, err := Tally(in, ""); !errors.Is(err, ErrUnknownRule) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("ErrEqualSharesCumulative", func(t *testing.T) {
		in := instance(t, Cumulative, 10, nil, "a:10", "a:3")
		if _, err := Tally(in, "equalshares"); err == nil || !strings.Contains(err.Error(), "approval") {
			t.Errorf("error %v", err)
		}
	})
}

func TestEqualShares(t *testing.T) {
	// Six voters, 100 each. Voters 1–4 approve a (400) and c (200); voters
	// 5–6 approve b (200). Greedy funds a and c, all for voters 1–4. Equal
	// Shares: a and c both cost their supporters a quarter of their cost per
	// unit of utility; c is cheaper and goes first; then voters 1–4 have 200
	// left, not enough for a, and voters 5–6 fund b.
	ballots := append(repeat("a,c", 4), repeat("b", 2)...)
	in := instance(t, Approval, 600, nil, "a:400 b:200 c:200", ballots...)
	if got := tally(t, in, "greedy"); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("greedy funded %v", got)
	}
	if got := tally(t, in, "equalshares"); !reflect.DeepEqual(got, []string{"c", "b"}) {
		t.Errorf("equalshares funded %v", got)
	}
	// Raising the shares funds a only from 150 each, and then b too: 800,
	// over budget. So add1 keeps c and b.
	if got := tally(t, in, "equalshares/add1"); !reflect.DeepEqual(got, []string{"c", "b"}) {
		t.Errorf("equalshares/add1 funded %v", got)
	}
	// Four voters prefer greedy's outcome (600 of theirs against 200), two
	// prefer Equal Shares': greedy's is taken.
	if got := tally(t, in, "equalshares/add1-comparison"); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("equalshares/add1-comparison funded %v", got)
	}
}

// refMES is Equal Shares written the plain way, voter by voter in big.Rat,
// to check the fast one against.
func refMES(cost []int64, ballots [][]int, share *big.Rat) []int {
	money := make([]*big.Rat, len(ballots))
	for i := range money {
		money[i] = new(big.Rat).Set(share)
	}
	supp := make([][]int, len(cost))
	for i, b := range ballots {
		for _, p := range b {
			supp[p] = append(supp[p], i)
		}
	}
	left := map[int]bool{}
	for p := range cost {
		if cost[p] > 0 && len(supp[p]) > 0 {
			left[p] = true
		}
	}
	var winners []int
	for {
		best, bestRho, bestAlpha := -1, new(big.Rat), new(big.Rat)
		for p := range cost {
			if !left[p] {
				continue
			}
			total := new(big.Rat)
			for _, i := range supp[p] {
				total.Add(total, money[i])
			}
			c := new(big.Rat).SetInt64(cost[p])
			if total.Cmp(c) < 0 {
				delete(left, p)
				continue
			}
			s := slices.Clone(supp[p])
			slices.SortFunc(s, func(i, j int) int { return money[i].Cmp(money[j]) })
			paid, k := new(big.Rat), int64(len(s))
			alpha := new(big.Rat)
			for _, i := range s {
				alpha.Sub(c, paid).Quo(alpha, new(big.Rat).SetInt64(k))
				if money[i].Cmp(alpha) >= 0 {
					break
				}
				paid.Add(paid, money[i])
				k--
			}
			alpha.Sub(c, paid).Quo(alpha, new(big.Rat).SetInt64(k))
			rho := new(big.Rat).Quo(alpha, c)
			better := best < 0 || rho.Cmp(bestRho) < 0
			if best >= 0 && rho.Cmp(bestRho) == 0 {
				vp, vb := len(supp[p]), len(supp[best])
				better = cost[p] < cost[best] || cost[p] == cost[best] && (vp > vb || vp == vb && p < best)
			}
			if better {
				best, bestRho, bestAlpha = p, rho, alpha
			}
		}
		if best < 0 {
			return winners
		}
		winners = append(winners, best)
		delete(left, best)
		for _, i := range supp[best] {
			if money[i].Cmp(bestAlpha) <= 0 {
				money[i].SetInt64(0)
			} else {
				money[i].Sub(money[i], bestAlpha)
			}
		}
	}
}

// refAdd1 raises the shares one unit at a time, with no skipping.
func refAdd1(cost []int64, ballots [][]int, budget int64) []int {
	n := int64(len(ballots))
	supported := map[int]bool{}
	for _, b := range ballots {
		for _, p := range b {
			supported[p] = true
		}
	}
	prev := refMES(cost, ballots, big.NewRat(budget, n))
	for t := int64(1); ; t++ {
		out := refMES(cost, ballots, big.NewRat(budget+n*t, n))
		var total int64
		for _, p := range out {
			total += cost[p]
		}
		if total > budget {
			return prev
		}
		if len(out) == len(supported) {
			return out // nothing can change any more
		}
		prev = out
	}
}

// The fast Equal Shares (voters in classes, one common denominator, steps
// of add1 skipped when proven to change nothing) agrees with the plain one
// on random instances.
func TestEqualSharesAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2026))
	for k := range 300 {
		m := 2 + rng.IntN(7)
		nv := 1 + rng.IntN(25)
		cost := make([]int64, m)
		var projects []string
		// Small numbers tie often; large ones (a third of the instances)
		// give payments with large denominators that floating point cannot
		// tell apart.
		unit := int64(1)
		if k%3 == 2 {
			unit = 99991
		}
		for p := range cost {
			cost[p] = unit*(1+rng.Int64N(60)) + rng.Int64N(unit)
			if rng.IntN(10) == 0 {
				cost[p] += 300 // a dear project: add1 runs long
			}
			projects = append(projects, fmt.Sprintf("p%d:%d", p, cost[p]))
		}
		budget := unit*(10+rng.Int64N(150)) + rng.Int64N(unit)
		var ballots [][]int
		var lines []string
		for range nv {
			var b []int
			var ids []string
			for p := range m {
				if rng.IntN(3) == 0 {
					b = append(b, p)
					ids = append(ids, fmt.Sprintf("p%d", p))
				}
			}
			if len(ids) == 0 {
				q := rng.IntN(m)
				ids, b = []string{fmt.Sprintf("p%d", q)}, []int{q}
			}
			ballots = append(ballots, b)
			lines = append(lines, strings.Join(ids, ","))
		}
		in := instance(t, Approval, budget, nil, strings.Join(projects, " "), lines...)
		name := func(ws []int) []string {
			var s []string
			for _, w := range ws {
				s = append(s, in.Projects[w].ID)
			}
			return s
		}
		want := name(refMES(cost, ballots, big.NewRat(budget, int64(nv))))
		if got := tally(t, in, "equalshares"); !slices.Equal(got, want) {
			t.Fatalf("instance %d: equalshares %v, reference %v\n%v %v", k, got, want, projects, lines)
		}
		if unit > 1 {
			continue // the plain add1 would take a million steps
		}
		want = name(refAdd1(cost, ballots, budget))
		if got := tally(t, in, "equalshares/add1"); !slices.Equal(got, want) {
			t.Fatalf("instance %d: equalshares/add1 %v, reference %v\n%v %v budget %d", k, got, want, projects, lines, budget)
		}
	}
}

// One dear project with one supporter leaves the add1 outcome unchanged for
// a million steps; they are skipped, not run.
func TestAdd1SkipsSteps(t *testing.T) {
	in := instance(t, Approval, 1000, nil, "a:400 b:500 z:1000000", append(repeat("a,b", 9), "z")...)
	pr, err := newMESProfile(in)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := pr.equalSharesAt(0, false)
	got, runs := pr.add1(first)
	if ids := []string{in.Projects[got[0]].ID, in.Projects[got[1]].ID}; len(got) != 2 || !reflect.DeepEqual(ids, []string{"a", "b"}) {
		t.Errorf("funded %v", got)
	}
	if runs > 50 {
		t.Errorf("%d runs of Equal Shares", runs)
	}
}

// On real ballots too, the fast Equal Shares agrees with the plain one, at
// the share of budget/n and at two steps of add1.
func TestEqualSharesAgainstReferenceReal(t *testing.T) {
	for _, name := range []string{"Poland_Wieliczka_2023_Green_Budget.pb", "Poland_Swiecie_2023.pb"} {
		in := parseFile(t, pabulibFile(t, name))
		pr, _ := newMESProfile(in)
		var ballots [][]int
		for _, b := range in.Ballots {
			var x []int
			for _, p := range b.Projects {
				x = append(x, int(p))
			}
			ballots = append(ballots, x)
		}
		n := int64(len(ballots))
		for _, tt := range []int64{0, 37, 150} {
			got, _ := pr.equalSharesAt(tt, false)
			want := refMES(pr.cost, ballots, big.NewRat(pr.budget+n*tt, n))
			if !slices.Equal(got, want) {
				t.Errorf("%s, step %d: funded %v, reference %v", name, tt, got, want)
			}
		}
	}
}

// add1 raises shares by one złoty whatever the scale: Wieliczka's amounts in
// grosze give the official winners too.
func TestAdd1StepIsOneCurrencyUnit(t *testing.T) {
	in := parseFile(t, pabulibFile(t, "Poland_Wieliczka_2023_Green_Budget.pb"))
	in.Scale, in.Budget = 2, in.Budget*100
	for i := range in.Projects {
		in.Projects[i].Cost *= 100
	}
	want, _ := in.Selected()
	slices.Sort(want)
	got := tally(t, in, "equalshares/add1")
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("funded %v,\nofficial %v", got, want)
	}
}

// Without ballots, greedy ranks by the PROJECTS columns.
func TestScoresWithoutBallots(t *testing.T) {
	in, err := Parse(strings.NewReader("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;votes\na;60;3\nb;50;7\nc;40;5\nVOTES\nvoter_id;vote\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Scores(in); !reflect.DeepEqual(got, []int64{3, 7, 5}) {
		t.Errorf("scores %v", got)
	}
	if got := tally(t, in, "greedy"); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("funded %v", got)
	}
}
