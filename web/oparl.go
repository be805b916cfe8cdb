package web

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/i18n"
)

// OParl 1.1 (https://schema.oparl.org/1.1/): the council's open data for
// anyone's software, read only, with named votes in a vote-event extension
// modelled on Popolo. docs/OPARL.md documents the endpoints, the ids, the
// mapping and the extension.

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

// oparlRoutes serves the council's open data in OParl 1.1.
func (s *Server) oparlRoutes(r chi.Router) {
	r.Use(oparlHeaders)
	r.Get("/", http.RedirectHandler("/oparl/v1/system", http.StatusFound).ServeHTTP)
	r.Get("/system", s.api(s.oparlSystem))
	r.Get("/bodies", s.api(oparlList(s, false, s.Council.OParlBodies, s.oparlBodyJSON)))
	r.Get("/body/{id}", s.api(oparlObject(s.Council.OParlBody, s.oparlBodyJSON)))
	r.Get("/body/{id}/organization", s.api(oparlList(s, true, s.Council.OParlOrganizations, s.oparlOrganizationJSON)))
	r.Get("/body/{id}/person", s.api(oparlList(s, true, s.Council.OParlPeople, s.oparlPersonJSON)))
	r.Get("/body/{id}/membership", s.api(oparlList(s, true, s.Council.OParlMemberships, s.oparlMembershipStandalone)))
	r.Get("/body/{id}/meeting", s.api(oparlList(s, true, s.Council.OParlMeetings, s.oparlMeetingJSON)))
	r.Get("/body/{id}/agendaItem", s.api(oparlList(s, true, s.Council.OParlAgendaItems, s.oparlAgendaItemStandalone)))
	r.Get("/body/{id}/paper", s.api(oparlList(s, true, s.Council.OParlPapers, s.oparlPaperJSON)))
	r.Get("/body/{id}/file", s.api(oparlList(s, true, s.Council.OParlFiles, s.oparlFileStandalone)))
	r.Get("/body/{id}/legislativeTerm", s.api(oparlList(s, true, s.Council.OParlTerms, s.oparlTermStandalone)))
	r.Get("/body/{id}/location", s.api(oparlList(s, true, s.Council.OParlLocations, s.oparlLocationStandalone)))
	r.Get("/body/{id}/voteEvent", s.api(oparlList(s, true, s.Council.OParlVoteEvents, s.oparlVoteEventJSON)))
	r.Get("/organization/{id}", s.api(oparlObject(s.Council.OParlBodyOrganization, s.oparlOrganizationJSON)))
	r.Get("/club/{id}", s.api(oparlObject(s.Council.OParlClub, s.oparlOrganizationJSON)))
	r.Get("/person/{id}", s.api(oparlObject(s.Council.OParlPerson, s.oparlPersonJSON)))
	r.Get("/membership/{id}", s.api(oparlObject(s.Council.OParlMembership, s.oparlMembershipStandalone)))
	r.Get("/meeting/{id}", s.api(oparlObject(s.Council.OParlMeeting, s.oparlMeetingJSON)))
	r.Get("/agendaItem/{id}", s.api(oparlObject(s.Council.OParlAgendaItem, s.oparlAgendaItemStandalone)))
	r.Get("/paper/{id}", s.api(oparlObject(s.Council.OParlPaper, s.oparlPaperJSON)))
	r.Get("/consultation/{item}/{paper}", s.api(s.oparlConsultation))
	r.Get("/file/{id}", s.api(oparlObject(s.Council.OParlFile, s.oparlFileStandalone)))
	r.Get("/legislativeTerm/{id}", s.api(oparlObject(s.Council.OParlTerm, s.oparlTermStandalone)))
	r.Get("/location/{id}", s.api(oparlObject(s.Council.OParlLocation, s.oparlLocationStandalone)))
	r.Get("/voteEvent/{id}", s.api(oparlObject(s.Council.OParlVoteEvent, s.oparlVoteEventJSON)))
	r.NotFound(s.api(s.apiNotFound))
	r.MethodNotAllowed(s.api(s.apiMethodNotAllowed))
}

// oparlHeaders lets any site's scripts read the data (OParl requires it of
// every JSON answer, errors included).
func oparlHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		next.ServeHTTP(w, r)
	})
}

// oparlID reads an id from the path; anything else is not found.
func oparlID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
	}
	return id, nil
}

