package httpx

import (
	"net/url"
	"strconv"
)

// Paths of the pages that answers link to (web/routes.go serves them), for
// pages and the JSON API alike.

// PublicationPath is a BIP publication's page.
func PublicationPath(id int64) string { return "/bip/publikacje/" + strconv.FormatInt(id, 10) }

// AttachmentPath is a BIP attachment's file.
func AttachmentPath(id int64, name string) string { return filePath("/bip/zalaczniki/", id, name) }

// AgendaFilePath is an agenda item's file.
func AgendaFilePath(id int64, name string) string { return filePath("/rada/pliki/", id, name) }

// DocumentPath is a consultation document's file.
func DocumentPath(id int64, name string) string { return filePath("/konsultacje/dokumenty/", id, name) }

func filePath(prefix string, id int64, name string) string {
	return prefix + strconv.FormatInt(id, 10) + "/" + url.PathEscape(name)
}
