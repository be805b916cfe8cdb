package participation

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"slices"
)

// The Method of Equal Shares (MES) for approval ballots with cost utilities,
// as equalshares.net defines it: every voter gets an equal share of the
// budget; a project is funded when its supporters can pay its cost between
// them; of the projects that can be paid, the one funded next is the one
// whose supporters pay least per unit of utility, ρ, where a supporter pays
// min(her money left, ρ·cost). With cost utilities that is the project whose
// equal payment α per supporter is the smallest fraction of its cost
// (ρ = α/cost). Ties go to the cheaper project, then the one with more votes,
// then the one listed first.
//
// Everything is exact. Money is held as integers over one common
// denominator L, which grows when a payment does not divide evenly; so
// budgets compare as integers and nothing is ever rounded.
//
// Voters with the same ballot are one group. Voters who approve the same
// projects among those funded so far have paid the same and have the same
// money left; they are one class. A project is priced by counting its
// supporting groups per class and sorting the classes, not the voters, by
// money left; a payment moves each supporting class to a new one.

// mesProfile is the approval profile MES runs on.
type mesProfile struct {
	n       int64     // voters, including those with empty ballots
	cost    []int64   // per project, in units of 10^-Scale
	votes   []int64   // supporters per project
	budget  int64     // the real budget
	groups  []int32   // distinct non-empty ballots, project indexes sorted, one after another
	gstart  []int32   // group g is groups[gstart[g]:gstart[g+1]]
	gweight []int64   // voters per group
	supp    [][]int32 // per project: the groups that approve it
}

func newMESProfile(in *Instance) (*mesProfile, error) {
	if in.VoteType != Approval && in.VoteType != Choose1 {
		return nil, errors.New("the Method of Equal Shares here needs approval or choose-1 ballots, not " + string(in.VoteType))
	}
	m := len(in.Projects)
	pr := &mesProfile{n: int64(len(in.Ballots)), cost: make([]int64, m), votes: make([]int64, m), budget: in.Budget}
	for i, p := range in.Projects {
		pr.cost[i] = p.Cost
	}
	seen := make(map[string]int32, len(in.Ballots)/2)
	var (
		sorted []int32
		key    []byte
	)
	pr.gstart = append(pr.gstart, 0)
	for _, b := range in.Ballots {
		sorted = append(sorted[:0], b.Projects...)
		slices.Sort(sorted)
		key = key[:0]
		for _, p := range sorted {
			pr.votes[p]++
			key = binary.LittleEndian.AppendUint32(key, uint32(p))
		}
		if len(sorted) == 0 {
			continue
		}
		if g, ok := seen[string(key)]; ok {
			pr.gweight[g]++
			continue
		}
		seen[string(key)] = int32(len(pr.gweight))
		pr.groups = append(pr.groups, sorted...)
		pr.gstart = append(pr.gstart, int32(len(pr.groups)))
		pr.gweight = append(pr.gweight, 1)
	}
	pr.supp = make([][]int32, m)
	counts := make([]int32, m)
	for g := range pr.gweight {
		for _, p := range pr.group(g) {
			counts[p]++
		}
	}
	flat := make([]int32, len(pr.groups))
	off := 0
	for p := range pr.supp {
		pr.supp[p] = flat[off : off : off+int(counts[p])]
		off += int(counts[p])
	}
	for g := range pr.gweight {
		for _, p := range pr.group(g) {
			pr.supp[p] = append(pr.supp[p], int32(g))
		}
	}
	return pr, nil
}

func (pr *mesProfile) group(g int) []int32 { return pr.groups[pr.gstart[g]:pr.gstart[g+1]] }

// entry counts the supporters of a project in one class.
type entry struct {
	class int32
	n     int64
}

// aff is an amount of money that depends on the add1 step t: c0 + c1·t,
// in units of 1/L; v is its value at the run's t.
type aff struct{ c0, c1, v big.Int }

// addMul adds k·y to x.
func (x *aff) addMul(y *aff, k int64, tmp *big.Int) {
	for _, c := range [3][2]*big.Int{{&x.c0, &y.c0}, {&x.c1, &y.c1}, {&x.v, &y.v}} {
		if c[1].Sign() != 0 {
			c[0].Add(c[0], tmp.Mul(tmp.SetInt64(k), c[1]))
		}
	}
}

