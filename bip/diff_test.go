package bip_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz/bip"
)

// words returns n random words, so that two calls share almost nothing:
// the worst case of a diff, where every word is an edit.
func words(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, seed))
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "w%d", r.IntN(1_000_000))
	}
	return b.String()
}

func sides(ops []bip.DiffOp) (a, b string) {
	var x, y strings.Builder
	for _, op := range ops {
		if op.Kind != "ins" {
			x.WriteString(op.Text)
		}
		if op.Kind != "del" {
			y.WriteString(op.Text)
		}
	}
	return x.String(), y.String()
}

// The diff of two unrelated 17 KB versions used to keep a copy of the
// whole edit frontier per step: 1.1 GB for one anonymous request. Memory
// must now grow with the texts, not with their square.
func TestDiffMemoryIsLinear(t *testing.T) {
	a, b := words(1, 2500), words(2, 2500) // about 20 KB each
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ops := bip.Diff(a, b)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Fatalf("diff of two 20 KB texts allocated %d MB", got>>20)
	}
	if x, y := sides(ops); x != a || y != b {
		t.Fatal("the diff does not reproduce both texts")
	}
}

// Whatever the texts, the runs rebuild both sides exactly, and an edit
// inside a long text is found as an edit, not as a replacement.
func TestDiffReproducesBothTexts(t *testing.T) {
	base := words(3, 3000)
	edited := strings.Replace(base, " ", " nowe słowo ", 1)
	mid := strings.LastIndex(edited[:len(edited)/2], " ")
	edited = edited[:mid] + " środek" + edited[mid:]
	for _, c := range [][2]string{{base, edited}, {"", "x"}, {"a  b\n\nc", "a b\nc"}, {"zażółć gęślą", "zażółć jaźń"}, {base, ""}} {
		ops := bip.Diff(c[0], c[1])
		if x, y := sides(ops); x != c[0] || y != c[1] {
			t.Fatalf("diff of %.20q and %.20q does not reproduce them", c[0], c[1])
		}
	}
	ops := bip.Diff(base, edited)
	var ins []string
	for _, op := range ops {
		if op.Kind == "del" {
			t.Fatalf("an insertion was shown as a deletion of %.40q", op.Text)
		}
		if op.Kind == "ins" {
			ins = append(ins, strings.TrimSpace(op.Text))
		}
	}
	if strings.Join(ins, "|") != "nowe słowo|środek" {
		t.Fatalf("insertions = %q", ins)
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("Rada przyjmuje budżet", "Rada odrzuca budżet gminy")
	f.Add("", "a")
	f.Add("a\tb", "\xff\xfe b")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a)+len(b) > 4096 {
			return
		}
		if x, y := sides(bip.Diff(a, b)); x != a || y != b {
			t.Fatalf("diff of %q and %q gives back %q and %q", a, b, x, y)
		}
	})
}

func BenchmarkDiff20KB(b *testing.B) {
	x, y := words(1, 2500), words(2, 2500)
	b.ReportAllocs()
	for b.Loop() {
		bip.Diff(x, y)
	}
}

// The diff is minimal: it deletes and inserts no more words than the
// longest common subsequence leaves, checked against the textbook
// dynamic program on small random texts.
func TestDiffIsMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []string{"rada", "gminy", "uchwała", "budżet", "a", "b"}
	text := func(n int) (string, []string) {
		var ws []string
		for range n {
			ws = append(ws, alphabet[r.IntN(len(alphabet))])
		}
		return strings.Join(ws, " "), tokensOf(strings.Join(ws, " "))
	}
	for range 500 {
		a, ta := text(r.IntN(30))
		b, tb := text(r.IntN(30))
		ops := bip.Diff(a, b)
		if x, y := sides(ops); x != a || y != b {
			t.Fatalf("diff of %q and %q does not reproduce them", a, b)
		}
		edited := 0
		for _, op := range ops {
			if op.Kind != "same" {
				edited += len(tokensOf(op.Text))
			}
		}
		if want := len(ta) + len(tb) - 2*lcs(ta, tb); edited != want {
			t.Fatalf("diff of %q and %q edits %d tokens, the minimum is %d: %v", a, b, edited, want, ops)
		}
	}
}

// tokensOf splits as the diff does: words and the spaces between them.
func tokensOf(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 1
		for i < len(s) && (s[i] == ' ') == (s[0] == ' ') {
			i++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

// Repetitive versions, as a security test sent them, made a library's
// substring search run for 28 s; the diff now ends within its budget. The
// deadline only tells an end from none (the figure is in BENCHMARKS.md).
func TestDiffRepetitiveVersionsEnd(t *testing.T) {
	v1 := "c " + strings.Repeat("a ", 128000) + "d"
	v3 := strings.Repeat("a ", 120000) + "b"
	done := make(chan []bip.DiffOp, 1)
	go func() { done <- bip.Diff(v1, v3) }()
	select {
	case ops := <-done:
		if x, y := sides(ops); x != v1 || y != v3 {
			t.Fatal("the diff does not reproduce both versions")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("still diffing after 20 s")
	}
}

func BenchmarkDiffRepetitive(b *testing.B) {
	v1 := "c " + strings.Repeat("a ", 128000) + "d"
	v3 := strings.Repeat("a ", 120000) + "b"
	for b.Loop() {
		bip.Diff(v1, v3)
	}
}
