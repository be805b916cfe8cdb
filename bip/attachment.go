package bip

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
)

// MaxAttachmentSize is the largest file a publication may carry.
const MaxAttachmentSize = 20 << 20

// Attachment is a file attached to a publication; immutable once stored.
type Attachment struct {
	ID            int64
	Name          string
	ContentType   string
	Size          int64
	SHA256        []byte
	PublicationID int64 `db:"-"`
}

// Inline reports whether the file may be shown in the browser; any other
// type is only ever downloaded.
func (a *Attachment) Inline() bool { return inlineTypes[a.ContentType] }

var inlineTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"text/plain; charset=utf-8": true,
}

// Office formats are zip files to the sniffer; their extension names them.
var zipTypes = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
	".zip":  "application/zip",
}

// NewAttachment is a file being attached.
type NewAttachment struct {
	Name string
	Data []byte

	contentType string
	sum         [32]byte
}

// validate refuses a name that carries a path (a browser never sends one),
// control characters or nothing at all, and a file over the limit; it then
// sniffs the type from the content, never trusting what the client said.
func (a *NewAttachment) validate() error {
	name := strings.TrimSpace(a.Name)
	switch {
	case name == "" || name == "." || name == "..":
		return ratusz.Invalid("attachments", "err.bip.file_name")
	case strings.ContainsAny(name, `/\`) || strings.Contains(name, ".."):
		return ratusz.Invalid("attachments", "err.bip.file_path", name)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return ratusz.Invalid("attachments", "err.bip.file_name")
	case utf8.RuneCountInString(name) > 200:
		return ratusz.Invalid("attachments", "err.too_long", 200)
	case len(a.Data) == 0:
		return ratusz.Invalid("attachments", "err.bip.file_empty", name)
	case len(a.Data) > MaxAttachmentSize:
		return &ratusz.Error{Code: ratusz.ETOOLARGE, Field: "attachments", Message: "err.bip.file_too_large", Args: []any{name, MaxAttachmentSize >> 20}}
	}
	a.Name = name
	a.contentType = sniff(name, a.Data)
	a.sum = sha256.Sum256(a.Data)
	return nil
}

// Check validates a file as an attachment (name, size, content) before a
// module keeps it for a later publication, and returns the file as it
// would be stored: its sniffed type and SHA-256.
func (a *NewAttachment) Check() (*Attachment, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	return &Attachment{Name: a.Name, ContentType: a.contentType, Size: int64(len(a.Data)), SHA256: a.sum[:]}, nil
}

// CheckUpload checks an uploaded file as Check does, with any refusal
// naming the form's field.
func CheckUpload(field, name string, data []byte) (*Attachment, error) {
	a := NewAttachment{Name: name, Data: data}
	checked, err := a.Check()
	if e, ok := err.(*ratusz.Error); ok {
		e.Field = field
	}
	return checked, err
}

func sniff(name string, data []byte) string {
	t := http.DetectContentType(data)
	switch {
	case t == "application/zip":
		if z, ok := zipTypes[strings.ToLower(path.Ext(name))]; ok {
			return z
		}
		return t
	case inlineTypes[t]:
		return t
	case strings.HasPrefix(t, "text/plain"):
		return "text/plain; charset=utf-8"
	}
	// HTML, SVG, scripts and anything unknown are served as opaque bytes.
	return "application/octet-stream"
}

// Attachment returns a file and its content.
func (s *Service) Attachment(ctx context.Context, id int64) (*Attachment, []byte, error) {
	a := &Attachment{ID: id}
	var data []byte
	err := s.pool.QueryRow(ctx, "SELECT publication_id, name, content_type, size, sha256, data FROM bip_attachments WHERE id = $1", id).
		Scan(&a.PublicationID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.attachment_not_found")
	}
	return a, data, err
}