// mesRun is one MES run at one add1 step t, in which every voter starts
// with (budget + n·t)/n. Besides the outcome it finds hi, the last step up
// to which every decision it took comes out the same, so that the outcome
// is the same for every step in [t, hi]: every amount it computes is an
// affine function of t, so every comparison it makes holds on an interval.
type mesRun struct {
	pr     *mesProfile
	t      big.Int
	cert   bool  // find hi
	hi     int64 // valid when cert
	L      big.Int
	factor []int64 // every factor L was multiplied by, in order
	budget []aff   // per class: money left per voter, times L as it was at version bver
	bver   []int32 // per class: len(factor) when budget was last brought up to date
	gclass []int32 // per group: its class, or -1 when it has no money left
	active []bool  // per project: neither funded nor out of reach
	priced []bool  // per project: pay and rhoDen are from its last pricing
	// When project p was last priced, its supporters with money left paid
	// pay[p] between those who pay equally, payRem[p] of them, each paying
	// α = pay[p]/(payRem[p]·L). Its ρ = α/cost = pay[p].v/rhoDen[p], a lower
	// bound of its ρ now.
	pay    []aff
	payRem []int64
	rhoDen []big.Int
	now    []bool // per project: priced in this round
	s      struct {
		cnt                   []int64 // per class, zero between uses
		es                    []entry
		a, b, c, d, e, f, tmp big.Int
		cl                    big.Int
		sum, paid, x          aff
	}
}

// money returns class k's money left per voter, times L.
func (r *mesRun) money(k int32) *aff {
	b := &r.budget[k]
	if v := int(r.bver[k]); v < len(r.factor) {
		for _, f := range r.factor[v:] {
			r.s.f.SetInt64(f)
			b.c0.Mul(&b.c0, &r.s.f)
			b.c1.Mul(&b.c1, &r.s.f)
			b.v.Mul(&b.v, &r.s.f)
		}
		r.bver[k] = int32(len(r.factor))
	}
	return b
}

// holds records that f0 + f1·t > 0 (strict) or ≥ 0, true at the run's t,
// must stay true: it lowers hi to the last step where it does.
func (r *mesRun) holds(f0, f1 *big.Int, strict bool) {
	if !r.cert || f1.Sign() >= 0 {
		return
	}
	// f0 + f1·t ≥ s  ⇔  t ≤ (f0 − s)/(−f1), with s = 1 when strict.
	s := &r.s
	s.d.Neg(f1)
	s.e.Set(f0)
	if strict {
		s.e.Sub(&s.e, big.NewInt(1))
	}
	s.e.Div(&s.e, &s.d) // Euclidean: floor for a positive divisor
	if s.e.IsInt64() && s.e.Int64() < r.hi {
		r.hi = s.e.Int64()
	}
}

// holdsZero records that f0 + f1·t = 0, true at the run's t, must stay so.
func (r *mesRun) holdsZero(f0, f1 *big.Int) {
	if r.cert && (f0.Sign() != 0 || f1.Sign() != 0) {
		r.hi = min(r.hi, r.t.Int64())
	}
}