// oparlObject serves one object by its id.
func oparlObject[T any](get func(context.Context, int64) (*T, error), render func(*T) any) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := oparlID(r, "id")
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
func oparlList[T any](s *Server, perBody bool, list func(context.Context, council.OParlFilter) ([]*T, int, error), render func(*T) any) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var f council.OParlFilter
		if perBody {
			id, err := oparlID(r, "id")
			if err != nil {
				return err
			}
			if _, err := s.Council.OParlBody(r.Context(), id); err != nil {
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
			return s.Config.BaseURL.String() + r.URL.Path + "?" + keep.Encode()
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
	return s.Config.BaseURL.String() + "/oparl/v1/" + kind + "/" + strconv.FormatInt(id, 10)
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
	return s.Config.BaseURL.String() + path + strconv.FormatInt(id, 10)
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

// System.

type oparlSystemJSON struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	OParlVersion string `json:"oparlVersion"`
	Body         string `json:"body"`
	Name         string `json:"name"`
	Website      string `json:"website"`
	Vendor       string `json:"vendor"`
	Product      string `json:"product"`
	Web          string `json:"web"`
	Deleted      bool   `json:"deleted"`
}

func (s *Server) oparlSystem(w http.ResponseWriter, r *http.Request) error {
	base := s.Config.BaseURL.String()
	writeOParl(w, oparlSystemJSON{
		ID: base + "/oparl/v1/system", Type: oparlType("System"), OParlVersion: oparlSchema,
		Body: base + "/oparl/v1/bodies", Name: s.Config.Municipality + " — e-Rada",
		Website: base + "/rada", Vendor: oparlProduct, Product: oparlProduct, Web: base + "/rada",
	})
	return nil
}

// Body.

type oparlBodyJSON struct {
	ID                  string          `json:"id"`
	Type                string          `json:"type"`
	System              string          `json:"system"`
	Name                string          `json:"name"`
	Website             string          `json:"website"`
	Organization        string          `json:"organization"`
	Person              string          `json:"person"`
	Meeting             string          `json:"meeting"`
	Paper               string          `json:"paper"`
	LegislativeTerm     []oparlTermJSON `json:"legislativeTerm"`
	AgendaItem          string          `json:"agendaItem"`
	File                string          `json:"file"`
	LocationList        string          `json:"locationList"`
	LegislativeTermList string          `json:"legislativeTermList"`
	Membership          string          `json:"membership"`
	StatutorySize       int             `json:"ratusz:statutorySize"`
	VoteEvent           string          `json:"ratusz:voteEvent"`
	oparlTail
}

func (s *Server) oparlBodyJSON(b *council.OParlBody) any {
	id := s.oparlURL("body", b.ID)
	out := oparlBodyJSON{
		ID: id, Type: oparlType("Body"), System: s.Config.BaseURL.String() + "/oparl/v1/system", Name: b.Name,
		Website: s.Config.BaseURL.String() + "/rada", Organization: id + "/organization", Person: id + "/person",
		Meeting: id + "/meeting", Paper: id + "/paper", LegislativeTerm: []oparlTermJSON{}, AgendaItem: id + "/agendaItem",
		File: id + "/file", LocationList: id + "/location", LegislativeTermList: id + "/legislativeTerm",
		Membership: id + "/membership", StatutorySize: b.StatutorySize, VoteEvent: id + "/voteEvent",
		oparlTail: oparlStamp(b.OParlMeta, s.Config.BaseURL.String()+"/rada"),
	}
	for _, t := range b.Terms {
		out.LegislativeTerm = append(out.LegislativeTerm, s.oparlTerm(t, false))
	}
	return out
}

// LegislativeTerm.

type oparlTermJSON struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Body      string `json:"body,omitempty"`
	Name      string `json:"name"`
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate,omitempty"`
	oparlTail
}

// oparlTerm renders a term, inside its body or standalone (with a link to
// the body).
func (s *Server) oparlTerm(t *council.OParlTerm, standalone bool) oparlTermJSON {
	out := oparlTermJSON{ID: s.oparlURL("legislativeTerm", t.ID), Type: oparlType("LegislativeTerm"), Name: t.Name,
		StartDate: oparlDate(&t.StartsOn), EndDate: oparlDate(t.EndsOn), oparlTail: oparlStamp(t.OParlMeta, "")}
	if standalone {
		out.Body = s.oparlURL("body", t.BodyID)
	}
	return out
}

