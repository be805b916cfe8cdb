package oparl

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/web/httpx"
)

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
	base := s.base
	writeOParl(w, oparlSystemJSON{
		ID: base + "/oparl/v1/system", Type: oparlType("System"), OParlVersion: oparlSchema,
		Body: base + "/oparl/v1/bodies", Name: s.municipality + " — e-Rada",
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
		ID: id, Type: oparlType("Body"), System: s.base + "/oparl/v1/system", Name: b.Name,
		Website: s.base + "/rada", Organization: id + "/organization", Person: id + "/person",
		Meeting: id + "/meeting", Paper: id + "/paper", LegislativeTerm: []oparlTermJSON{}, AgendaItem: id + "/agendaItem",
		File: id + "/file", LocationList: id + "/location", LegislativeTermList: id + "/legislativeTerm",
		Membership: id + "/membership", StatutorySize: b.StatutorySize, VoteEvent: id + "/voteEvent",
		oparlTail: oparlStamp(b.OParlMeta, s.base+"/rada"),
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
		out.Web = s.base + "/rada"
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
	Gender     string                `json:"gender,omitempty"` // "female" or "male", where known
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
	switch p.Gender {
	case council.Female:
		out.Gender = "female"
	case council.Male:
		out.Gender = "male"
	}
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
	End          string                `json:"end,omitempty"`
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
	if m.End != nil {
		out.End = oparlTime(*m.End)
	}
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
	Start           string          `json:"start,omitempty"`
	End             string          `json:"end,omitempty"`
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
	if it.Start != nil {
		out.Start = oparlTime(*it.Start)
	}
	if it.End != nil {
		out.End = oparlTime(*it.End)
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
	item, err := httpx.PathID(r, "item")
	if err != nil {
		return err
	}
	paper, err := httpx.PathID(r, "paper")
	if err != nil {
		return err
	}
	c, err := s.council.OParlConsultation(r.Context(), item, paper)
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
		AccessURL: s.base + httpx.AgendaFilePath(f.ID, f.Name),
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
