package bip

import (
	"github.com/gomarkdown/markdown"
	"github.com/gomarkdown/markdown/ast"
	"github.com/gomarkdown/markdown/html"
	"github.com/gomarkdown/markdown/parser"
	"github.com/microcosm-cc/bluemonday"
	"strings"
	"unicode"
)

var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	return p
}()

// RenderMarkdown turns a body into HTML that is safe to show: headings (one
// level below the page's title), lists, tables and links survive; raw HTML
// that could run anything (scripts, event handlers, javascript: and data:
// URLs, styles) does not.
func RenderMarkdown(src string) string {
	doc := markdown.Parse([]byte(src), parser.NewWithExtensions(parser.CommonExtensions|parser.AutoHeadingIDs))
	ast.WalkFunc(doc, func(n ast.Node, entering bool) ast.WalkStatus {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level < 6 {
			h.Level++ // the page's title is the only h1
		}
		return ast.GoToNext
	})
	// Not the common flags' smart fractions: they would turn the numbers of
	// resolutions and papers (XII/145/2024, DS-89/24) into fraction slashes,
	// which nobody can search for or copy.
	r := html.NewRenderer(html.RendererOptions{Flags: html.Smartypants | html.SmartypantsDashes | html.SmartypantsLatexDashes})
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
