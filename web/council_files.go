package web

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

func agendaFileURL(f *council.AgendaFile) string {
	return httpx.AgendaFilePath(f.ID, f.Name)
}

// agendaFile serves an agenda item's file, as BIP serves attachments.
func (s *Server) agendaFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	f, data, err := s.Council.AgendaFileData(r.Context(), id)
	if err != nil {
		return err
	}
	serveFile(w, &bip.Attachment{Name: f.Name, ContentType: f.ContentType, SHA256: f.SHA256}, data)
	return nil
}

// serveFile sends a stored file: inline only for types a browser shows
// safely, sandboxed, immutable.
func serveFile(w http.ResponseWriter, a *bip.Attachment, data []byte) {
	disposition := "attachment"
	if a.Inline() {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
	if a.ContentType != "application/pdf" {
		h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	}
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", fmt.Sprintf(`"%x"`, a.SHA256))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