func (s *Server) oparlTermStandalone(t *council.OParlTerm) any { return s.oparlTerm(t, true) }

// Organization.

type oparlOrganizationJSON struct {
	ID                string   `json:"id"`
	Type              string   `json:"type"`
	Body              string   `json:"body"`
	Name              string   `json:"name"`
	OrganizationType  string   `json:"organizationType"`
	Classification    string   `json:"classification"`
	SubOrganizationOf string   `json:"subOrganizationOf,omitempty"`
	Membership        []string `json:"membership"`
	oparlTail
}

func (s *Server) oparlOrganizationJSON(o *council.OParlOrganization) any {
	out := oparlOrganizationJSON{Type: oparlType("Organization"), Body: s.oparlURL("body", o.BodyID), Name: o.Name,
		Membership: s.oparlURLs("membership", o.Memberships), oparlTail: oparlStamp(o.OParlMeta, "")}
	switch {
	case o.Kind == "club":
		out.ID, out.OrganizationType, out.Classification = s.oparlClubURL(o.ID), "Fraktion", "klub radnych"
	case o.BodyKind == "council":
		out.ID, out.OrganizationType, out.Classification = s.oparlOrgURL(o.ID), "Gremium", "rada"
		out.Web = s.Config.BaseURL.String() + "/rada"
	default:
		out.ID, out.OrganizationType, out.Classification = s.oparlOrgURL(o.ID), "Gremium", "komisja"
	}
	if o.ParentID != nil {
		out.SubOrganizationOf = s.oparlOrgURL(*o.ParentID)
	}
	return out
}

// Person and Membership.

type oparlPersonJSON struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Body       string                `json:"body"`
	Name       string                `json:"name"`
	FamilyName string                `json:"familyName,omitempty"`
	GivenName  string                `json:"givenName,omitempty"`
	Membership []oparlMembershipJSON `json:"membership"`
	oparlTail
}

