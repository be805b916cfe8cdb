package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"golang.org/x/net/html"
)

// xssPayloads: script tags, event handlers, javascript: and data: URLs, SVG
// and MathML tricks, CSS url(), broken markup and encodings. Each sets
// window.__xss if it ever runs.
var xssPayloads = []string{
	`<script>window.__xss=1</script>`,
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`<script>/*</script><script>window.__xss=1//*/</script>`,
	`"><script>window.__xss=1</script>`,
	`'><script>window.__xss=1</script>`,
	`</title><script>window.__xss=1</script>`,
	`</textarea><script>window.__xss=1</script>`,
	`<img src=x onerror=window.__xss=1>`,
	`<img src="x" onerror="window.__xss=1">`,
	`<IMG SRC=x OnErRoR=window.__xss=1>`,
	`<img src=x:alert(1) onerror=eval(src)>`,
	`<body onload=window.__xss=1>`,
	`<div onmouseover="window.__xss=1">hover</div>`,
	`<input autofocus onfocus=window.__xss=1>`,
	`<details open ontoggle=window.__xss=1>`,
	`<video><source onerror="window.__xss=1"></video>`,
	`<audio src=x onerror=window.__xss=1>`,
	`<marquee onstart=window.__xss=1>`,
	`<select autofocus onfocus=window.__xss=1>`,
	`<a href="javascript:window.__xss=1">klik</a>`,
	`<a href="JaVaScRiPt:window.__xss=1">klik</a>`,
	`<a href="&#106;avascript:window.__xss=1">klik</a>`,
	`<a href="java&#x09;script:window.__xss=1">klik</a>`,
	`<a href=" javascript:window.__xss=1">klik</a>`,
	`[klik](javascript:window.__xss=1)`,
	`[klik](JAVASCRIPT:window.__xss=1)`,
	`[klik](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)`,
	`![obraz](javascript:window.__xss=1)`,
	`<a href="data:text/html,<script>window.__xss=1</script>">klik</a>`,
	`<iframe src="data:text/html,<script>parent.__xss=1</script>"></iframe>`,
	`<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`,
	`<object data="data:text/html,<script>window.__xss=1</script>"></object>`,
	`<embed src="javascript:window.__xss=1">`,
	`<svg onload=window.__xss=1>`,
	`<svg><script>window.__xss=1</script></svg>`,
	`<svg><a xlink:href="javascript:window.__xss=1"><text x="20" y="20">klik</text></a></svg>`,
	`<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>`,
	`<svg><set attributeName="onmouseover" to="window.__xss=1"/></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>`,
	`<math href="javascript:window.__xss=1">klik</math>`,
	`<math><maction actiontype="statusline" xlink:href="javascript:window.__xss=1">klik</maction></math>`,
	`<p style="background:url(javascript:window.__xss=1)">tło</p>`,
	`<div style="width: expression(window.__xss=1)">x</div>`,
	`<style>@import 'javascript:window.__xss=1';</style>`,
	`<style>body{background:url("javascript:window.__xss=1")}</style>`,
	`<link rel=stylesheet href="javascript:window.__xss=1">`,
	`<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">`,
	`<base href="javascript:window.__xss=1//">`,
	`<form action="javascript:window.__xss=1"><button>wyślij</button></form>`,
	`<button formaction="javascript:window.__xss=1">wyślij</button>`,
	`<isindex action=javascript:window.__xss=1 type=image>`,
	`<table background="javascript:window.__xss=1">`,
	`<<script>script>window.__xss=1<</script>/script>`,
	`<scr<script>ipt>window.__xss=1</scr</script>ipt>`,
	`<!--<img src="--><img src=x onerror=window.__xss=1//">`,
	`<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">`,
	`{{7*7}}<template><script>window.__xss=1</script></template>`,
	"`<img src=x onerror=window.__xss=1>`",
	`" onmouseover="window.__xss=1`,
	`' autofocus onfocus='window.__xss=1`,
	`javascript:window.__xss=1`,
	`<img src=x onerror="&#119;indow.__xss=1">`,
	`<a href=javascript&colon;window.__xss=1>klik`,
	`<svg><image href=x onerror=window.__xss=1>`,
	`<keygen autofocus onfocus=window.__xss=1>`,
}

