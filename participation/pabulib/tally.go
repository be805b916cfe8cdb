package pabulib

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ErrUnknownRule is returned by Tally for a rule it does not know.
var ErrUnknownRule = errors.New("unknown rule")

// rules maps each rule name, as pabulib's META "rule" spells it, to its
// implementation, which returns project indexes in the order funded.
var rules = map[string]func(*Instance) ([]int, error){
	"greedy":                      func(in *Instance) ([]int, error) { return greedy(in, greedyOpts{}) },
	"greedy-threshold":            func(in *Instance) ([]int, error) { return greedy(in, greedyOpts{threshold: true}) },
	"greedy-no-skip":              func(in *Instance) ([]int, error) { return greedy(in, greedyOpts{noSkip: true}) },
	"greedy-exclusive":            func(in *Instance) ([]int, error) { return greedy(in, greedyOpts{exclusive: true}) },
	"greedy-custom":               func(in *Instance) ([]int, error) { return greedy(in, greedyOpts{noSkip: true, reserve80: true}) },
	"equalshares":                 func(in *Instance) ([]int, error) { return equalShares(in, false, false) },
	"equalshares/add1":            func(in *Instance) ([]int, error) { return equalShares(in, true, false) },
	"equalshares/add1-comparison": func(in *Instance) ([]int, error) { return equalShares(in, true, true) },
}

// KnownRule reports whether Tally knows the rule.
func KnownRule(rule string) bool { _, ok := rules[rule]; return ok }

// Rules returns the names of the rules Tally knows, sorted.
func Rules() []string {
	names := make([]string, 0, len(rules))
	for name := range rules {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Tally runs the named rule on the instance and returns the ids of the funded
// projects in the order the rule funded them. An empty rule means the one
// META "rule" declares.
//
//   - greedy: projects by score, highest first (ties in file order); each one
//     that fits in what is left of the budget is funded.
//   - greedy-threshold: greedy among projects whose score reaches META
//     min_project_score_threshold.
//   - greedy-no-skip: greedy that stops at the first project that does not fit.
//   - greedy-exclusive: greedy in which at most one project of each group of
//     Instance.Exclusions is funded. When the group names the project the
//     office retained, that one alone is eligible and takes the group's place
//     in the ranking (the rank of its best-ranked member); otherwise the first
//     of the group to fit is funded.
//   - greedy-custom: Poznań's rule: greedy-no-skip, and the project that did
//     not fit is funded too (from the reserve) when what is left covers 80 % of
//     its cost.
//   - equalshares: the Method of Equal Shares with cost utilities, in exact
//     arithmetic.
//   - equalshares/add1: Equal Shares completed by raising every voter's share
//     by one currency unit at a time while the outcome stays within budget.
//   - equalshares/add1-comparison: the same, then the greedy outcome instead
//     when more voters prefer it.
//
// A project's score is its number of votes for approval and choose-1 ballots,
// the sum of its points for cumulative and scoring ballots, and for ordinal
// ballots k points for the first of k projects, k-1 for the second and so on
// (pabulib's convention). Whenever META has min_project_score_threshold, the
// greedy rules fund no project below it.
func Tally(in *Instance, rule string) ([]string, error) {
	if rule == "" {
		rule, _ = in.MetaValue("rule")
		rule = strings.TrimSpace(rule)
		if rule == "" {
			return nil, fmt.Errorf("%w: META declares no rule; known rules: %s", ErrUnknownRule, strings.Join(Rules(), ", "))
		}
	}
	f, ok := rules[rule]
	if !ok {
		return nil, fmt.Errorf("%w %q; known rules: %s", ErrUnknownRule, rule, strings.Join(Rules(), ", "))
	}
	if in.Budget < 0 {
		return nil, errors.New("negative budget")
	}
	winners, err := f(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rule, err)
	}
	ids := make([]string, len(winners))
	for i, w := range winners {
		ids[i] = in.Projects[w].ID
	}
	return ids, nil
}

// Scores returns each project's score from the ballots, as Tally's greedy
// rules rank them. An instance without ballots is scored by its PROJECTS
// columns: score, or else votes.
func Scores(in *Instance) []int64 {
	score := make([]int64, len(in.Projects))
	if len(in.Ballots) == 0 {
		col := "score"
		if column(in.ProjectColumns, col) < 0 {
			col = "votes"
		}
		for i := range in.Projects {
			score[i], _ = strconv.ParseInt(strings.TrimSpace(in.ProjectField(i, col)), 10, 64)
		}
		return score
	}
	for _, b := range in.Ballots {
		for j, p := range b.Projects {
			switch {
			case in.VoteType.HasPoints():
				score[p] += b.Points[j]
			case in.VoteType == Ordinal:
				score[p] += int64(len(b.Projects) - j)
			default:
				score[p]++
			}
		}
	}
	return score
}

type greedyOpts struct {
	threshold bool // the rule demands META min_project_score_threshold
	noSkip    bool // stop at the first project that does not fit
	exclusive bool // honour Instance.Exclusions
	reserve80 bool // fund the first project that does not fit if 80 % of it is left
}

func greedy(in *Instance, o greedyOpts) ([]int, error) {
	score := Scores(in)
	order := make([]int, len(in.Projects))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	eligible := make([]bool, len(in.Projects))
	for i := range eligible {
		eligible[i] = true
	}
	t, has := in.MetaValue("min_project_score_threshold")
	if o.threshold && !has {
		return nil, errors.New("META has no min_project_score_threshold")
	}
	if has {
		threshold, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return nil, fmt.Errorf("META min_project_score_threshold %q is not a number", t)
		}
		for i, s := range score {
			if float64(s) < threshold {
				eligible[i] = false
			}
		}
	}
	group := make([]int, len(in.Projects)) // exclusion group + 1, or 0
	if o.exclusive {
		for g, x := range in.Exclusions {
			retained := -1
			if x.Retained != "" {
				if retained = in.Index(x.Retained); retained < 0 {
					return nil, fmt.Errorf("exclusion retains project %q, which is not listed", x.Retained)
				}
			}
			for _, id := range x.Projects {
				i := in.Index(id)
				if i < 0 {
					return nil, fmt.Errorf("exclusion names project %q, which is not listed", id)
				}
				group[i] = g + 1
				if retained >= 0 && i != retained {
					eligible[i] = false
				}
			}
			if retained >= 0 {
				// The retained project takes the group's place: the rank
				// of its best-ranked member.
				order = slices.DeleteFunc(order, func(p int) bool { return p == retained })
				at := slices.IndexFunc(order, func(p int) bool { return group[p] == g+1 })
				if at < 0 {
					at = len(order)
				}
				order = slices.Insert(order, at, retained)
			}
		}
	}
	taken := make([]bool, len(in.Exclusions)+1)
	left := in.Budget
	var winners []int
	for _, p := range order {
		if !eligible[p] || group[p] > 0 && taken[group[p]] {
			continue
		}
		cost := in.Projects[p].Cost
		if cost > left {
			if o.reserve80 && 10*left >= 8*cost {
				winners = append(winners, p)
			}
			if o.noSkip {
				break
			}
			continue
		}
		left -= cost
		winners = append(winners, p)
		if group[p] > 0 {
			taken[group[p]] = true
		}
	}
	return winners, nil
}
