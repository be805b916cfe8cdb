package bip

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DiffOp is one run of a word-level diff.
type DiffOp struct {
	Kind string // "same", "del" or "ins"
	Text string
}

// DiffTimeout bounds the work of one diff. An anonymous visitor may ask
// for the diff of any two versions, so no pair of texts may cost more: past
// the deadline the rest of the texts is shown as replaced rather than
// compared further.
const DiffTimeout = 100 * time.Millisecond

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

// Diff compares two texts word by word. It uses Myers' algorithm with the
// linear-space refinement (the middle snake, as diff-match-patch does it),
// so memory grows with the length of the texts, not with its square, and
// the work stops at DiffTimeout.
func Diff(a, b string) []DiffOp {
	// Each distinct token becomes one rune, so that the character diff of
	// diff-match-patch is a word diff.
	var vocab []string
	ids := map[string]rune{}
	encode := func(s string) ([]rune, bool) {
		toks := tokens(s)
		out := make([]rune, len(toks))
		for i, t := range toks {
			r, ok := ids[t]
			if !ok {
				r = tokenRune(len(vocab))
				if r < 0 {
					return nil, false
				}
				ids[t] = r
				vocab = append(vocab, t)
			}
			out[i] = r
		}
		return out, true
	}
	x, ok1 := encode(a)
	y, ok2 := encode(b)
	if !ok1 || !ok2 { // more distinct words than runes: show a replacement
		return replaced(a, b)
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = DiffTimeout
	var out []DiffOp
	for _, d := range dmp.DiffMainRunes(x, y, false) {
		var t strings.Builder
		for _, r := range d.Text {
			t.WriteString(vocab[runeToken(r)])
		}
		kind := "same"
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = "del"
		case diffmatchpatch.DiffInsert:
			kind = "ins"
		}
		if len(out) > 0 && out[len(out)-1].Kind == kind {
			out[len(out)-1].Text += t.String()
		} else {
			out = append(out, DiffOp{kind, t.String()})
		}
	}
	return out
}

func replaced(a, b string) []DiffOp {
	var out []DiffOp
	if a != "" {
		out = append(out, DiffOp{"del", a})
	}
	if b != "" {
		out = append(out, DiffOp{"ins", b})
	}
	return out
}

// tokenRune maps the n-th token to a valid rune (skipping surrogates, which
// do not survive the library's conversion to string), or -1 past the last.
func tokenRune(n int) rune {
	r := rune(n + 1)
	if r >= 0xD800 {
		r += 0x800
	}
	if r > utf8.MaxRune {
		return -1
	}
	return r
}

func runeToken(r rune) int {
	if r >= 0xE000 {
		r -= 0x800
	}
	return int(r) - 1
}
