package bip

import "unicode"

// DiffOp is one run of a word-level diff.
type DiffOp struct {
	Kind string // "same", "del" or "ins"
	Text string
}

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

// Diff compares two texts word by word (Myers' algorithm, O((N+M)·D)).
func Diff(a, b string) []DiffOp {
	x, y := tokens(a), tokens(b)
	n, m := len(x), len(y)
	max := n + m
	v := make([]int, 2*max+2)
	var trace [][]int
	offset := max + 1
outer:
	for d := 0; d <= max; d++ {
		snap := make([]int, len(v))
		copy(snap, v)
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var i int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				i = v[offset+k+1]
			} else {
				i = v[offset+k-1] + 1
			}
			j := i - k
			for i < n && j < m && x[i] == y[j] {
				i++
				j++
			}
			v[offset+k] = i
			if i >= n && j >= m {
				break outer
			}
		}
	}
	// Walk back through the trace to recover the edit script.
	var ops []DiffOp
	i, j := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		vd := trace[d]
		k := i - j
		var pk int
		if k == -d || (k != d && vd[offset+k-1] < vd[offset+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		pi := vd[offset+pk]
		pj := pi - pk
		for i > pi && j > pj {
			i--
			j--
			ops = append(ops, DiffOp{"same", x[i]})
		}
		if d > 0 {
			if i == pi {
				j--
				ops = append(ops, DiffOp{"ins", y[j]})
			} else {
				i--
				ops = append(ops, DiffOp{"del", x[i]})
			}
		}
	}
	// Reverse and merge runs of the same kind.
	var out []DiffOp
	for k := len(ops) - 1; k >= 0; k-- {
		op := ops[k]
		if len(out) > 0 && out[len(out)-1].Kind == op.Kind {
			out[len(out)-1].Text += op.Text
		} else {
			out = append(out, op)
		}
	}
	return out
}