// equalSharesAt runs MES with every voter starting with (budget + n·t)/n
// units of 10^-Scale of the currency, and returns project indexes in the
// order funded. With cert, it also returns the last step hi ≥ t up to which
// the outcome is the same.
func (pr *mesProfile) equalSharesAt(t int64, cert bool) (winners []int, hi int64) {
	m := len(pr.cost)
	r := &mesRun{pr: pr, cert: cert, hi: math.MaxInt64}
	r.t.SetInt64(t)
	r.L.SetInt64(pr.n)
	r.budget = make([]aff, 1, 256)
	b := &r.budget[0]
	b.c0.SetInt64(pr.budget)
	b.c1.SetInt64(pr.n)
	b.v.Mul(&b.c1, &r.t)
	b.v.Add(&b.v, &b.c0)
	if b.v.Sign() <= 0 {
		return nil, t
	}
	r.bver = make([]int32, 1, 256)
	r.gclass = make([]int32, len(pr.gweight))
	r.active = make([]bool, m)
	r.priced = make([]bool, m)
	r.pay = make([]aff, m)
	r.payRem = make([]int64, m)
	r.rhoDen = make([]big.Int, m)
	r.now = make([]bool, m)
	for p := 0; p < m; p++ {
		r.active[p] = pr.cost[p] > 0 && pr.votes[p] > 0
	}
	order := make([]int, 0, m)
	for {
		order = order[:0]
		for p := 0; p < m; p++ {
			if r.active[p] {
				order = append(order, p)
			}
		}
		// Price projects from the lowest ρ they had: ρ only grows as money
		// is spent, so once a project's old ρ exceeds the best ρ now, no
		// later one can win.
		slices.SortStableFunc(order, r.cmpOldRho)
		best := -1
		clear(r.now)
		for _, p := range order {
			if best >= 0 && r.priced[p] && r.cmpRho(p, best) > 0 {
				break
			}
			if !r.price(p) {
				r.active[p] = false
				continue
			}
			r.now[p] = true
			if best < 0 || r.better(p, best) {
				best = p
			}
		}
		if best < 0 {
			if !cert {
				return winners, t
			}
			return winners, r.hi
		}
		if r.cert {
			// Every other project stays behind best: those priced now by ρ
			// and the tie-breaks, the others by their old ρ, strictly.
			for _, p := range order {
				if p != best && r.active[p] {
					r.staysBehind(p, best, !r.now[p] || r.tieBetter(p, best))
				}
			}
		}
		winners = append(winners, best)
		r.fund(best)
	}
}

// cmpRho compares the last ρ of projects a and b.
func (r *mesRun) cmpRho(a, b int) int {
	s := &r.s
	s.a.Mul(&r.pay[a].v, &r.rhoDen[b])
	s.b.Mul(&r.pay[b].v, &r.rhoDen[a])
	return s.a.Cmp(&s.b)
}

// staysBehind records that ρ of p must stay above ρ of best (strict) or
// not below it.
func (r *mesRun) staysBehind(p, best int, strict bool) {
	s := &r.s
	// pay[p]·rhoDen[best] − pay[best]·rhoDen[p] ≥ 0 (> 0).
	s.a.Mul(&r.pay[p].c0, &r.rhoDen[best])
	s.b.Mul(&r.pay[best].c0, &r.rhoDen[p])
	s.a.Sub(&s.a, &s.b)
	s.c.Mul(&r.pay[p].c1, &r.rhoDen[best])
	s.b.Mul(&r.pay[best].c1, &r.rhoDen[p])
	s.c.Sub(&s.c, &s.b)
	r.holds(&s.a, &s.c, strict)
}

func (r *mesRun) cmpOldRho(a, b int) int {
	switch {
	case !r.priced[a] && !r.priced[b]:
		return 0
	case !r.priced[a]:
		return -1
	case !r.priced[b]:
		return 1
	}
	return r.cmpRho(a, b)
}

// better tells whether project a, just priced, beats b, just priced too.
func (r *mesRun) better(a, b int) bool {
	if c := r.cmpRho(a, b); c != 0 {
		return c < 0
	}
	return r.tieBetter(a, b)
}

// tieBetter breaks a tie in ρ: the cheaper project, then the one with more
// votes, then the one listed first.
func (r *mesRun) tieBetter(a, b int) bool {
	pr := r.pr
	if pr.cost[a] != pr.cost[b] {
		return pr.cost[a] < pr.cost[b]
	}
	if pr.votes[a] != pr.votes[b] {
		return pr.votes[a] > pr.votes[b]
	}
	return a < b
}

// supporters counts project p's supporters who have money left, per class,
// into r.s.es.
func (r *mesRun) supporters(p int) {
	s := &r.s
	if len(s.cnt) < len(r.budget) {
		s.cnt = append(s.cnt, make([]int64, len(r.budget)-len(s.cnt))...)
	}
	s.es = s.es[:0]
	if len(r.budget) == 1 {
		// Nobody has paid yet.
		s.es = append(s.es, entry{0, r.pr.votes[p]})
		return
	}
	cnt, gclass, w := s.cnt, r.gclass, r.pr.gweight
	for _, g := range r.pr.supp[p] {
		k := gclass[g]
		if k < 0 {
			continue
		}
		if cnt[k] == 0 {
			s.es = append(s.es, entry{k, 0})
		}
		cnt[k] += w[g]
	}
	for i := range s.es {
		k := s.es[i].class
		s.es[i].n = cnt[k]
		cnt[k] = 0
	}
}

