package bip_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz/bip"
)

// pathological lists inputs that made the Markdown library work with the
// square of their length (each of 512 KB, the largest body BIP takes).
var pathological = map[string]func(n int) string{
	"brackets":      func(n int) string { return strings.Repeat("[", n) },
	"images":        func(n int) string { return strings.Repeat("![", n/2) },
	"footnote refs": func(n int) string { return strings.Repeat("[^", n/2) },
	"backticks":     func(n int) string { return strings.Repeat("`", n) },
	"emphasis":      func(n int) string { return strings.Repeat("**a ", n/4) },
	"links open":    func(n int) string { return strings.Repeat("[](", n/3) },
	"spaces":        func(n int) string { return "a" + strings.Repeat(" ", n) + "b" },
	"paragraphs":    func(n int) string { return strings.Repeat("a\n\n", n/3) },
	"list items":    func(n int) string { return strings.Repeat("- a\n", n/4) },
	"definitions":   func(n int) string { return strings.Repeat("a\n: b\n", n/6) },
	"table columns": func(n int) string { return strings.Repeat("|a", n/4) + "\n" + strings.Repeat("|-", n/4) + "\n" },
	"same headings": func(n int) string { return strings.Repeat("# a\n", n/4) },
	"footnotes":     func(n int) string { return strings.Repeat("a[^1]\n\n[^1]: b\n\n", n/16) },
	"nested quotes": func(n int) string { return strings.Repeat("> ", n/2) },
	"nested lists": func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString(strings.Repeat("  ", i%400) + "- a\n")
		}
		return b.String()
	},
}

// Every pathological input of the largest size renders: before, the first
// of them ran for minutes (40,000 "[" took 1.5 s and the cost grew with
// the square). The deadline is not a performance target (that is
// BenchmarkMarkdownPathological, in make bench): it only tells a render
// that ends from one that in practice does not.
func TestMarkdownPathologicalInputsEnd(t *testing.T) {
	for name, f := range pathological {
		src := f(bip.MaxBody)
		done := make(chan string, 1)
		go func() { done <- bip.RenderMarkdown(src) }()
		select {
		case out := <-done:
			if len(out) == 0 {
				t.Errorf("%s: rendered nothing", name)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: still rendering after 20 s", name)
		}
	}
}

// Past the parser's budget the rest is shown as typed, not lost; an
// ordinary document renders as before, and repeated headings get anchors
// of their own.
func TestMarkdownBudgetKeepsText(t *testing.T) {
	out := bip.RenderMarkdown(strings.Repeat("[", 50_000) + " koniec")
	if strings.Count(out, "[") != 50_000 || !strings.Contains(out, "koniec") {
		t.Fatalf("brackets or text lost: %d brackets", strings.Count(out, "["))
	}
	out = bip.RenderMarkdown("# Wnioski\n\n## Wnioski\n\n## Wnioski\n\nZob. [uchwała](https://bip.example/u/1), **pilne**, `kod`.\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n")
	for _, want := range []string{`<h2 id="wnioski">`, `<h3 id="wnioski-1">`, `<h3 id="wnioski-2">`, `<a href="https://bip.example/u/1" rel="nofollow">uchwała</a>`,
		"<strong>pilne</strong>", "<code>kod</code>", "<li>a</li>", "<td>1</td>", "<th>x</th>"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if out := bip.RenderMarkdown(strings.Repeat("`", 100) + "x"); strings.Count(out, "`") != 100 {
		t.Errorf("a long run of backticks is not shown as typed: %s", out)
	}
	if out := bip.RenderMarkdown("```\nkod\n```\n"); !strings.Contains(out, "<pre><code>kod") {
		t.Errorf("code fence broken: %s", out)
	}
}

// unsafeAttr finds an event handler or a script URL inside a tag.
var unsafeAttr = regexp.MustCompile(`<[^>]*(\son[a-z]+\s*=|(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):)`)

func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{"# Tytuł\n\ntekst", "[a](javascript:alert(1))", "<script>alert(1)</script>", "| a |\n|---|\n| b |", "- a\n  - b", "``` \nx\n```", "[^1]\n\n[^1]: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := strings.ToLower(bip.RenderMarkdown(src))
		if strings.Contains(out, "<script") || unsafeAttr.MatchString(out) {
			t.Fatalf("%q renders %q", src, out)
		}
	})
}

func FuzzPlainText(f *testing.F) {
	f.Add("Ławki | nad [stawem](http://x)")
	f.Add("a\r\nb")
	f.Fuzz(func(t *testing.T, s string) {
		out := bip.RenderMarkdown("| " + bip.PlainText(s) + " |\n|---|\n")
		if strings.Contains(strings.ToLower(out), "<a ") || strings.Count(out, "<td") > 0 || strings.Count(out, "<th>") > 1 {
			t.Fatalf("PlainText(%q) lets Markdown through: %s", s, out)
		}
	})
}

func BenchmarkMarkdownPathological(b *testing.B) {
	for name, f := range pathological {
		src := f(bip.MaxBody)
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				bip.RenderMarkdown(src)
			}
		})
	}
}

// A long ordinary document keeps its emphasis and links to the end: the
// budget is for delimiters that search ahead, not for every character.
func TestMarkdownLongOrdinaryDocument(t *testing.T) {
	var b strings.Builder
	para := strings.Repeat("Rada Gminy postanawia przyjąć sprawozdanie z wykonania budżetu za rok 2026 wraz z informacją o stanie mienia. ", 18)
	for i := 0; b.Len() < 500_000; i++ {
		fmt.Fprintf(&b, "%s **Paragraf %d** według [druku DS-%d/26](https://bip.example/d/%d).\n\n", para, i, i, i)
	}
	doc := b.String()
	n := strings.Count(doc, "**Paragraf")
	out := bip.RenderMarkdown(doc)
	if got := strings.Count(out, "<strong>Paragraf"); got != n {
		t.Fatalf("%d of %d bold runs rendered", got, n)
	}
	if got := strings.Count(out, `<a href="https://bip.example/d/`); got != n {
		t.Fatalf("%d of %d links rendered", got, n)
	}
	// And one paragraph of 40 KB.
	long := strings.Repeat("słowo ", 7000) + "**koniec** [link](https://bip.example)"
	if out := bip.RenderMarkdown(long); !strings.Contains(out, "<strong>koniec</strong>") || !strings.Contains(out, `<a href="https://bip.example"`) {
		t.Fatal("a 40 KB paragraph lost its emphasis or link")
	}
}
