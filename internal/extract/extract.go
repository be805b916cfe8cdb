// Package extract reads the text of the files people upload — PDF, DOCX,
// ODT and plain text — so that search finds what is inside attachments.
//
// PDF goes through pdftotext (Debian's poppler-utils), a separate process
// bounded in time and in the text it may write; DOCX and ODT are ZIP files
// whose XML is read here, bounded in what is unpacked. Nothing here runs
// while a request waits: the Worker extracts after the upload's response,
// one file at a time.
package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of one extraction.
const (
	MaxInput = 64 << 20         // a bigger file is not read
	MaxText  = 2 << 20          // bytes of text kept
	MaxXML   = 32 << 20         // bytes of a DOCX's or ODT's XML unpacked
	Timeout  = 30 * time.Second // pdftotext's time
)

// ErrUnsupported is a file of a kind with no text to read.
var ErrUnsupported = errors.New("extract: not a PDF, DOCX, ODT or text file")

// Text returns a file's text, at most MaxText bytes of it.
func Text(ctx context.Context, name, contentType string, data []byte) (string, error) {
	if len(data) > MaxInput {
		return "", fmt.Errorf("extract: %d bytes, over %d", len(data), MaxInput)
	}
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return pdf(ctx, data)
	case ext == ".docx" || contentType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return fromZip(data, "word/document.xml", map[string]bool{"p": true, "tr": true, "br": true}, map[string]bool{"tab": true},
			map[string]bool{"delText": true, "instrText": true, "del": true})
	case ext == ".odt" || contentType == "application/vnd.oasis.opendocument.text":
		return fromZip(data, "content.xml", map[string]bool{"p": true, "h": true, "line-break": true}, map[string]bool{"s": true, "tab": true},
			map[string]bool{"tracked-changes": true, "annotation": true})
	case ext == ".txt" || strings.HasPrefix(contentType, "text/plain"):
		if !utf8.Valid(data) {
			return "", errors.New("extract: the text is not UTF-8")
		}
		return cut(string(data)), nil
	}
	return "", ErrUnsupported
}

// pdf runs pdftotext on the file from stdin, killed after Timeout or once
// it has written MaxText bytes.
func pdf(ctx context.Context, data []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pdftotext", "-q", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("extract: pdftotext (poppler-utils): %w", err)
	}
	text, rerr := io.ReadAll(io.LimitReader(out, MaxText+1))
	if len(text) > MaxText {
		cancel() // enough: the rest is not kept
	}
	werr := cmd.Wait()
	if ctx.Err() == context.DeadlineExceeded {
		return "", fmt.Errorf("extract: pdftotext took over %s", Timeout)
	}
	if rerr != nil {
		return "", rerr
	}
	if werr != nil && len(text) <= MaxText {
		return "", fmt.Errorf("extract: pdftotext: %w", werr)
	}
	return cut(strings.ToValidUTF8(string(text), "")), nil
}

// fromZip reads the text of one XML member of a ZIP: character data, a
// line at the end of each of breaks, a space for each of spaces, nothing of
// skipped (text deleted with changes tracked, field codes, comments: what
// the document no longer says), by local name.
func fromZip(data []byte, member string, breaks, spaces, skipped map[string]bool) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("extract: not a ZIP: %w", err)
	}
	var f *zip.File
	for _, zf := range zr.File {
		if zf.Name == member {
			f = zf
		}
	}
	if f == nil {
		return "", fmt.Errorf("extract: no %s", member)
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	// A ZIP bomb stops at MaxXML, whatever its header claims.
	dec := xml.NewDecoder(io.LimitReader(rc, MaxXML))
	var b strings.Builder
	for b.Len() <= MaxText {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if b.Len() > 0 { // cut at the limit: keep what was read
				break
			}
			return "", fmt.Errorf("extract: %s: %w", member, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			if skipped[t.Name.Local] {
				if err := dec.Skip(); err != nil && b.Len() == 0 {
					return "", fmt.Errorf("extract: %s: %w", member, err)
				}
				continue
			}
			if spaces[t.Name.Local] {
				b.WriteByte(' ')
			}
		case xml.EndElement:
			if breaks[t.Name.Local] {
				b.WriteByte('\n')
			}
		}
	}
	return cut(b.String()), nil
}

// cut keeps at most MaxText bytes, ending on a whole character, with runs
// of blank lines made one.
func cut(s string) string {
	if len(s) > MaxText {
		s = strings.ToValidUTF8(s[:MaxText], "") // a character cut in two is dropped
	}
	s = strings.ReplaceAll(s, "\x00", "") // text PostgreSQL cannot store (UTF-16 read as UTF-8)
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