// price finds what project p's supporters would pay: those with less than
// the equal payment α pay all they have, the others α. It reports false
// when they cannot afford p.
func (r *mesRun) price(p int) bool {
	s := &r.s
	r.supporters(p)
	var rem int64
	s.sum.v.SetInt64(0)
	for _, e := range s.es {
		s.a.SetInt64(e.n)
		s.sum.v.Add(&s.sum.v, s.b.Mul(&s.a, &r.money(e.class).v))
		rem += e.n
	}
	s.cl.SetInt64(r.pr.cost[p])
	s.cl.Mul(&s.cl, &r.L)
	if s.sum.v.Cmp(&s.cl) < 0 {
		if r.cert {
			// cost·L − Σ money > 0 must hold on.
			s.sum.c0.SetInt64(0)
			s.sum.c1.SetInt64(0)
			for _, e := range s.es {
				b := &r.budget[e.class]
				s.sum.c0.Add(&s.sum.c0, s.b.Mul(s.a.SetInt64(e.n), &b.c0))
				s.sum.c1.Add(&s.sum.c1, s.b.Mul(s.a.SetInt64(e.n), &b.c1))
			}
			s.c.Sub(&s.cl, &s.sum.c0)
			s.d.Neg(&s.sum.c1)
			r.holds(&s.c, &s.d, true)
		}
		return false
	}
	slices.SortFunc(s.es, func(x, y entry) int { return r.budget[x.class].v.Cmp(&r.budget[y.class].v) })
	// Those whose money is below α = (cost·L − paid)/rem pay it all.
	pay := &r.pay[p]
	pay.c0.Set(&s.cl)
	pay.c1.SetInt64(0)
	pay.v.Set(&s.cl)
	poor := 0
	for _, e := range s.es {
		if s.a.Mul(s.a.SetInt64(rem), &r.budget[e.class].v).Cmp(&pay.v) >= 0 {
			break
		}
		pay.addMul(&r.budget[e.class], -e.n, &s.tmp)
		rem -= e.n
		poor++
	}
	r.payRem[p] = rem
	s.a.SetInt64(rem)
	s.b.SetInt64(r.pr.cost[p])
	r.rhoDen[p].Mul(s.a.Mul(&s.a, &r.L), &s.b)
	r.priced[p] = true
	if r.cert {
		// The same supporters must stay below α and the same at or above:
		// pay − rem·money > 0 for the first, rem·money − pay ≥ 0 for the rest.
		for i, e := range s.es {
			b := &r.budget[e.class]
			s.a.SetInt64(rem)
			s.c.Mul(&s.a, &b.c0)
			s.c.Sub(&s.c, &pay.c0)
			s.d.Mul(&s.a, &b.c1)
			s.d.Sub(&s.d, &pay.c1)
			if i < poor {
				s.c.Neg(&s.c)
				s.d.Neg(&s.d)
			}
			r.holds(&s.c, &s.d, i < poor)
		}
	}
	return true
}

// fund funds project w at its last price: every supporter pays α, or all
// she has when that is less, and moves to a new class.
func (r *mesRun) fund(w int) {
	s := &r.s
	r.active[w] = false
	rem := r.payRem[w]
	A := &r.pay[w] // α = A / (rem·L)
	// Make α a whole number of units of 1/L for every t: scale L by
	// rem/gcd(A.c0, A.c1, rem).
	s.a.SetInt64(rem)
	s.b.GCD(nil, nil, &A.c0, &s.a)
	if A.c1.Sign() != 0 {
		s.b.GCD(nil, nil, &A.c1, &s.b)
	}
	if f := rem / s.b.Int64(); f > 1 {
		s.c.SetInt64(f)
		r.L.Mul(&r.L, &s.c)
		A.c0.Mul(&A.c0, &s.c)
		A.c1.Mul(&A.c1, &s.c)
		A.v.Mul(&A.v, &s.c)
		r.factor = append(r.factor, f)
	}
	s.c.SetInt64(rem)
	alpha := &s.x
	alpha.c0.Quo(&A.c0, &s.c)
	alpha.c1.Quo(&A.c1, &s.c)
	alpha.v.Quo(&A.v, &s.c)

	// Each supporting class splits: its supporters of w pay and form a new
	// class, or leave when they have nothing left.
	r.supporters(w)
	child := s.cnt // reused as class → new class + 1 (-1: none), zero after
	for _, e := range s.es {
		b := r.money(e.class)
		if b.v.Cmp(&alpha.v) < 0 {
			child[e.class] = -1 // pays all she has
			continue
		}
		var left aff
		left.c0.Sub(&b.c0, &alpha.c0)
		left.c1.Sub(&b.c1, &alpha.c1)
		left.v.Sub(&b.v, &alpha.v)
		if left.v.Sign() == 0 && left.c0.Sign() == 0 && left.c1.Sign() == 0 {
			child[e.class] = -1
			continue
		}
		child[e.class] = int64(len(r.budget)) + 1
		r.budget = append(r.budget, left)
		r.bver = append(r.bver, int32(len(r.factor)))
	}
	for _, g := range r.pr.supp[w] {
		if k := r.gclass[g]; k >= 0 {
			if c := child[k]; c > 0 {
				r.gclass[g] = int32(c - 1)
			} else {
				r.gclass[g] = -1
			}
		}
	}
	for _, e := range s.es {
		child[e.class] = 0
	}
}

