package httpx

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
)

// Uploads reads the files of a multipart form's field (the site's
// middleware has parsed the form). A part of that field sent without a file
// name is refused, not dropped: the multipart reader would file it among the
// text values, and the file would be lost while the rest of the form
// succeeds. Files are read as BIP attachments, the shape every module keeps
// its files in.
func Uploads(r *http.Request, field string) ([]bip.NewAttachment, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	for _, v := range r.MultipartForm.Value[field] {
		if v != "" {
			return nil, ratusz.Invalid(field, "err.file_name")
		}
	}
	var out []bip.NewAttachment
	for _, fh := range r.MultipartForm.File[field] {
		a, err := readUpload(fh)
		if err != nil {
			if e, ok := err.(*ratusz.Error); ok {
				e.Field = field
			}
			return nil, err
		}
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}

// FormFile reads the one file of a multipart form's field, refusing a
// missing one with a message next to that field.
func FormFile(r *http.Request, field string) (string, []byte, error) {
	files, err := Uploads(r, field)
	if err != nil {
		return "", nil, err
	}
	if len(files) > 0 {
		return files[0].Name, files[0].Data, nil
	}
	return "", nil, ratusz.Invalid(field, "err.council.file_missing")
}

// readUpload reads one uploaded file under the name the client sent. The
// multipart reader would strip a path from the name; we read the raw name
// so that a name with a path is refused, not quietly shortened.
func readUpload(fh *multipart.FileHeader) (*bip.NewAttachment, error) {
	name := fh.Filename
	if _, params, err := mime.ParseMediaType(fh.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		name = params["filename"]
	}
	if name == "" && fh.Size == 0 {
		return nil, nil // no file chosen
	}
	if name == "" || !goodFileName(name) {
		return nil, ratusz.Invalid("attachments", "err.file_name")
	}
	if fh.Size > bip.MaxAttachmentSize {
		return nil, &ratusz.Error{Code: ratusz.ETOOLARGE, Field: "attachments", Message: "err.bip.file_too_large", Args: []any{name, bip.MaxAttachmentSize >> 20}}
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, bip.MaxAttachmentSize+1))
	if err != nil {
		return nil, err
	}
	return &bip.NewAttachment{Name: name, Data: data}, nil
}

// goodFileName refuses names with control characters (CR, LF, NUL, …).
func goodFileName(name string) bool {
	if !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		// Bidirectional controls too: U+202E makes "a‮txt.exe" show as
		// "aexe.txt".
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}