// oparlNames takes the last word of a name for the surname, as Polish names
// are written: "Anna Maria Nowak-Kowalska" is Anna Maria, Nowak-Kowalska.
func oparlNames(name string) (given, family string) {
	words := strings.Fields(name)
	if len(words) == 0 {
		return "", ""
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

func (s *Server) oparlPersonJSON(p *council.OParlPerson) any {
	given, family := oparlNames(p.Name)
	out := oparlPersonJSON{ID: s.oparlURL("person", p.ID), Type: oparlType("Person"), Body: s.oparlURL("body", p.BodyID),
		Name: p.Name, FamilyName: family, GivenName: given, Membership: []oparlMembershipJSON{},
		oparlTail: oparlStamp(p.OParlMeta, s.oparlWeb("/rada/radni/", p.ID))}
	for _, m := range p.Memberships {
		out.Membership = append(out.Membership, s.oparlMembership(m, false))
	}
	return out
}

type oparlMembershipJSON struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Person       string `json:"person,omitempty"`
	Organization string `json:"organization"`
	Role         string `json:"role"`
	VotingRight  bool   `json:"votingRight"`
	StartDate    string `json:"startDate"`
	EndDate      string `json:"endDate,omitempty"`
	oparlTail
}

// membershipRoles are the functions of a body's members, in Polish.
var membershipRoles = map[string]string{"member": "radny", "chair": "przewodniczący", "vice_chair": "wiceprzewodniczący"}

// oparlMembership renders a membership, inside its person or standalone
// (with a link to the person).
func (s *Server) oparlMembership(m *council.OParlMembership, standalone bool) oparlMembershipJSON {
	out := oparlMembershipJSON{ID: s.oparlURL("membership", m.ID), Type: oparlType("Membership"),
		Organization: s.oparlOrgURL(m.OrgBodyID), Role: membershipRoles[m.Role], VotingRight: true,
		StartDate: oparlDate(&m.StartsOn), EndDate: oparlDate(m.EndsOn), oparlTail: oparlStamp(m.OParlMeta, "")}
	if m.ClubID != nil {
		out.Organization, out.Role = s.oparlClubURL(*m.ClubID), "członek klubu"
	}
	if standalone {
		out.Person = s.oparlURL("person", m.CouncillorID)
	}
	return out
}

func (s *Server) oparlMembershipStandalone(m *council.OParlMembership) any {
	return s.oparlMembership(m, true)
}

// Meeting and AgendaItem.

type oparlMeetingJSON struct {
	ID           string                `json:"id"`
	Type         string                `json:"type"`
	Name         string                `json:"name"`
	MeetingState string                `json:"meetingState"`
	Start        string                `json:"start"`
	Location     *oparlLocationJSON    `json:"location,omitempty"`
	Organization []string              `json:"organization"`
	Participant  []string              `json:"participant"`
	AgendaItem   []oparlAgendaItemJSON `json:"agendaItem"`
	Title        string                `json:"ratusz:title,omitempty"`
	Kind         string                `json:"ratusz:kind"`
	BroadcastURL string                `json:"ratusz:broadcastUrl,omitempty"`
	RecordingURL string                `json:"ratusz:recordingUrl,omitempty"`
	ProtocolURL  string                `json:"ratusz:protocolUrl,omitempty"`
	oparlTail
}

func (s *Server) oparlMeetingJSON(m *council.OParlMeeting) any {
	out := oparlMeetingJSON{ID: s.oparlURL("meeting", m.ID), Type: oparlType("Meeting"), Name: "Sesja " + m.Roman(),
		MeetingState: i18n.T(i18n.PL, "council.state."+m.State), Start: oparlTime(m.StartsAt),
		Organization: []string{s.oparlOrgURL(m.OrgBodyID)}, Participant: s.oparlURLs("person", m.Present),
		AgendaItem: []oparlAgendaItemJSON{}, Title: m.Title, Kind: m.Kind,
		BroadcastURL: m.BroadcastURL, RecordingURL: m.RecordingURL, ProtocolURL: m.ProtocolURL,
		oparlTail: oparlStamp(m.OParlMeta, s.oparlWeb("/rada/sesje/", m.ID))}
	if m.Place != "" {
		meta := m.OParlMeta
		meta.Modified = m.LocationModified
		l := s.oparlLocation(&council.OParlLocation{OParlMeta: meta, Place: m.Place}, false)
		out.Location = &l
	}
	for _, it := range m.Items {
		out.AgendaItem = append(out.AgendaItem, s.oparlAgendaItem(it, false))
	}
	return out
}

type oparlAgendaItemJSON struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	Meeting         string          `json:"meeting,omitempty"`
	Number          string          `json:"number"`
	Order           int             `json:"order"`
	Name            string          `json:"name"`
	Public          bool            `json:"public"`
	Consultation    string          `json:"consultation,omitempty"`
	AuxiliaryFile   []oparlFileJSON `json:"auxiliaryFile,omitempty"`
	VoteEvent       []string        `json:"ratusz:voteEvent"`
	RemovedByVote   string          `json:"ratusz:removedByVoteEvent,omitempty"`
	PaperReferences []string        `json:"ratusz:paper,omitempty"`
	oparlTail
}

// oparlAgendaItem renders an agenda item, inside its meeting or standalone
// (with a link to the meeting). OParl gives an item one consultation: it
// is the first paper's; ratusz:paper lists them all.
func (s *Server) oparlAgendaItem(it *council.OParlAgendaItem, standalone bool) oparlAgendaItemJSON {
	out := oparlAgendaItemJSON{ID: s.oparlURL("agendaItem", it.ID), Type: oparlType("AgendaItem"), Number: it.Label,
		Order: it.Position, Name: it.Title, Public: true, VoteEvent: s.oparlURLs("voteEvent", it.Votes),
		PaperReferences: s.oparlURLs("paper", it.Papers), oparlTail: oparlStamp(it.OParlMeta, s.oparlWeb("/rada/sesje/", it.SessionID))}
	if len(it.Papers) > 0 {
		out.Consultation = s.oparlConsultationURL(it.ID, it.Papers[0])
	}
	if it.RemovedByVoteID != nil {
		out.RemovedByVote = s.oparlURL("voteEvent", *it.RemovedByVoteID)
	}
	for _, f := range it.Files {
		out.AuxiliaryFile = append(out.AuxiliaryFile, s.oparlFile(f, false))
	}
	if standalone {
		out.Meeting = s.oparlURL("meeting", it.SessionID)
	}
	return out
}

func (s *Server) oparlAgendaItemStandalone(it *council.OParlAgendaItem) any {
	return s.oparlAgendaItem(it, true)
}

// Paper and Consultation.