// liveHTML reports what in an HTML page could run a script: script elements
// other than our own files, event-handler attributes, script-bearing URLs,
// and elements that embed or style.
func liveHTML(page string) []string {
	var found []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				return found
			}
			return append(found, "unparsable: "+z.Err().Error())
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "iframe", "object", "embed", "svg", "math", "style", "base", "meta", "form", "isindex", "frame", "frameset", "applet":
			if tok.Data == "meta" && len(tok.Attr) > 0 && (tok.Attr[0].Key == "charset" || tok.Attr[0].Key == "name") {
				continue
			}
			if tok.Data == "form" && isOurForm(tok) {
				continue
			}
			found = append(found, "<"+tok.Data+">")
		case "script":
			src := ""
			for _, a := range tok.Attr {
				if a.Key == "src" {
					src = a.Val
				}
			}
			if !strings.HasPrefix(src, "/static/") {
				found = append(found, "<script>")
			}
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			val := strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, strings.ToLower(a.Val))
			switch {
			case strings.HasPrefix(key, "on"):
				found = append(found, tok.Data+" "+key)
			case key == "style":
				found = append(found, tok.Data+" style")
			case key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href" || key == "background" || key == "data" || key == "srcdoc":
				if strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:") || key == "srcdoc" {
					found = append(found, tok.Data+" "+key+"="+a.Val)
				}
			}
		}
	}
}

// isOurForm: forms of our own pages post to our own paths.
func isOurForm(t html.Token) bool {
	for _, a := range t.Attr {
		if a.Key == "action" {
			return strings.HasPrefix(a.Val, "/")
		}
	}
	return false
}

// publishPayloads publishes one publication per payload, with the payload
// in its title, its body and (where a file name may hold it) an attachment's
// name. It returns the publications' ids.
func publishPayloads(t *testing.T, e *env) []int64 {
	t.Helper()
	office, err := e.Accounts.FindUserByEmail(system, "biuro.rady@przykladowo.pl")
	if err != nil {
		t.Fatal(err)
	}
	ctx := ratusz.NewContextWithActor(context.Background(), office.Actor())
	s := bip.NewService(e.Pool)
	defer s.Close()
	var ids []int64
	names := 0
	for i, payload := range xssPayloads {
		d := bip.Draft{Category: "ogloszenia", Title: fmt.Sprintf("XSS %d %s", i, payload), Body: "Treść " + payload + "\n\n" + payload,
			ProducedBy: payload, Responsible: payload, ProducedAt: time.Now().Add(-time.Hour)}
		if !strings.ContainsAny(payload, `/\`) && !strings.Contains(payload, "..") {
			d.Attachments = []bip.NewAttachment{{Name: payload + ".txt", Data: []byte("plik")}}
			names++
		}
		p, err := s.Create(ctx, d)
		if err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
		if _, err := s.Update(ctx, p.ID, d, "Zmiana "+payload); err != nil {
			t.Fatalf("payload %d revise: %v", i, err)
		}
		ids = append(ids, p.ID)
	}
	if names < 25 {
		t.Fatalf("only %d payloads went into attachment names", names)
	}
	return ids
}

// The raw HTML of every page that shows a payload holds none of it live.
func TestXSSRawHTML(t *testing.T) {
	t.Parallel()
	if len(xssPayloads) < 50 {
		t.Fatalf("the corpus has %d payloads, want at least 50", len(xssPayloads))
	}
	e := newEnv(t, nil)
	ids := publishPayloads(t, e)
	pages := []string{"/bip", "/bip/kategoria/ogloszenia", "/bip/kategoria/ogloszenia?strona=2", "/bip/kategoria/ogloszenia?strona=3", "/bip/rejestr-zmian", "/bip/rejestr-zmian?strona=2"}
	for _, id := range ids {
		pages = append(pages, fmt.Sprintf("/bip/publikacje/%d", id), fmt.Sprintf("/bip/publikacje/%d/wersje?od=1&do=2", id), fmt.Sprintf("/bip/publikacje/%d/druk", id))
	}
	for _, p := range pages {
		res, err := http.Get(e.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		if live := liveHTML(string(b)); len(live) > 0 {
			t.Errorf("%s holds live markup: %v", p, live)
		}
	}
	// Feeds are XML and must escape the titles.
	res, _ := http.Get(e.URL + "/bip/feed.atom")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(b), "<script") || strings.Contains(string(b), "<img") {
		t.Error("feed holds unescaped markup")
	}
}

// The checker itself finds what it must, and passes our own markup.
func TestLiveHTMLDetects(t *testing.T) {
	for _, bad := range []string{`<img src=x onerror=a()>`, `<script>a()</script>`, `<a href=" JaVaScRiPt:a()">x</a>`, `<iframe src=x>`, `<p style="x">`, `<svg>`, `<a href="data:text/html,x">x</a>`} {
		if len(liveHTML(bad)) == 0 {
			t.Errorf("missed %s", bad)
		}
	}
	if live := liveHTML(`<meta charset="utf-8"><form method="post" action="/logout"><button>x</button></form><script src="/static/live.js"></script><a href="/bip">x</a>`); len(live) > 0 {
		t.Errorf("flagged our own markup: %v", live)
	}
}