func (pr *mesProfile) totalCost(ps []int) int64 {
	var t int64
	for _, p := range ps {
		t += pr.cost[p]
	}
	return t
}

// equalShares runs MES with each voter's share budget/n; with add1, its
// completion; with comparison, then the greedy outcome instead when more
// voters prefer it to MES's than the other way round.
func equalShares(in *Instance, add1, comparison bool) ([]int, error) {
	pr, err := newMESProfile(in)
	if err != nil {
		return nil, err
	}
	if pr.n == 0 {
		return nil, nil
	}
	winners, _ := pr.equalSharesAt(0, false)
	if add1 {
		winners, _ = pr.add1(winners)
	}
	if comparison {
		g, err := greedy(in, greedyOpts{})
		if err != nil {
			return nil, err
		}
		if forG, forMES := pr.preferCount(g, winners); forG > forMES {
			winners = g
		}
	}
	return winners, nil
}

// add1 completes an MES outcome: it raises every voter's share by one unit
// of the currency at a time (the whole budget by n), reruns MES, and stops
// at the first outcome that costs more than the real budget, returning the
// last one that did not. This is pabutools' exhaustion by budget increase
// with a step of one unit per voter, which reproduces the official outcomes
// of the pabulib files that declare equalshares/add1.
//
// Real instances change their outcome every step or few, but one project
// with few supporters and a high cost can leave it unchanged for thousands
// of steps. So once the outcome has stayed the same for a few steps, a run
// also proves up to which step every one of its decisions stays the same,
// and the steps up to there are skipped.
// It returns the outcome and the number of MES runs it took.
func (pr *mesProfile) add1(first []int) ([]int, int) {
	supported := 0
	for p := range pr.cost {
		if pr.cost[p] > 0 && pr.votes[p] > 0 {
			supported++
		}
	}
	prev, same, runs := first, 0, 0
	for t := int64(1); ; {
		cert := same >= 3
		out, hi := pr.equalSharesAt(t, cert)
		runs++
		if pr.totalCost(out) > pr.budget {
			return prev, runs
		}
		// When every project anyone supports is funded, or the outcome
		// holds for every larger step, it can never overspend.
		if len(out) == supported || hi == math.MaxInt64 {
			return out, runs
		}
		if slices.Equal(out, prev) {
			same++
		} else {
			same = 0
		}
		prev, t = out, hi+1
	}
}

// preferCount counts the voters who prefer outcome a to outcome b and those
// who prefer b to a, a voter's utility being, with cost utilities, the total
// cost of the projects she approves that an outcome funds.
func (pr *mesProfile) preferCount(a, b []int) (forA, forB int64) {
	ina, inb := make([]bool, len(pr.cost)), make([]bool, len(pr.cost))
	for _, p := range a {
		ina[p] = true
	}
	for _, p := range b {
		inb[p] = true
	}
	for g, w := range pr.gweight {
		var ua, ub int64
		for _, p := range pr.group(g) {
			if ina[p] {
				ua += pr.cost[p]
			}
			if inb[p] {
				ub += pr.cost[p]
			}
		}
		switch {
		case ua > ub:
			forA += w
		case ub > ua:
			forB += w
		}
	}
	return forA, forB
}
