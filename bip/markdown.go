package bip

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/gomarkdown/markdown"
	"github.com/gomarkdown/markdown/ast"
	"github.com/gomarkdown/markdown/html"
	"github.com/gomarkdown/markdown/parser"
	"github.com/microcosm-cc/bluemonday"
)

// inlineBytes is how many bytes, in all, the inline rules of one document
// may look ahead over: about 100 ms of work on this project's machines.
const inlineBudget = 100_000_000

// lookAhead are the delimiters whose rules search the rest of the
// paragraph for a closer: emphasis, strikethrough, code, links, images,
// footnotes, angle brackets. The others (spaces, line breaks, entities,
// escapes, autolinks) look at a few bytes only and are not charged, so that
// a long ordinary document keeps its links and emphasis to the end.
const lookAhead = "*_~`[!^<"

var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	return p
}()

// RenderMarkdown turns a body into HTML that is safe to show: headings (one
// level below the page's title), lists, tables and links survive; raw HTML
// that could run anything (scripts, event handlers, javascript: and data:
// URLs, styles) does not.
//
// No input may cost much: the parser's inline rules look ahead for a
// closing delimiter from every opening one, so a paragraph of 40,000 "["
// took 1.5 s and grew with the square of its length. Each inline rule is
// therefore given a budget of bytes it may look ahead over, for the whole
// document; once it is spent, the remaining delimiters are shown as typed.
// Ordinary documents stay far below it (a 500 KB resolution with hundreds
// of links and emphases uses a few percent).
func RenderMarkdown(src string) string {
	p := parser.NewWithExtensions(parser.CommonExtensions)
	budget := inlineBudget
	for _, c := range []byte(lookAhead) {
		prev := p.RegisterInline(c, nil)
		if prev == nil {
			continue
		}
		p.RegisterInline(c, func(p *parser.Parser, data []byte, offset int) (int, ast.Node) {
			if budget -= len(data) - offset; budget < 0 {
				return 0, nil // shown as typed
			}
			return prev(p, data, offset)
		})
	}
	doc := markdown.Parse(tameRuns([]byte(src)), p)
	ids := headingIDs{}
	ast.WalkFunc(doc, func(n ast.Node, entering bool) ast.WalkStatus {
		if h, ok := n.(*ast.Heading); ok && entering {
			if h.Level < 6 {
				h.Level++ // the page's title is the only h1
			}
			h.HeadingID = ids.next(h)
		}
		return ast.GoToNext
	})
	// Not the common flags' smart fractions: they would turn the numbers of
	// resolutions and papers (XII/145/2024, DS-89/24) into fraction slashes,
	// which nobody can search for or copy.
	r := html.NewRenderer(html.RendererOptions{Flags: html.Smartypants | html.SmartypantsDashes | html.SmartypantsLatexDashes})
	r.Opts.RenderNodeHook = linearNodes(r)
	return string(policy.SanitizeBytes(markdown.Render(doc, r)))
}