type oparlPaperJSON struct {
	ID           string                  `json:"id"`
	Type         string                  `json:"type"`
	Body         string                  `json:"body"`
	Name         string                  `json:"name"`
	Reference    string                  `json:"reference"`
	Consultation []oparlConsultationJSON `json:"consultation"`
	oparlTail
}

func (s *Server) oparlPaperJSON(p *council.OParlPaper) any {
	out := oparlPaperJSON{ID: s.oparlURL("paper", p.ID), Type: oparlType("Paper"), Body: s.oparlURL("body", p.BodyID),
		Name: p.Reference, Reference: p.Reference, Consultation: []oparlConsultationJSON{}, oparlTail: oparlStamp(p.OParlMeta, "")}
	for _, c := range p.Consultations {
		out.Consultation = append(out.Consultation, s.oparlConsultationOf(c, false))
	}
	return out
}

type oparlConsultationJSON struct {
	ID           string   `json:"id"`
	Type         string   `json:"type"`
	Paper        string   `json:"paper,omitempty"`
	AgendaItem   string   `json:"agendaItem"`
	Meeting      string   `json:"meeting"`
	Organization []string `json:"organization"`
	Deleted      bool     `json:"deleted"`
}

func (s *Server) oparlConsultationURL(itemID, paperID int64) string {
	return s.oparlURL("consultation", itemID) + "/" + strconv.FormatInt(paperID, 10)
}

func (s *Server) oparlConsultationOf(c *council.OParlConsultation, standalone bool) oparlConsultationJSON {
	out := oparlConsultationJSON{ID: s.oparlConsultationURL(c.AgendaItemID, c.PaperID), Type: oparlType("Consultation"),
		AgendaItem: s.oparlURL("agendaItem", c.AgendaItemID), Meeting: s.oparlURL("meeting", c.SessionID),
		Organization: []string{s.oparlOrgURL(c.OrgBodyID)}}
	if standalone {
		out.Paper = s.oparlURL("paper", c.PaperID)
	}
	return out
}

func (s *Server) oparlConsultation(w http.ResponseWriter, r *http.Request) error {
	item, err := oparlID(r, "item")
	if err != nil {
		return err
	}
	paper, err := oparlID(r, "paper")
	if err != nil {
		return err
	}
	c, err := s.Council.OParlConsultation(r.Context(), item, paper)
	if err != nil {
		return err
	}
	writeOParl(w, s.oparlConsultationOf(c, true))
	return nil
}

// File.

type oparlFileJSON struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"`
	Name       string   `json:"name"`
	FileName   string   `json:"fileName"`
	MimeType   string   `json:"mimeType"`
	Size       int64    `json:"size"`
	AccessURL  string   `json:"accessUrl"`
	SHA256     string   `json:"ratusz:sha256Checksum"`
	AgendaItem []string `json:"agendaItem,omitempty"`
	Meeting    []string `json:"meeting,omitempty"`
	oparlTail
}

// oparlFile renders a file, inside its agenda item or standalone (with
// links to the item and its meeting). Its contents are served by the site
// at accessUrl.
func (s *Server) oparlFile(f *council.OParlFile, standalone bool) oparlFileJSON {
	out := oparlFileJSON{ID: s.oparlURL("file", f.ID), Type: oparlType("File"), Name: f.Name, FileName: f.Name,
		MimeType: f.ContentType, Size: f.Size,
		AccessURL: s.Config.BaseURL.String() + "/rada/pliki/" + strconv.FormatInt(f.ID, 10) + "/" + url.PathEscape(f.Name),
		SHA256:    hex.EncodeToString(f.SHA256), oparlTail: oparlStamp(f.OParlMeta, "")}
	if standalone {
		out.AgendaItem = []string{s.oparlURL("agendaItem", f.AgendaItemID)}
		out.Meeting = []string{s.oparlURL("meeting", f.SessionID)}
	}
	return out
}

func (s *Server) oparlFileStandalone(f *council.OParlFile) any { return s.oparlFile(f, true) }

// Location.

type oparlLocationJSON struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Meeting     []string `json:"meeting,omitempty"`
	oparlTail
}

// oparlLocation renders where a session sits, inside the meeting or
// standalone (with a link to the meeting); its id is the session's.
func (s *Server) oparlLocation(l *council.OParlLocation, standalone bool) oparlLocationJSON {
	out := oparlLocationJSON{ID: s.oparlURL("location", l.ID), Type: oparlType("Location"), Description: l.Place,
		oparlTail: oparlStamp(l.OParlMeta, "")}
	if standalone {
		out.Meeting = []string{s.oparlURL("meeting", l.ID)}
	}
	return out
}

