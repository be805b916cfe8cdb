// Package oparl serves the council's open data in OParl 1.1
// (https://schema.oparl.org/1.1/) for anyone's software: read only, with
// named votes in a vote-event extension modelled on Popolo. The objects come
// from council's OParl read model; this package only shapes them as JSON,
// pages external lists and writes their URLs. docs/OPARL.md documents the
// endpoints, the ids, the mapping and the extension.
package oparl

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

// Server serves the OParl endpoints.
type Server struct {
	council      *council.Service
	base         string // the site's base URL
	municipality string
	log          *slog.Logger
}

// New returns the OParl endpoints of a site at base.
func New(c *council.Service, base, municipality string, log *slog.Logger) *Server {
	return &Server{council: c, base: base, municipality: municipality, log: log}
}

var warsaw = bip.Warsaw

func notFound(w http.ResponseWriter, r *http.Request) error {
	return ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
}

const (
	oparlSchema = "https://schema.oparl.org/1.1/"
	// oparlExtension is where the extension's types and properties are
	// documented; its properties carry the vendor prefix "ratusz:".
	oparlExtension = "https://github.com/ratusz/ratusz/blob/main/docs/OPARL.md#"
	oparlProduct   = "https://github.com/ratusz/ratusz"

	oparlDefaultLimit = 100
	oparlMaxLimit     = 500
	oparlMaxPage      = 1_000_000
)

