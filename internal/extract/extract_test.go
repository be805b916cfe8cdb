package extract_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ratusz/ratusz/internal/extract"
	"github.com/ratusz/ratusz/internal/extract/extracttest"
)

func TestText(t *testing.T) {
	ctx := context.Background()
	extracttest.NeedPdftotext(t)
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"uchwala.pdf", extracttest.PDF("Uchwala w sprawie nawierzchni", "ulicy Lipowej (odcinek 2)"), []string{"Uchwala w sprawie nawierzchni", "ulicy Lipowej (odcinek 2)"}},
		{"wniosek.docx", extracttest.DOCX("Wniosek o remont chodnika", "przy ulicy Żółwiej"), []string{"Wniosek o remont chodnika\nprzy ulicy Żółwiej"}},
		{"opinia.odt", extracttest.ODT("Opinia komisji <budżetowej>", "pozytywna"), []string{"Opinia komisji <budżetowej>\npozytywna"}},
		{"notatka.txt", []byte("Notatka\r\n\r\n\r\nz posiedzenia"), []string{"Notatka\n\nz posiedzenia"}},
	} {
		got, err := extract.Text(ctx, c.name, "", c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
	}
}

func TestTextRefuses(t *testing.T) {
	ctx := context.Background()
	if _, err := extract.Text(ctx, "zdjecie.png", "image/png", []byte("\x89PNG\r\n")); !errors.Is(err, extract.ErrUnsupported) {
		t.Errorf("an image: %v", err)
	}
	if _, err := extract.Text(ctx, "zle.docx", "", []byte("not a zip")); err == nil {
		t.Error("a broken DOCX was read")
	}
	if _, err := extract.Text(ctx, "duzy.txt", "", make([]byte, extract.MaxInput+1)); err == nil {
		t.Error("a file over the limit was read")
	}
	if _, err := extract.Text(ctx, "latin2.txt", "", []byte{0xb1, 0xe6}); err == nil {
		t.Error("text not in UTF-8 was taken")
	}
}

// A ZIP bomb: 200 MB of one paragraph, a few hundred kilobytes packed. What
// is unpacked stops at the limits, and the text kept at MaxText.
func TestZipBomb(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.Create("word/document.xml")
	f.Write([]byte(`<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>`))
	chunk := bytes.Repeat([]byte("budżet "), 1<<16)
	for i := 0; i < 400; i++ {
		f.Write(chunk)
	}
	f.Write([]byte(`</w:t></w:r></w:p></w:body></w:document>`))
	w.Close()
	got, err := extract.Text(context.Background(), "bomba.docx", "", b.Bytes())
	if err != nil {
		t.Fatalf("%d bytes packed: %v", b.Len(), err)
	}
	if len(got) > extract.MaxText || !strings.HasPrefix(got, "budżet budżet") {
		t.Fatalf("kept %d bytes, want at most %d", len(got), extract.MaxText)
	}
}

// What a document no longer says is not read: text deleted with changes
// tracked, comments; nor NUL bytes, which PostgreSQL cannot store.
func TestTextLeavesOutDeletions(t *testing.T) {
	ctx := context.Background()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.Create("word/document.xml")
	f.Write([]byte(`<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Wniosek mieszkańca</w:t></w:r><w:del><w:r><w:delText>Jan Kowalski, PESEL 80010112345</w:delText></w:r></w:del></w:p></w:body></w:document>`))
	w.Close()
	got, err := extract.Text(ctx, "wniosek.docx", "", b.Bytes())
	if err != nil || got != "Wniosek mieszkańca" {
		t.Fatalf("%q %v", got, err)
	}
	if got, err := extract.Text(ctx, "utf16.txt", "", []byte("O\x00p\x00i\x00n\x00i\x00a\x00")); err != nil || got != "Opinia" {
		t.Fatalf("NUL bytes: %q %v", got, err)
	}
}
