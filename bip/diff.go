package bip

import (
	"strings"
	"unicode"
)

// DiffOp is one run of a word-level diff.
type DiffOp struct {
	Kind string // "same", "del" or "ins"
	Text string
}

// DiffBudget bounds the work of one diff, in steps of the algorithm (about
// 50 ms here). An anonymous visitor may ask for the diff of any two
// versions, so no pair may cost more: once it is spent, what is left to
// compare is shown as replaced.
const DiffBudget = 20_000_000

// tokens splits text into words and the space between them, so that a diff
// keeps the text's own spacing.
func tokens(s string) []string {
	var out []string
	start, prevSpace := 0, false
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if i > start && sp != prevSpace {
			out = append(out, s[start:i])
			start = i
		}
		prevSpace = sp
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// Diff compares two texts word by word with Myers' algorithm in its linear-
// space form (the middle snake, divide and conquer): memory grows with the
// length of the texts, not with its square, and the work stops at
// DiffBudget. (A library's diff was tried first, but its substring search
// and half-match grow with the square of repetitive texts, past any
// deadline: 28 s for two versions of 250 KB.)
func Diff(a, b string) []DiffOp {
	ids := map[string]int{}
	var vocab []string
	enc := func(s string) []int {
		toks := tokens(s)
		out := make([]int, len(toks))
		for i, t := range toks {
			id, ok := ids[t]
			if !ok {
				id = len(vocab)
				ids[t] = id
				vocab = append(vocab, t)
			}
			out[i] = id
		}
		return out
	}
	x, y := enc(a), enc(b)
	d := &differ{a: x, b: y, budget: DiffBudget}
	d.diff(0, len(x), 0, len(y))
	var out []DiffOp
	for _, e := range d.edits {
		var t strings.Builder
		src := x
		if e.kind == "ins" {
			src = y
		}
		for _, id := range src[e.from:e.to] {
			t.WriteString(vocab[id])
		}
		if len(out) > 0 && out[len(out)-1].Kind == e.kind {
			out[len(out)-1].Text += t.String()
		} else if e.to > e.from {
			out = append(out, DiffOp{e.kind, t.String()})
		}
	}
	return out
}

// edit is a run of a (same, del) or of b (ins), by token positions.
type edit struct {
	kind     string
	from, to int
}

type differ struct {
	a, b   []int
	budget int
	edits  []edit
	vf, vb []int // reused buffers of the middle snake
}

func (d *differ) emit(kind string, from, to int) {
	if to > from {
		d.edits = append(d.edits, edit{kind, from, to})
	}
}

// diff appends the edits that turn a[alo:ahi] into b[blo:bhi], in order.
func (d *differ) diff(alo, ahi, blo, bhi int) {
	// Common prefix and suffix.
	p := 0
	for alo+p < ahi && blo+p < bhi && d.a[alo+p] == d.b[blo+p] {
		p++
	}
	d.emit("same", alo, alo+p)
	alo, blo = alo+p, blo+p
	s := 0
	for ahi-s > alo && bhi-s > blo && d.a[ahi-s-1] == d.b[bhi-s-1] {
		s++
	}
	ahi, bhi = ahi-s, bhi-s
	switch {
	case alo == ahi:
		d.emit("ins", blo, bhi)
	case blo == bhi:
		d.emit("del", alo, ahi)
	default:
		x, y, u, v, ok := d.middleSnake(alo, ahi, blo, bhi)
		if !ok { // out of budget: the rest is shown as replaced
			d.emit("del", alo, ahi)
			d.emit("ins", blo, bhi)
		} else {
			d.diff(alo, x, blo, y)
			d.emit("same", x, u)
			d.diff(u, ahi, v, bhi)
		}
	}
	d.emit("same", ahi, ahi+s)
}

// middleSnake finds the middle snake of an optimal path through
// a[alo:ahi] × b[blo:bhi] (Myers 1986, section 4b): the snake from (x, y)
// to (u, v), in absolute positions; ok is false when the budget ran out.
func (d *differ) middleSnake(alo, ahi, blo, bhi int) (x, y, u, v int, ok bool) {
	n, m := ahi-alo, bhi-blo
	delta := n - m
	odd := delta%2 != 0
	maxD := (n + m + 1) / 2
	size := 2*maxD + 2
	if cap(d.vf) < size {
		d.vf, d.vb = make([]int, size), make([]int, size)
	}
	vf, vb := d.vf[:size], d.vb[:size]
	off := maxD + 1
	for i := range vf {
		vf[i], vb[i] = -1, -1
	}
	vf[off+1], vb[off+1] = 0, 0
	for D := 0; D <= maxD; D++ {
		// Forward: vf[k] is the furthest x on diagonal k = x - y.
		for k := -D; k <= D; k += 2 {
			var px int
			if k == -D || (k != D && vf[off+k-1] < vf[off+k+1]) {
				px = vf[off+k+1]
			} else {
				px = vf[off+k-1] + 1
			}
			py := px - k
			sx, sy := px, py
			for px < n && py < m && d.a[alo+px] == d.b[blo+py] {
				px++
				py++
			}
			vf[off+k] = px
			if d.budget -= px - sx + 1; d.budget < 0 {
				return 0, 0, 0, 0, false
			}
			// The backward path on the same diagonal, c = delta - k.
			if c := delta - k; odd && c >= -(D-1) && c <= D-1 && vb[off+c] >= 0 && px+vb[off+c] >= n {
				return alo + sx, blo + sy, alo + px, blo + py, true
			}
		}
		// Backward: vb[c] is the furthest x counted from the ends, on
		// diagonal c of the reversed sequences.
		for c := -D; c <= D; c += 2 {
			var px int
			if c == -D || (c != D && vb[off+c-1] < vb[off+c+1]) {
				px = vb[off+c+1]
			} else {
				px = vb[off+c-1] + 1
			}
			py := px - c
			sx, sy := px, py
			for px < n && py < m && d.a[ahi-px-1] == d.b[bhi-py-1] {
				px++
				py++
			}
			vb[off+c] = px
			if d.budget -= px - sx + 1; d.budget < 0 {
				return 0, 0, 0, 0, false
			}
			if k := delta - c; !odd && k >= -D && k <= D && vf[off+k] >= 0 && px+vf[off+k] >= n {
				return ahi - px, bhi - py, ahi - sx, bhi - sy, true
			}
		}
	}
	// Not reached: an optimal path has at most n+m edits.
	return 0, 0, 0, 0, false
}