// Routes serves the council's open data in OParl 1.1 under the router's
// prefix (/oparl/v1).
func (s *Server) Routes(r chi.Router) {
	r.Use(oparlHeaders)
	r.Get("/", http.RedirectHandler("/oparl/v1/system", http.StatusFound).ServeHTTP)
	r.Get("/system", httpx.JSON(s.log, s.oparlSystem))
	r.Get("/bodies", httpx.JSON(s.log, oparlList(s, false, s.council.OParlBodies, s.oparlBodyJSON)))
	r.Get("/body/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlBody, s.oparlBodyJSON)))
	r.Get("/body/{id}/organization", httpx.JSON(s.log, oparlList(s, true, s.council.OParlOrganizations, s.oparlOrganizationJSON)))
	r.Get("/body/{id}/person", httpx.JSON(s.log, oparlList(s, true, s.council.OParlPeople, s.oparlPersonJSON)))
	r.Get("/body/{id}/membership", httpx.JSON(s.log, oparlList(s, true, s.council.OParlMemberships, s.oparlMembershipStandalone)))
	r.Get("/body/{id}/meeting", httpx.JSON(s.log, oparlList(s, true, s.council.OParlMeetings, s.oparlMeetingJSON)))
	r.Get("/body/{id}/agendaItem", httpx.JSON(s.log, oparlList(s, true, s.council.OParlAgendaItems, s.oparlAgendaItemStandalone)))
	r.Get("/body/{id}/paper", httpx.JSON(s.log, oparlList(s, true, s.council.OParlPapers, s.oparlPaperJSON)))
	r.Get("/body/{id}/file", httpx.JSON(s.log, oparlList(s, true, s.council.OParlFiles, s.oparlFileStandalone)))
	r.Get("/body/{id}/legislativeTerm", httpx.JSON(s.log, oparlList(s, true, s.council.OParlTerms, s.oparlTermStandalone)))
	r.Get("/body/{id}/location", httpx.JSON(s.log, oparlList(s, true, s.council.OParlLocations, s.oparlLocationStandalone)))
	r.Get("/body/{id}/voteEvent", httpx.JSON(s.log, oparlList(s, true, s.council.OParlVoteEvents, s.oparlVoteEventJSON)))
	r.Get("/organization/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlBodyOrganization, s.oparlOrganizationJSON)))
	r.Get("/club/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlClub, s.oparlOrganizationJSON)))
	r.Get("/person/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlPerson, s.oparlPersonJSON)))
	r.Get("/membership/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlMembership, s.oparlMembershipStandalone)))
	r.Get("/meeting/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlMeeting, s.oparlMeetingJSON)))
	r.Get("/agendaItem/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlAgendaItem, s.oparlAgendaItemStandalone)))
	r.Get("/paper/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlPaper, s.oparlPaperJSON)))
	r.Get("/consultation/{item}/{paper}", httpx.JSON(s.log, s.oparlConsultation))
	r.Get("/file/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlFile, s.oparlFileStandalone)))
	r.Get("/legislativeTerm/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlTerm, s.oparlTermStandalone)))
	r.Get("/location/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlLocation, s.oparlLocationStandalone)))
	r.Get("/voteEvent/{id}", httpx.JSON(s.log, oparlObject(s.council.OParlVoteEvent, s.oparlVoteEventJSON)))
	r.NotFound(httpx.JSON(s.log, notFound))
	r.MethodNotAllowed(httpx.JSON(s.log, notFound))
}

// oparlHeaders lets any site's scripts read the data (OParl requires it of
// every JSON answer, errors included).
func oparlHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		next.ServeHTTP(w, r)
	})
}

// oparlObject serves one object by its id.
func oparlObject[T any](get func(context.Context, int64) (*T, error), render func(*T) any) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := get(r.Context(), id)
		if err != nil {
			return err
		}
		writeOParl(w, render(v))
		return nil
	}
}

// writeOParl writes an object or a list page; URLs keep their "&" as it is.
func writeOParl(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// oparlPage is a page of an external list.
type oparlPage struct {
	Data       []any           `json:"data"`
	Pagination oparlPagination `json:"pagination"`
	Links      oparlLinks      `json:"links"`
}

type oparlPagination struct {
	TotalElements   int `json:"totalElements"`
	ElementsPerPage int `json:"elementsPerPage"`
	CurrentPage     int `json:"currentPage"`
	TotalPages      int `json:"totalPages"`
}

type oparlLinks struct {
	First string `json:"first"`
	Prev  string `json:"prev,omitempty"`
	Self  string `json:"self"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last"`
}

// oparlFilters are the list parameters OParl defines, by the filter field
// each sets.
var oparlFilters = []struct {
	param string
	field func(*council.OParlFilter) **time.Time
}{
	{"created_since", func(f *council.OParlFilter) **time.Time { return &f.CreatedSince }},
	{"created_until", func(f *council.OParlFilter) **time.Time { return &f.CreatedUntil }},
	{"modified_since", func(f *council.OParlFilter) **time.Time { return &f.ModifiedSince }},
	{"modified_until", func(f *council.OParlFilter) **time.Time { return &f.ModifiedUntil }},
}

// parseOParlTime reads a filter's date-time (RFC 3339, e.g.
// 2026-11-19T10:00:00+01:00) or day (2026-11-19, from midnight in Poland).
// A "+" left unencoded in the URL arrives as a space and is read as "+".
func parseOParlTime(v string) (time.Time, error) {
	v = strings.ReplaceAll(strings.TrimSpace(v), " ", "+")
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", v, warsaw)
}

// oparlList serves an external list: of one body's objects (perBody, the
// body's id in the path) or of the bodies. The page, its size and the
// filters are read from the query; each link repeats the filters and size.
func oparlList[T any](s *Server, perBody bool, list func(context.Context, council.OParlFilter) ([]*T, int, error), render func(*T) any) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var f council.OParlFilter
		if perBody {
			id, err := httpx.PathID(r, "id")
			if err != nil {
				return err
			}
			if _, err := s.council.OParlBody(r.Context(), id); err != nil {
				return err
			}
			f.BodyID = id
		}
		q := r.URL.Query()
		keep := url.Values{}
		for _, p := range oparlFilters {
			if v := q.Get(p.param); v != "" {
				t, err := parseOParlTime(v)
				if err != nil {
					return ratusz.Invalid(p.param, "err.date")
				}
				*p.field(&f) = &t
				keep.Set(p.param, v)
			}
		}
		limit := oparlDefaultLimit
		for _, name := range []string{"elementsPerPage", "limit"} {
			if v := q.Get(name); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return ratusz.Invalid(name, "err.range", 1, oparlMaxLimit)
				}
				limit = min(n, oparlMaxLimit) // OParl lets the server choose: large pages are cut
				keep.Set(name, strconv.Itoa(limit))
			}
		}
		page := 1
		if v := q.Get("page"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > oparlMaxPage {
				return ratusz.Invalid("page", "err.page_number")
			}
			page = n
		}
		f.Offset, f.Limit = (page-1)*limit, limit
		items, total, err := list(r.Context(), f)
		if err != nil {
			return err
		}
		out := oparlPage{Data: make([]any, len(items))}
		for i, it := range items {
			out.Data[i] = render(it)
		}
		pages := max(1, (total+limit-1)/limit)
		out.Pagination = oparlPagination{TotalElements: total, ElementsPerPage: limit, CurrentPage: page, TotalPages: pages}
		link := func(n int) string {
			keep.Set("page", strconv.Itoa(n))
			return s.base + r.URL.Path + "?" + keep.Encode()
		}
		out.Links = oparlLinks{First: link(1), Self: link(page), Last: link(pages)}
		if page > 1 {
			out.Links.Prev = link(min(page-1, pages))
		}
		if page < pages {
			out.Links.Next = link(page + 1)
		}
		writeOParl(w, out)
		return nil
	}
}

// URLs.

func (s *Server) oparlURL(kind string, id int64) string {
	return s.base + "/oparl/v1/" + kind + "/" + strconv.FormatInt(id, 10)
}

func (s *Server) oparlURLs(kind string, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.oparlURL(kind, id)
	}
	return out
}

// oparlOrgURL is the organization of a council or committee.
func (s *Server) oparlOrgURL(bodyID int64) string { return s.oparlURL("organization", bodyID) }

func (s *Server) oparlClubURL(clubID int64) string { return s.oparlURL("club", clubID) }

func (s *Server) oparlWeb(path string, id int64) string {
	return s.base + path + strconv.FormatInt(id, 10)
}

func oparlType(name string) string { return oparlSchema + name }

// oparlTime writes a moment in Polish time, as OParl's date-time.
func oparlTime(t time.Time) string { return t.In(warsaw).Format(time.RFC3339) }

// oparlDate writes a day (a PostgreSQL date, read at midnight UTC).
func oparlDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// oparlTail closes every object: when it was created and modified, its
// page on the site, and that it is not deleted (Ratusz deletes nothing).
type oparlTail struct {
	Created  string `json:"created,omitempty"`
	Modified string `json:"modified,omitempty"`
	Web      string `json:"web,omitempty"`
	Deleted  bool   `json:"deleted"`
}

func oparlStamp(m council.OParlMeta, web string) oparlTail {
	return oparlTail{Created: oparlTime(m.Created), Modified: oparlTime(m.Modified), Web: web}
}