func (s *Server) oparlLocationStandalone(l *council.OParlLocation) any {
	return s.oparlLocation(l, true)
}

// VoteEvent, the extension: a closed vote as Popolo's vote event.

type oparlVoteEventJSON struct {
	ID            string           `json:"id"`
	Type          string           `json:"type"`
	Body          string           `json:"body"`
	Organization  string           `json:"organization"`
	Meeting       string           `json:"meeting"`
	AgendaItem    string           `json:"agendaItem"`
	Name          string           `json:"name"`
	Motion        oparlMotion      `json:"motion"`
	StartDate     string           `json:"startDate,omitempty"`
	EndDate       string           `json:"endDate"`
	Result        string           `json:"result"`
	Majority      string           `json:"majority"`
	StatutorySize int              `json:"statutorySize"`
	Mode          string           `json:"mode"`
	Repeats       string           `json:"repeats,omitempty"`
	SupersededBy  string           `json:"supersededBy,omitempty"`
	Resolution    *oparlResolution `json:"resolution,omitempty"`
	Counts        []oparlCount     `json:"counts"`
	Votes         []oparlVote      `json:"votes,omitempty"`
	oparlTail
}

type oparlMotion struct {
	Text string `json:"text"`
}

type oparlResolution struct {
	Number     string `json:"number"`
	Title      string `json:"title"`
	NotAdopted bool   `json:"notAdopted,omitempty"` // a re-vote rejected it: not adopted after all
}

type oparlCount struct {
	Option string `json:"option"`
	Value  int    `json:"value"`
}

type oparlVote struct {
	Voter     string `json:"voter"`
	VoterName string `json:"voterName"`
	Option    string `json:"option"`
	Group     string `json:"group,omitempty"`
}

// popoloOptions are Popolo's vote options for Ratusz's choices.
var popoloOptions = map[string]string{"for": "yes", "against": "no", "abstain": "abstain", "not_voting": "not voting", "absent": "absent"}

// popoloResults are Popolo's results for Ratusz's outcomes.
var popoloResults = map[string]string{"adopted": "pass", "rejected": "fail"}

func (s *Server) oparlVoteEventJSON(v *council.OParlVoteEvent) any {
	c := v.Counts()
	out := oparlVoteEventJSON{ID: s.oparlURL("voteEvent", v.ID), Type: oparlExtension + "voteevent",
		Body: s.oparlURL("body", v.BodyID), Organization: s.oparlOrgURL(v.OrgBodyID), Meeting: s.oparlURL("meeting", v.SessionID),
		AgendaItem: s.oparlURL("agendaItem", v.AgendaItemID), Name: v.Subject, Motion: oparlMotion{Text: v.Subject},
		EndDate: oparlTime(v.ClosedAt), Result: popoloResults[v.Outcome], Majority: v.Majority,
		StatutorySize: v.StatutorySize, Mode: v.Mode,
		Counts:    []oparlCount{{"yes", c.For}, {"no", c.Against}, {"abstain", c.Abstain}, {"not voting", c.NotVoting}, {"absent", c.Absent}},
		oparlTail: oparlStamp(v.OParlMeta, s.oparlWeb("/rada/glosowania/", v.ID))}
	if v.OpenedAt != nil {
		out.StartDate = oparlTime(*v.OpenedAt)
	}
	if v.RepeatsID != nil {
		out.Repeats = s.oparlURL("voteEvent", *v.RepeatsID)
	}
	if v.SupersededBy != nil {
		out.SupersededBy = s.oparlURL("voteEvent", *v.SupersededBy)
	}
	if v.ResolutionNumber != nil && v.ResolutionTitle != nil {
		out.Resolution = &oparlResolution{Number: *v.ResolutionNumber, Title: *v.ResolutionTitle, NotAdopted: v.ResolutionVoided}
	}
	for _, b := range v.Votes {
		vote := oparlVote{Voter: s.oparlURL("person", b.CouncillorID), VoterName: b.Name, Option: popoloOptions[b.Choice]}
		if b.ClubID != nil {
			vote.Group = s.oparlClubURL(*b.ClubID)
		}
		out.Votes = append(out.Votes, vote)
	}
	return out
}