// PlainText makes text a module publishes from what people typed (a title,
// a name, an answer) stand in a Markdown body as typed: every character
// Markdown or a table could read as syntax is escaped, and line breaks and
// control characters become spaces, so the text can neither add a link nor
// forge a table's cell or row.
func PlainText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n' || unicode.IsControl(r):
			b.WriteByte(' ')
		case r < 128 && strings.ContainsRune("\\`*_{}[]()#+-.!:|&<>~^$", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// headingIDs gives each heading an anchor from its text, unique in the
// document ("wnioski", "wnioski-1", …). The parser's own option does this
// with a search that grows with the square of the repeated headings (a
// document of 100,000 "# a" ran for minutes); here each base name keeps
// its next suffix.
type headingIDs struct {
	taken map[string]bool
	next_ map[string]int
}

func (h *headingIDs) next(n *ast.Heading) string {
	if h.taken == nil {
		h.taken, h.next_ = map[string]bool{}, map[string]int{}
	}
	var text strings.Builder
	ast.WalkFunc(n, func(c ast.Node, entering bool) ast.WalkStatus {
		if l := c.AsLeaf(); l != nil && entering && text.Len() < 200 {
			text.Write(l.Literal)
		}
		return ast.GoToNext
	})
	var b strings.Builder
	dash := false
	for _, r := range text.String() {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	base := b.String()
	if base == "" {
		base = "sekcja"
	}
	id := base
	for h.taken[id] {
		h.next_[base]++
		id = base + "-" + strconv.Itoa(h.next_[base])
	}
	h.taken[id] = true
	return id
}

// linearNodes renders paragraphs, list items and table cells as the
// library does, less its line breaks between them: to place those it looks
// for each node's previous sibling by a scan of all siblings, so that a
// document of 170,000 short paragraphs, list items or cells took minutes.
// Only insignificant whitespace differs.
func linearNodes(r *html.Renderer) html.RenderNodeFunc {
	return func(w io.Writer, node ast.Node, entering bool) (ast.WalkStatus, bool) {
		switch n := node.(type) {
		case *ast.Paragraph:
			if html.SkipParagraphTags(n) {
				return ast.GoToNext, true
			}
			if entering {
				r.CR(w)
				r.Outs(w, html.TagWithAttributes("<p", html.BlockAttrs(n)))
			} else {
				r.Outs(w, "</p>")
				r.CR(w)
			}
			return ast.GoToNext, true
		case *ast.ListItem:
			if !entering {
				return ast.GoToNext, false
			}
			r.CR(w)
			switch {
			case n.RefLink != nil:
				r.Outs(w, html.FootnoteItem(r.Opts.FootnoteAnchorPrefix, html.Slugify(n.RefLink)))
			case n.ListFlags&ast.ListTypeDefinition != 0:
				r.Outs(w, "<dd>")
			case n.ListFlags&ast.ListTypeTerm != 0:
				r.Outs(w, "<dt>")
			default:
				r.Outs(w, "<li>")
			}
			return ast.GoToNext, true
		case *ast.TableCell:
			if !entering {
				return ast.GoToNext, false
			}
			var attrs []string
			if align := n.Align.String(); align != "" {
				attrs = append(attrs, fmt.Sprintf(`align="%s"`, align))
			}
			if n.ColSpan > 0 {
				attrs = append(attrs, fmt.Sprintf(`colspan="%d"`, n.ColSpan))
			}
			r.CR(w)
			r.OutTag(w, map[bool]string{true: "<th", false: "<td"}[n.IsHeader], attrs)
			return ast.GoToNext, true
		}
		return ast.GoToNext, false
	}
}

// maxRun is the longest run of backticks, or of spaces and tabs, passed to
// the parser as it is.
const maxRun = 64

// tameRuns shortens what the parser's table detection reads with the
// square of its length: a run of backticks is read again from each of its
// backticks, a run of spaces from each space. A run of backticks longer
// than maxRun is escaped (it shows as typed, and no code fence is that
// long); a run of spaces or tabs is cut to maxRun.
func tameRuns(src []byte) []byte {
	long := false
	for i, run := 0, 0; i < len(src); i++ {
		if i > 0 && src[i] == src[i-1] && (src[i] == '`' || src[i] == ' ' || src[i] == '\t') {
			if run++; run >= maxRun {
				long = true
				break
			}
		} else {
			run = 0
		}
	}
	if !long {
		return src
	}
	out := make([]byte, 0, len(src)+len(src)/8)
	for i := 0; i < len(src); {
		c := src[i]
		j := i
		for j < len(src) && src[j] == c {
			j++
		}
		switch n := j - i; {
		case c == '`' && n > maxRun:
			for range n {
				out = append(out, '\\', '`')
			}
		case (c == ' ' || c == '\t') && n > maxRun:
			out = append(out, src[i:i+maxRun]...)
		default:
			out = append(out, src[i:j]...)
		}
		i = j
	}
	return out
}
