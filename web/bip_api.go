package web

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

// apiDate accepts "2006-01-02" (midnight in Warsaw) or RFC 3339.
type apiDate struct{ time.Time }

func (d *apiDate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ratusz.Invalid("produced_at", "err.date")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		d.Time = t
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, warsaw)
	if err != nil {
		return ratusz.Invalid("produced_at", "err.date")
	}
	d.Time = t
	return nil
}

type apiPublicationInput struct {
	Category    string  `json:"category"`
	Title       string  `json:"title"`
	Body        string  `json:"body"`
	ProducedBy  string  `json:"produced_by"`
	Responsible string  `json:"responsible"`
	ProducedAt  apiDate `json:"produced_at"`
}

type apiRevisionInput struct {
	apiPublicationInput
	ChangeReason string `json:"change_reason"`
}

func (in apiPublicationInput) draft() bip.Draft {
	return bip.Draft{Category: in.Category, Title: in.Title, Body: in.Body, ProducedBy: in.ProducedBy, Responsible: in.Responsible, ProducedAt: in.ProducedAt.Time}
}

func (s *Server) apiCategories(w http.ResponseWriter, r *http.Request) error {
	all, err := s.BIP.Categories(r.Context())
	if err != nil {
		return err
	}
	slugs := map[int64]string{}
	for _, c := range all {
		slugs[c.ID] = c.Slug
	}
	type item struct {
		Slug   string  `json:"slug"`
		Name   string  `json:"name"`
		Parent *string `json:"parent"`
	}
	data := []item{}
	lang := string(s.lang(r))
	for _, c := range all {
		it := item{Slug: c.Slug, Name: c.Name(lang)}
		if c.ParentID != nil {
			p := slugs[*c.ParentID]
			it.Parent = &p
		}
		data = append(data, it)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": data})
	return nil
}

func (s *Server) publicationJSON(p *bip.Publication) map[string]any {
	atts := []map[string]any{}
	for _, a := range p.Attachments {
		atts = append(atts, map[string]any{"id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size,
			"sha256": fmt.Sprintf("%x", a.SHA256), "url": s.Config.BaseURL.String() + attachmentURL(a)})
	}
	return map[string]any{
		"id": p.ID, "version": p.Version, "url": s.publicationURL(p.ID), "category": p.Category.Slug,
		"title": p.Title, "body": p.Body, "body_html": p.BodyHTML, "withdrawn": p.Withdrawn,
		"change_reason": p.ChangeReason, "views": p.Views, "attachments": atts,
		"metadata": map[string]any{
			"produced_by": p.Metadata.ProducedBy, "responsible": p.Metadata.Responsible, "entered_by": p.Metadata.EnteredBy,
			"produced_at": p.Metadata.ProducedAt, "published_at": p.Metadata.PublishedAt,
		},
	}
}

func (s *Server) apiCreatePublication(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	var in apiPublicationInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.BIP.Create(r.Context(), in.draft())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/publications/"+strconv.FormatInt(p.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": p.ID, "version": p.Version, "url": s.publicationURL(p.ID)})
	return nil
}

func (s *Server) apiRevisePublication(w http.ResponseWriter, r *http.Request) error {
	if err := bip.MayPublish(ratusz.ActorFromContext(r.Context())); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in apiRevisionInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	// The API replaces the text and keeps the attachments.
	cur, err := s.BIP.Current(r.Context(), id)
	if err != nil {
		return err
	}
	d := in.draft()
	for _, a := range cur.Attachments {
		d.Keep = append(d.Keep, a.ID)
	}
	p, err := s.BIP.Update(r.Context(), id, d, in.ChangeReason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.publicationJSON(p))
	return nil
}

func (s *Server) apiWithdrawPublication(w http.ResponseWriter, r *http.Request) error {
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
	p, err := s.BIP.Remove(r.Context(), id, in.ChangeReason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.publicationJSON(p))
	return nil
}

func (s *Server) apiPublication(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.BIP.FindByID(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.publicationJSON(p))
	return nil
}

func (s *Server) apiPublicationVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	vs, err := s.BIP.FindVersions(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": vs})
	return nil
}

// bipLogPage is a page of the log, for anyone who checks the chain.
type bipLogPage struct {
	Data []bip.Entry `json:"data"`
	Head bip.Head    `json:"head"`
}

// apiBIPLog lists entries of the hash-chained log from ?from= (default 1),
// at most 1,000 at a time, with the current head.
func (s *Server) apiBIPLog(w http.ResponseWriter, r *http.Request) error {
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
	entries, err := s.BIP.Entries(r.Context(), from, limit)
	if err != nil {
		return err
	}
	head, err := s.BIP.LogHead(r.Context())
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []bip.Entry{}
	}
	httpx.WriteJSON(w, http.StatusOK, bipLogPage{Data: entries, Head: head})
	return nil
}

// bipLogCheck answers whether a head recorded earlier is still in the log.
type bipLogCheck struct {
	Head    bip.Head `json:"head"`
	Present bool     `json:"present"`
	Current bip.Head `json:"current"`
}

func (s *Server) apiBIPLogCheck(w http.ResponseWriter, r *http.Request) error {
	h, err := bip.ParseHead(r.URL.Query().Get("head"))
	if err != nil {
		return ratusz.Invalid("head", "err.bip.head")
	}
	ok, err := s.BIP.Check(r.Context(), h)
	if err != nil {
		return err
	}
	cur, err := s.BIP.LogHead(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, bipLogCheck{Head: h, Present: ok, Current: cur})
	return nil
}
