package pabulib

import (
	"errors"
	"math"
	"math/big"
	"slices"
)

// This file is the tally engine's Method of Equal Shares and is longer than
// 600 lines on purpose: the rule, its exact arithmetic and its completions
// (add1, add1-comparison) are one algorithm whose parts share invariants
// (the classes of voters, the common denominator); split, each part would
// be read without the invariants it keeps.
//
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
	unit    int64     // one unit of the currency: 10^Scale
	groups  []int32   // distinct non-empty ballots, project indexes sorted, one after another
	gstart  []int32   // group g is groups[gstart[g]:gstart[g+1]]
	gweight []int64   // voters per group
	supp    [][]int32 // per project: the groups that approve it
	run     *mesRun   // reused from run to run
}

func newMESProfile(in *Instance) (*mesProfile, error) {
	if in.VoteType != Approval && in.VoteType != Choose1 {
		return nil, errors.New("the Method of Equal Shares here needs approval or choose-1 ballots, not " + string(in.VoteType))
	}
	m := len(in.Projects)
	if in.Scale < 0 || in.Scale > 9 {
		return nil, errors.New("scale out of range")
	}
	pr := &mesProfile{n: int64(len(in.Ballots)), cost: make([]int64, m), votes: make([]int64, m), budget: in.Budget, unit: 1}
	for range in.Scale {
		pr.unit *= 10
	}
	for i, p := range in.Projects {
		pr.cost[i] = p.Cost
	}
	// Group identical ballots: open addressing on a hash of the sorted
	// project indexes.
	size := 16
	for size < 2*len(in.Ballots) {
		size *= 2
	}
	mask := uint64(size - 1)
	slots := make([]int32, size) // group + 1, 0 when empty
	var sorted []int32
	total := 0
	for _, b := range in.Ballots {
		total += len(b.Projects)
	}
	pr.groups = make([]int32, 0, total)
	pr.gstart = make([]int32, 1, len(in.Ballots)+1)
	pr.gweight = make([]int64, 0, len(in.Ballots))
	for _, b := range in.Ballots {
		sorted = append(sorted[:0], b.Projects...)
		for i := 1; i < len(sorted); i++ { // ballots are short
			for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
				sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
			}
		}
		h := uint64(14695981039346656037)
		for _, p := range sorted {
			pr.votes[p]++
			h = (h ^ uint64(p)) * 1099511628211
		}
		if len(sorted) == 0 {
			continue
		}
		h ^= h >> 29
		for i := h & mask; ; i = (i + 1) & mask {
			if g := slots[i]; g == 0 {
				slots[i] = int32(len(pr.gweight)) + 1
				pr.groups = append(pr.groups, sorted...)
				pr.gstart = append(pr.gstart, int32(len(pr.groups)))
				pr.gweight = append(pr.gweight, 1)
				break
			} else if slices.Equal(pr.group(int(g-1)), sorted) {
				pr.gweight[g-1]++
				break
			}
		}
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
	money float64 // the class's money left, roughly, while sorting
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

type prod struct {
	f  big.Int
	at int // len(factor) when f was computed
}

// mesRun is one MES run at one add1 step t, in which every voter starts
// with budget/n + t currency units. With cert, besides the outcome, it finds
// hi, the last step up to which every decision it took comes out the same,
// so that the outcome is the same for every step in [t, hi]: every amount
// it computes is an affine function of t, so every comparison it makes
// holds on an interval.
type mesRun struct {
	pr     *mesProfile
	t      big.Int
	cert   bool  // find hi
	hi     int64 // valid when cert
	L      big.Int
	factor []int64 // every factor L was multiplied by, in order
	prod   []prod  // per version v: the product of factor[v:]
	budget []aff   // per class: money left per voter, times L as it was at version bver
	bver   []int32 // per class: len(factor) when budget was last brought up to date
	bok    []bool  // per class: budget computed
	parent []int32 // per class but the first: the class it split from
	astep  []int32 // per class but the first: the payment that split it, an index of alpha
	alpha  []aff   // per funded project: what each supporter who could paid, times L at version aver
	aver   []int32
	// bf is every class's money left in floating point, within tol of the
	// exact amount: to sort and sum roughly, and exactly only when close.
	bf     []float64
	tol    float64
	gclass []int32 // per group: its class, or -1 when it has no money left
	active []bool  // per project: neither funded nor out of reach
	priced []bool  // per project: pay and rhoDen are from its last pricing
	// When project p was last priced, its supporters with money left paid
	// pay[p] between those who pay equally, payRem[p] of them, each paying
	// α = pay[p]/(payRem[p]·L). Its ρ = α/cost = pay[p].v/rhoDen[p], a lower
	// bound of its ρ now.
	pay     []aff
	payRem  []int64
	payPoor []int // how many of its supporting classes, poorest first, pay all they have
	rhoDen  []big.Int
	rhoF    []float64 // ρ roughly, to order the pricing
	now     []bool    // per project: priced in this round
	bestEs  []entry   // the supporters per class of this round's best project
	s       struct {
		cnt                []int64 // per class, zero between uses
		es                 []entry
		a, b, c, d, f, tmp big.Int
		cl                 big.Int
		sum                aff
	}
}

// money returns class k's money left per voter, times L. It is computed
// from the parent's the first time it is asked for: most classes are only
// ever compared roughly, through bf.
func (r *mesRun) money(k int32) *aff {
	if !r.bok[k] {
		p, a := r.money(r.parent[k]), r.alphaAt(r.astep[k])
		b := &r.budget[k]
		b.v.Sub(&p.v, &a.v)
		if r.cert {
			b.c0.Sub(&p.c0, &a.c0)
			b.c1.Sub(&p.c1, &a.c1)
		}
		r.bok[k], r.bver[k] = true, int32(len(r.factor))
		return b
	}
	r.fresh(&r.budget[k], &r.bver[k])
	return &r.budget[k]
}

// alphaAt returns the payment α of the j-th funded project, times L.
func (r *mesRun) alphaAt(j int32) *aff {
	r.fresh(&r.alpha[j], &r.aver[j])
	return &r.alpha[j]
}

// fresh brings x, last in step with L at version *ver, in step with L now.
func (r *mesRun) fresh(x *aff, ver *int32) {
	if v := int(*ver); v < len(r.factor) {
		f := r.pending(v)
		x.v.Mul(&x.v, f)
		if r.cert {
			x.c0.Mul(&x.c0, f)
			x.c1.Mul(&x.c1, f)
		}
		*ver = int32(len(r.factor))
	}
}

// pending returns the product of the factors L was multiplied by since
// version v.
func (r *mesRun) pending(v int) *big.Int {
	for len(r.prod) <= v {
		r.prod = append(r.prod, prod{})
	}
	p := &r.prod[v]
	if p.at != len(r.factor) {
		p.f.SetInt64(1)
		for _, f := range r.factor[v:] {
			p.f.Mul(&p.f, r.s.f.SetInt64(f))
		}
		p.at = len(r.factor)
	}
	return &p.f
}

// holds records that f0 + f1·t > 0 (strict) or ≥ 0, true at the run's t,
// must stay true: it lowers hi to the last step where it does.
func (r *mesRun) holds(f0, f1 *big.Int, strict bool) {
	if !r.cert || f1.Sign() >= 0 {
		return
	}
	// f0 + f1·t ≥ s  ⇔  t ≤ (f0 − s)/(−f1), with s = 1 when strict.
	var num, den big.Int
	den.Neg(f1)
	num.Set(f0)
	if strict {
		num.Sub(&num, big.NewInt(1))
	}
	num.Div(&num, &den) // Euclidean: the floor, for a positive divisor
	if num.IsInt64() && num.Int64() < r.hi {
		r.hi = num.Int64()
	}
}

// equalSharesAt runs MES with every voter starting with budget/n + t
// currency units, and returns project indexes in the order funded. With cert, it also returns the last step hi ≥ t up to which
// the outcome is the same.
func (pr *mesProfile) equalSharesAt(t int64, cert bool) (winners []int, hi int64) {
	m := len(pr.cost)
	r := pr.run // reused, with its numbers' storage, from run to run
	if r == nil {
		r = &mesRun{pr: pr}
		r.gclass = make([]int32, len(pr.gweight))
		r.active = make([]bool, m)
		r.priced = make([]bool, m)
		r.pay = make([]aff, m)
		r.payRem = make([]int64, m)
		r.payPoor = make([]int, m)
		r.rhoDen = make([]big.Int, m)
		r.rhoF = make([]float64, m)
		r.now = make([]bool, m)
		pr.run = r
	}
	r.cert, r.hi = cert, math.MaxInt64
	r.t.SetInt64(t)
	r.L.SetInt64(pr.n)
	r.factor = r.factor[:0]
	for i := range r.prod {
		r.prod[i].at = -1
	}
	if cap(r.budget) == 0 {
		r.budget = make([]aff, 0, 256)
	}
	r.budget = r.budget[:1]
	r.bver = append(r.bver[:0], 0)
	r.bok = append(r.bok[:0], true)
	r.parent = append(r.parent[:0], -1)
	r.astep = append(r.astep[:0], -1)
	r.alpha = r.alpha[:0]
	r.aver = r.aver[:0]
	share := (float64(pr.budget) + float64(pr.n)*float64(pr.unit)*float64(t)) / float64(pr.n)
	r.bf = append(r.bf[:0], share)
	// Each class's bf is its parent's less one payment, each within 2^-50
	// of the share: 1e-9 of the share bounds the error of a million of them.
	r.tol = share * 1e-9
	clear(r.gclass)
	clear(r.priced)
	// Everyone starts with (budget + n·unit·t)/n: L = n. Without cert only
	// v is kept up to date; c0 and c1 are not used.
	b := &r.budget[0]
	b.v.SetInt64(pr.n)
	b.v.Mul(&b.v, big.NewInt(pr.unit))
	if cert {
		b.c0.SetInt64(pr.budget)
		b.c1.Set(&b.v)
	}
	b.v.Mul(&b.v, &r.t)
	b.v.Add(&b.v, big.NewInt(pr.budget))
	if b.v.Sign() <= 0 {
		return nil, t
	}
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
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case !r.priced[a] || !r.priced[b]:
				return cmpBool(r.priced[a], r.priced[b])
			case r.rhoF[a] < r.rhoF[b]:
				return -1
			case r.rhoF[a] > r.rhoF[b]:
				return 1
			}
			return 0
		})
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
				r.bestEs = append(r.bestEs[:0], r.s.es...)
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

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
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
		s.es = append(s.es, entry{class: 0, n: r.pr.votes[p]})
		return
	}
	cnt, gclass, w := s.cnt, r.gclass, r.pr.gweight
	for _, g := range r.pr.supp[p] {
		k := gclass[g]
		if k < 0 {
			continue
		}
		if cnt[k] == 0 {
			s.es = append(s.es, entry{class: k})
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
	// Can they afford it? Roughly first: the exact sum only when it is close.
	var rem int64
	sumF := 0.0
	for _, e := range s.es {
		sumF += float64(e.n) * r.bf[e.class]
		rem += e.n
	}
	costF := float64(r.pr.cost[p])
	margin := float64(rem)*r.tol + sumF*float64(len(s.es)+2)*1e-15
	s.cl.SetInt64(r.pr.cost[p])
	s.cl.Mul(&s.cl, &r.L)
	affordable := sumF >= costF+margin
	if !affordable && sumF > costF-margin {
		s.sum.v.SetInt64(0)
		for _, e := range s.es {
			s.a.SetInt64(e.n)
			s.sum.v.Add(&s.sum.v, s.b.Mul(&s.a, &r.money(e.class).v))
		}
		affordable = s.sum.v.Cmp(&s.cl) >= 0
	}
	if !affordable {
		if r.cert {
			// cost·L − Σ money > 0 must hold on.
			s.sum.c0.SetInt64(0)
			s.sum.c1.SetInt64(0)
			for _, e := range s.es {
				b := r.money(e.class)
				s.sum.c0.Add(&s.sum.c0, s.b.Mul(s.a.SetInt64(e.n), &b.c0))
				s.sum.c1.Add(&s.sum.c1, s.b.Mul(s.a.SetInt64(e.n), &b.c1))
			}
			s.c.Sub(&s.cl, &s.sum.c0)
			s.d.Neg(&s.sum.c1)
			r.holds(&s.c, &s.d, true)
		}
		return false
	}
	r.poorFirst(costF, rem)
	// Those whose money is below α = (cost·L − paid)/rem pay it all.
	pay := &r.pay[p]
	pay.c0.Set(&s.cl)
	pay.c1.SetInt64(0)
	pay.v.Set(&s.cl)
	poor := 0
	for _, e := range s.es {
		b := r.money(e.class)
		if s.a.Mul(s.a.SetInt64(rem), &b.v).Cmp(&pay.v) >= 0 {
			break
		}
		if r.cert {
			pay.addMul(b, -e.n, &s.tmp)
		} else {
			pay.v.Sub(&pay.v, s.tmp.Mul(s.tmp.SetInt64(e.n), &b.v))
		}
		rem -= e.n
		poor++
	}
	r.payRem[p], r.payPoor[p] = rem, poor
	s.a.SetInt64(rem)
	s.b.SetInt64(r.pr.cost[p])
	r.rhoDen[p].Mul(s.a.Mul(&s.a, &r.L), &s.b)
	r.rhoF[p] = ratio(&pay.v, &r.rhoDen[p])
	r.priced[p] = true
	if r.cert {
		// The same supporters must stay below α and the same at or above:
		// pay − rem·money > 0 for the first, rem·money − pay ≥ 0 for the rest.
		for i, e := range s.es {
			b := r.money(e.class)
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

// poorFirst orders r.s.es, a project's supporting classes, so that those
// who cannot pay the equal payment α, and so pay all they have, come first,
// poorest first, followed by any others: the rich, in no order. It finds
// them roughly, with bf, and sorts exactly only those within the error of
// the rough α.
func (r *mesRun) poorFirst(costF float64, rem int64) {
	es := r.s.es
	for i := range es {
		es[i].money = r.bf[es[i].class]
	}
	// Water-filling in floating point: whoever has less than α pays all,
	// which raises α, until nobody else has less.
	front, paidF, remF := 0, 0.0, rem
	alpha := costF / float64(rem)
	for {
		moved := false
		for i := front; i < len(es); i++ {
			if es[i].money < alpha {
				es[i], es[front] = es[front], es[i]
				paidF += float64(es[front].n) * es[front].money
				remF -= es[front].n
				front++
				moved = true
			}
		}
		if !moved || remF <= 0 {
			break
		}
		alpha = (costF - paidF) / float64(remF)
	}
	// Every bf is within tol of the exact amount, so α is within
	// tol·rem/remF of the exact α, give or take rounding: whoever is further
	// above it is rich for sure.
	near := len(es)
	if remF > 0 {
		slack := r.tol*(1+float64(rem)/float64(remF)) + (paidF+costF+alpha)*float64(len(es)+2)*1e-15/float64(remF)
		near = front
		for i := front; i < len(es); i++ {
			if es[i].money <= alpha+slack {
				es[i], es[near] = es[near], es[i]
				near++
			}
		}
	}
	cand := es[:near]
	slices.SortFunc(cand, func(x, y entry) int {
		switch {
		case x.money < y.money:
			return -1
		case x.money > y.money:
			return 1
		}
		return 0
	})
	// Exactly where the rough order may be wrong.
	for i := 1; i < len(cand); i++ {
		for j := i; j > 0; j-- {
			a, b := cand[j-1].class, cand[j].class
			if cand[j].money-cand[j-1].money > 2*r.tol || r.money(a).v.Cmp(&r.money(b).v) <= 0 {
				break
			}
			cand[j-1], cand[j] = cand[j], cand[j-1]
		}
	}
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
	if r.cert {
		s.b.GCD(nil, nil, &A.c0, &s.a)
		if A.c1.Sign() != 0 {
			s.b.GCD(nil, nil, &A.c1, &s.b)
		}
	} else {
		s.b.GCD(nil, nil, &A.v, &s.a)
	}
	if f := rem / s.b.Int64(); f > 1 {
		s.c.SetInt64(f)
		r.L.Mul(&r.L, &s.c)
		A.c0.Mul(&A.c0, &s.c)
		A.c1.Mul(&A.c1, &s.c)
		A.v.Mul(&A.v, &s.c)
		r.factor = append(r.factor, f)
	}
	j := len(r.alpha)
	if j < cap(r.alpha) {
		r.alpha = r.alpha[:j+1] // reuse the numbers' storage
	} else {
		r.alpha = append(r.alpha, aff{})
	}
	r.aver = append(r.aver, int32(len(r.factor)))
	alpha := &r.alpha[j]
	s.c.SetInt64(rem)
	alpha.v.Quo(&A.v, &s.c)
	if r.cert {
		alpha.c0.Quo(&A.c0, &s.c)
		alpha.c1.Quo(&A.c1, &s.c)
	}
	alphaF := ratio(&alpha.v, &r.L)

	// Each supporting class splits: its supporters of w pay and form a new
	// class, or leave when they have nothing left. Who had less than α was
	// found when w was priced: the first payPoor[w] classes.
	if len(s.cnt) < len(r.budget) {
		s.cnt = append(s.cnt, make([]int64, len(r.budget)-len(s.cnt))...)
	}
	child := s.cnt // reused as class → new class + 1 (-1: none), zero after
	for i, e := range r.bestEs {
		if i < r.payPoor[w] {
			child[e.class] = -1 // pays all she has
			continue
		}
		k := len(r.budget)
		if k < cap(r.budget) {
			r.budget = r.budget[:k+1]
		} else {
			r.budget = append(r.budget, aff{})
		}
		child[e.class] = int64(k) + 1
		r.bver = append(r.bver, 0)
		r.bok = append(r.bok, false)
		r.parent = append(r.parent, e.class)
		r.astep = append(r.astep, int32(j))
		r.bf = append(r.bf, r.bf[e.class]-alphaF)
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
	for _, e := range r.bestEs {
		child[e.class] = 0
	}
}

// ratio returns a/b roughly, for positive a and b.
func ratio(a, b *big.Int) float64 {
	shift := max(a.BitLen(), b.BitLen()) - 60
	if shift <= 0 {
		return float64(a.Int64()) / float64(b.Int64())
	}
	var x, y big.Int
	return float64(x.Rsh(a, uint(shift)).Int64()) / float64(y.Rsh(b, uint(shift)).Int64())
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
// of the currency (1 zł, not 1 grosz) at a time, reruns MES, and stops
// at the first outcome that costs more than the real budget, returning the
// last one that did not. This is pabutools' exhaustion by budget increase
// with a step of one unit per voter, which reproduces the official outcomes
// of the pabulib files that declare equalshares/add1.
//
// Real instances change their outcome every step or few, but one project
// with few supporters and a high cost can leave it unchanged for thousands
// of steps. So once the outcome has stayed the same for a few steps, a run
// also proves up to which step every one of its decisions stays the same,
// and the steps up to there are skipped. A proof that skips nothing makes
// the next one wait twice as many unchanged steps.
// It returns the outcome and the number of MES runs it took.
func (pr *mesProfile) add1(first []int) ([]int, int) {
	supported := 0
	for p := range pr.cost {
		if pr.cost[p] > 0 && pr.votes[p] > 0 {
			supported++
		}
	}
	prev, same, need, runs := first, 0, 3, 0
	for t := int64(1); ; {
		cert := same >= need
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
		// A proof costs twice a plain run; when it skips nothing, wait
		// longer before the next one.
		if cert && hi == t {
			need *= 2
		} else if cert {
			need = 3
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
