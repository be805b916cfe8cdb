package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/web/httpx"
)

// date accepts "2006-01-02" (midnight in Warsaw) or RFC 3339.
type date struct{ time.Time }

func (d *date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ratusz.Invalid("produced_at", "err.date")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		d.Time = t
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, bip.Warsaw)
	if err != nil {
		return ratusz.Invalid("produced_at", "err.date")
	}
	d.Time = t
	return nil
}

type publicationInput struct {
	Category    string `json:"category"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	ProducedBy  string `json:"produced_by"`
	Responsible string `json:"responsible"`
	ProducedAt  date   `json:"produced_at"`
}

type revisionInput struct {
	publicationInput
	ChangeReason string `json:"change_reason"`
}

func (in publicationInput) draft() bip.Draft {
	return bip.Draft{Category: in.Category, Title: in.Title, Body: in.Body, ProducedBy: in.ProducedBy, Responsible: in.Responsible, ProducedAt: in.ProducedAt.Time}
}

// Category is a category of BIP's subject menu, named in the request's
// language.
type Category struct {
	Slug   string  `json:"slug"`
	Name   string  `json:"name"`
	Parent *string `json:"parent"`
}

func (a *API) categories(w http.ResponseWriter, r *http.Request) error {
	all, err := a.BIP.Categories(r.Context())
	if err != nil {
		return err
	}
	slugs := map[int64]string{}
	for _, c := range all {
		slugs[c.ID] = c.Slug
	}
	data := []Category{}
	lang := string(httpx.Lang(r))
	for _, c := range all {
		it := Category{Slug: c.Slug, Name: c.Name(lang)}
		if c.ParentID != nil {
			p := slugs[*c.ParentID]
			it.Parent = &p
		}
		data = append(data, it)
	}
	httpx.WriteJSON(w, http.StatusOK, Items[Category]{Data: data})
	return nil
}

// Publication is a BIP publication as of one version, with its metryczka.
type Publication struct {
	ID           int64        `json:"id"`
	Version      int          `json:"version"`
	URL          string       `json:"url"`
	Category     string       `json:"category"` // the slug
	Title        string       `json:"title"`
	Body         string       `json:"body"`
	BodyHTML     string       `json:"body_html"`
	Withdrawn    bool         `json:"withdrawn"`
	ChangeReason string       `json:"change_reason"`
	Views        int64        `json:"views"`
	Attachments  []Attachment `json:"attachments"`
	Metadata     bip.Metadata `json:"metadata"`
}

// Attachment is a publication's file and its SHA-256, in hex.
type Attachment struct {
	File
	SHA256 string `json:"sha256"`
}

// PublicationRef answers a new publication: where it is and which version.
type PublicationRef struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	URL     string `json:"url"`
}

func (a *API) publicationURL(id int64) string { return a.base + httpx.PublicationPath(id) }

func (a *API) newPublication(p *bip.Publication) Publication {
	atts := []Attachment{}
	for _, f := range p.Attachments {
		atts = append(atts, Attachment{File: File{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
			URL: a.base + httpx.AttachmentPath(f.ID, f.Name)}, SHA256: fmt.Sprintf("%x", f.SHA256)})
	}
	return Publication{ID: p.ID, Version: p.Version, URL: a.publicationURL(p.ID), Category: p.Category.Slug,
		Title: p.Title, Body: p.Body, BodyHTML: p.BodyHTML, Withdrawn: p.Withdrawn,
		ChangeReason: p.ChangeReason, Views: p.Views, Attachments: atts, Metadata: p.Metadata}
}

func (a *API) createPublication(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	var in publicationInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.BIP.Create(r.Context(), in.draft())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/publications/"+strconv.FormatInt(p.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, PublicationRef{ID: p.ID, Version: p.Version, URL: a.publicationURL(p.ID)})
	return nil
}

func (a *API) revisePublication(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in revisionInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	// The API replaces the text and keeps the attachments.
	cur, err := a.BIP.Current(r.Context(), id)
	if err != nil {
		return err
	}
	d := in.draft()
	for _, f := range cur.Attachments {
		d.Keep = append(d.Keep, f.ID)
	}
	p, err := a.BIP.Update(r.Context(), id, d, in.ChangeReason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.newPublication(p))
	return nil
}

func (a *API) withdrawPublication(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ChangeReason string `json:"change_reason"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.BIP.Remove(r.Context(), id, in.ChangeReason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.newPublication(p))
	return nil
}

func (a *API) publication(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.Load(r, "id", a.BIP.FindByID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.newPublication(p))
	return nil
}

func (a *API) publicationVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := httpx.Load(r, "id", a.BIP.FindVersions)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, Items[*bip.VersionSummary]{Data: vs})
	return nil
}

// LogPage is a page of BIP's hash-chained log, for anyone who checks the
// chain, with the current head.
type LogPage struct {
	Data []bip.Entry `json:"data"`
	Head bip.Head    `json:"head"`
}

// bipLog lists entries of the log from ?from= (default 1), at most 1,000
// at a time.
func (a *API) bipLog(w http.ResponseWriter, r *http.Request) error {
	from, limit := int64(1), 1000
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return ratusz.Invalid("from", "err.positive")
		}
		from = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return ratusz.Invalid("limit", "err.range", 1, 1000)
		}
		limit = n
	}
	entries, err := a.BIP.Entries(r.Context(), from, limit)
	if err != nil {
		return err
	}
	head, err := a.BIP.LogHead(r.Context())
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []bip.Entry{}
	}
	httpx.WriteJSON(w, http.StatusOK, LogPage{Data: entries, Head: head})
	return nil
}

// LogCheck answers whether a head recorded earlier is still in the log.
type LogCheck struct {
	Head    bip.Head `json:"head"`
	Present bool     `json:"present"`
	Current bip.Head `json:"current"`
}

func (a *API) bipLogCheck(w http.ResponseWriter, r *http.Request) error {
	h, err := bip.ParseHead(r.URL.Query().Get("head"))
	if err != nil {
		return ratusz.Invalid("head", "err.bip.head")
	}
	ok, err := a.BIP.Check(r.Context(), h)
	if err != nil {
		return err
	}
	cur, err := a.BIP.LogHead(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, LogCheck{Head: h, Present: ok, Current: cur})
	return nil
}
