package council

// OParl objects of the sittings: meetings, agenda items, papers and their
// consultations, files, locations and the named votes (vote events).

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
)

// OParlMeeting is a session with its agenda and who was present.
type OParlMeeting struct {
	OParlMeta
	OrgBodyID    int64     `db:"org_body_id"`
	Number       int       `db:"number"`
	Kind         string    `db:"kind"`
	Title        string    `db:"title"`
	StartsAt     time.Time `db:"starts_at"`
	Place        string    `db:"place"`
	State        string    `db:"state"`
	BroadcastURL string    `db:"broadcast_url"`
	RecordingURL string    `db:"recording_url"`
	ProtocolURL  string    `db:"protocol_url"`
	// LocationModified is when the place was last set: the session's own
	// modification time.
	LocationModified time.Time          `db:"location_modified"`
	End              *time.Time         `db:"ended"` // when the sitting was closed
	Items            []*OParlAgendaItem `db:"-"`
	Present          []int64            `db:"-"`
}

// Roman is the meeting's number as councils write it.
func (m *OParlMeeting) Roman() string { return Roman(m.Number) }

// itemModified is when an agenda item a or what it shows (its files, its
// closed votes) last changed.
const itemModified = `greatest(a.modified_at,
	(SELECT max(f.modified_at) FROM agenda_files f WHERE f.agenda_item_id = a.id),
	(SELECT max(v.modified_at) FROM votes v WHERE v.agenda_item_id = a.id AND v.state = 'closed'))`

const oparlMeetings = `SELECT s.id, ` + bodyOf + ` AS body_id, s.created_at AS created,
	greatest(s.modified_at,
		(SELECT max(` + itemModified + `) FROM agenda_items a WHERE a.session_id = s.id),
		(SELECT max(at.at) FROM attendance at WHERE at.session_id = s.id)) AS modified,
	s.body_id AS org_body_id, s.number, s.kind, s.title, s.starts_at, s.place, s.state,
	s.broadcast_url, s.recording_url, s.protocol_url, s.modified_at AS location_modified,
	(SELECT max(t.at) FROM session_timeline t WHERE t.session_id = s.id AND t.kind = 'closed') AS ended
	FROM council_sessions s JOIN council_bodies b ON b.id = s.body_id`

// OParlMeetings returns a page of a council's sessions, by id, with their
// agendas.
func (s *Service) OParlMeetings(ctx context.Context, f OParlFilter) ([]*OParlMeeting, int, error) {
	list, total, err := oparlList[OParlMeeting](ctx, s.pool, oparlMeetings, "id", f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.withAgendas(ctx, list)
}

// OParlMeeting returns a session with its agenda.
func (s *Service) OParlMeeting(ctx context.Context, id int64) (*OParlMeeting, error) {
	m, err := oparlOne[OParlMeeting](ctx, s.pool, oparlMeetings, id, "err.council.session_not_found")
	if err != nil {
		return nil, err
	}
	return m, s.withAgendas(ctx, []*OParlMeeting{m})
}

func (s *Service) withAgendas(ctx context.Context, meetings []*OParlMeeting) error {
	byID := map[int64]*OParlMeeting{}
	for _, m := range meetings {
		byID[m.ID] = m
		m.Items, m.Present = []*OParlAgendaItem{}, []int64{}
	}
	sessions := ids(meetings, func(m *OParlMeeting) int64 { return m.ID })
	rows, _ := s.pool.Query(ctx, "SELECT * FROM ("+oparlItems+") x WHERE session_id = ANY($1) ORDER BY position, id", sessions)
	items, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[OParlAgendaItem])
	if err != nil {
		return err
	}
	if err := s.withItemParts(ctx, items); err != nil {
		return err
	}
	for _, it := range items {
		byID[it.SessionID].Items = append(byID[it.SessionID].Items, it)
	}
	rows, _ = s.pool.Query(ctx, `SELECT a.session_id, a.councillor_id FROM attendance a JOIN councillors c ON c.id = a.councillor_id
		WHERE a.session_id = ANY($1) AND a.present ORDER BY c.sort_name, c.id`, sessions)
	_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var session, councillor int64
		if err := r.Scan(&session, &councillor); err != nil {
			return struct{}{}, err
		}
		byID[session].Present = append(byID[session].Present, councillor)
		return struct{}{}, nil
	})
	return err
}

// OParlAgendaItem is an agenda item with its files, papers and closed
// votes.
type OParlAgendaItem struct {
	OParlMeta
	SessionID       int64  `db:"session_id"`
	Position        int    `db:"position"`
	Label           string `db:"label"`
	Title           string `db:"title"`
	RemovedByVoteID *int64 `db:"removed_by_vote_id"`
	// When the sitting took the item up and left it (the timeline), if it did.
	Start *time.Time `db:"started"`
	End   *time.Time `db:"ended"`
	// Files, papers (their ids, by reference) and closed votes (by id).
	Files  []*OParlFile `db:"-"`
	Papers []int64      `db:"-"`
	Votes  []int64      `db:"-"`
}

const oparlItems = `SELECT a.id, ` + bodyOf + ` AS body_id, a.created_at AS created, ` + itemModified + ` AS modified,
	a.session_id, a.position, a.label, a.title,
	(SELECT r.id FROM votes r WHERE r.id = a.removed_by_vote_id AND r.state = 'closed') AS removed_by_vote_id,
	(SELECT min(t.at) FROM session_timeline t WHERE t.agenda_item_id = a.id AND t.kind = 'item') AS started,
	(SELECT min(l.at) FROM session_timeline l WHERE l.session_id = a.session_id AND (l.kind = 'closed' OR (l.kind = 'item' AND l.agenda_item_id <> a.id))
		AND l.at > (SELECT max(t.at) FROM session_timeline t WHERE t.agenda_item_id = a.id AND t.kind = 'item')) AS ended
	FROM agenda_items a JOIN council_sessions s ON s.id = a.session_id JOIN council_bodies b ON b.id = s.body_id`

// OParlAgendaItems returns a page of a council's agenda items, by id.
func (s *Service) OParlAgendaItems(ctx context.Context, f OParlFilter) ([]*OParlAgendaItem, int, error) {
	list, total, err := oparlList[OParlAgendaItem](ctx, s.pool, oparlItems, "id", f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.withItemParts(ctx, list)
}

// OParlAgendaItem returns an agenda item.
func (s *Service) OParlAgendaItem(ctx context.Context, id int64) (*OParlAgendaItem, error) {
	it, err := oparlOne[OParlAgendaItem](ctx, s.pool, oparlItems, id, "err.council.item_not_found")
	if err != nil {
		return nil, err
	}
	return it, s.withItemParts(ctx, []*OParlAgendaItem{it})
}

// withItemParts reads the files, papers and closed votes of agenda items:
// three queries for any number of items.
func (s *Service) withItemParts(ctx context.Context, items []*OParlAgendaItem) error {
	byID := map[int64]*OParlAgendaItem{}
	for _, it := range items {
		byID[it.ID] = it
		it.Files, it.Papers, it.Votes = []*OParlFile{}, []int64{}, []int64{}
	}
	itemIDs := ids(items, func(it *OParlAgendaItem) int64 { return it.ID })
	rows, _ := s.pool.Query(ctx, "SELECT * FROM ("+oparlFiles+") x WHERE agenda_item_id = ANY($1) ORDER BY id", itemIDs)
	files, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[OParlFile])
	if err != nil {
		return err
	}
	for _, f := range files {
		byID[f.AgendaItemID].Files = append(byID[f.AgendaItemID].Files, f)
	}
	pair := func(sql string, add func(it *OParlAgendaItem, id int64)) error {
		rows, _ := s.pool.Query(ctx, sql, itemIDs)
		_, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
			var item, id int64
			if err := r.Scan(&item, &id); err != nil {
				return struct{}{}, err
			}
			add(byID[item], id)
			return struct{}{}, nil
		})
		return err
	}
	if err := pair(`SELECT ap.agenda_item_id, ap.paper_id FROM agenda_item_papers ap JOIN council_papers p ON p.id = ap.paper_id
		WHERE ap.agenda_item_id = ANY($1) ORDER BY p.reference, p.id`, func(it *OParlAgendaItem, id int64) { it.Papers = append(it.Papers, id) }); err != nil {
		return err
	}
	return pair(`SELECT agenda_item_id, id FROM votes WHERE agenda_item_id = ANY($1) AND state = 'closed' ORDER BY id`,
		func(it *OParlAgendaItem, id int64) { it.Votes = append(it.Votes, id) })
}

// OParlPaper is a paper (druk) with the agenda items that considered it.
type OParlPaper struct {
	OParlMeta
	Reference     string               `db:"reference"`
	Consultations []*OParlConsultation `db:"-"`
}

// OParlConsultation is a paper considered under an agenda item.
type OParlConsultation struct {
	BodyID       int64 `db:"body_id"`
	PaperID      int64 `db:"paper_id"`
	AgendaItemID int64 `db:"agenda_item_id"`
	SessionID    int64 `db:"session_id"`
	OrgBodyID    int64 `db:"org_body_id"`
}

const oparlPapers = `SELECT p.id, ` + bodyOf + ` AS body_id, p.created_at AS created, p.modified_at AS modified, p.reference
	FROM council_papers p JOIN council_bodies b ON b.id = p.body_id`

const oparlConsultations = `SELECT ` + bodyOf + ` AS body_id, ap.paper_id, ap.agenda_item_id, a.session_id, s.body_id AS org_body_id
	FROM agenda_item_papers ap JOIN agenda_items a ON a.id = ap.agenda_item_id
	JOIN council_sessions s ON s.id = a.session_id JOIN council_bodies b ON b.id = s.body_id`

// OParlPapers returns a page of a council's papers, by id.
func (s *Service) OParlPapers(ctx context.Context, f OParlFilter) ([]*OParlPaper, int, error) {
	list, total, err := oparlList[OParlPaper](ctx, s.pool, oparlPapers, "id", f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.withConsultations(ctx, list)
}

// OParlPaper returns a paper.
func (s *Service) OParlPaper(ctx context.Context, id int64) (*OParlPaper, error) {
	p, err := oparlOne[OParlPaper](ctx, s.pool, oparlPapers, id, "err.page_not_found")
	if err != nil {
		return nil, err
	}
	return p, s.withConsultations(ctx, []*OParlPaper{p})
}

func (s *Service) withConsultations(ctx context.Context, papers []*OParlPaper) error {
	byID := map[int64]*OParlPaper{}
	for _, p := range papers {
		byID[p.ID] = p
		p.Consultations = []*OParlConsultation{}
	}
	rows, _ := s.pool.Query(ctx, "SELECT * FROM ("+oparlConsultations+") x WHERE paper_id = ANY($1) ORDER BY agenda_item_id",
		ids(papers, func(p *OParlPaper) int64 { return p.ID }))
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[OParlConsultation])
	for _, c := range list {
		byID[c.PaperID].Consultations = append(byID[c.PaperID].Consultations, c)
	}
	return err
}

// OParlConsultation returns the consultation of a paper under an agenda
// item.
func (s *Service) OParlConsultation(ctx context.Context, agendaItemID, paperID int64) (*OParlConsultation, error) {
	rows, _ := s.pool.Query(ctx, "SELECT * FROM ("+oparlConsultations+") x WHERE agenda_item_id = $1 AND paper_id = $2", agendaItemID, paperID)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[OParlConsultation])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.page_not_found")
	}
	return c, err
}

// OParlFile is an agenda item's attachment, without its contents.
type OParlFile struct {
	OParlMeta
	AgendaItemID int64  `db:"agenda_item_id"`
	SessionID    int64  `db:"session_id"`
	Name         string `db:"name"`
	ContentType  string `db:"content_type"`
	Size         int64  `db:"size"`
	SHA256       []byte `db:"sha256"`
}

const oparlFiles = `SELECT f.id, ` + bodyOf + ` AS body_id, f.created_at AS created, f.modified_at AS modified,
	f.agenda_item_id, a.session_id, f.name, f.content_type, f.size, f.sha256
	FROM agenda_files f JOIN agenda_items a ON a.id = f.agenda_item_id
	JOIN council_sessions s ON s.id = a.session_id JOIN council_bodies b ON b.id = s.body_id`

// OParlFiles returns a page of a council's files, by id.
func (s *Service) OParlFiles(ctx context.Context, f OParlFilter) ([]*OParlFile, int, error) {
	return oparlList[OParlFile](ctx, s.pool, oparlFiles, "id", f)
}

// OParlFile returns a file's record.
func (s *Service) OParlFile(ctx context.Context, id int64) (*OParlFile, error) {
	return oparlOne[OParlFile](ctx, s.pool, oparlFiles, id, "err.page_not_found")
}

// OParlLocation is where a session sits: one per session with a place, its
// id the session's.
type OParlLocation struct {
	OParlMeta
	Place string `db:"place"`
}

const oparlLocations = `SELECT s.id, ` + bodyOf + ` AS body_id, s.created_at AS created, s.modified_at AS modified, s.place
	FROM council_sessions s JOIN council_bodies b ON b.id = s.body_id WHERE s.place <> ''`

// OParlLocations returns a page of a council's locations, by id.
func (s *Service) OParlLocations(ctx context.Context, f OParlFilter) ([]*OParlLocation, int, error) {
	return oparlList[OParlLocation](ctx, s.pool, oparlLocations, "id", f)
}

// OParlLocation returns the location of a session.
func (s *Service) OParlLocation(ctx context.Context, id int64) (*OParlLocation, error) {
	return oparlOne[OParlLocation](ctx, s.pool, oparlLocations, id, "err.page_not_found")
}

// OParlVoteEvent is a closed vote with its counts and, unless it was
// secret, its named list.
type OParlVoteEvent struct {
	OParlMeta
	OrgBodyID     int64      `db:"org_body_id"`
	SessionID     int64      `db:"session_id"`
	AgendaItemID  int64      `db:"agenda_item_id"`
	Subject       string     `db:"subject"`
	Majority      string     `db:"majority"`
	Mode          string     `db:"mode"`
	RepeatsID     *int64     `db:"repeats_id"`
	SupersededBy  *int64     `db:"superseded_by"` // the closed re-vote whose result replaced this one's
	OpenedAt      *time.Time `db:"opened_at"`
	ClosedAt      time.Time  `db:"closed_at"`
	Outcome       string     `db:"outcome"`
	StatutorySize int        `db:"statutory_size"`
	For           int        `db:"count_for"`
	Against       int        `db:"count_against"`
	Abstain       int        `db:"count_abstain"`
	NotVoting     int        `db:"count_not_voting"`
	Absent        int        `db:"count_absent"`
	// The resolution it adopted, if any.
	ResolutionNumber *string         `db:"resolution_number"`
	ResolutionTitle  *string         `db:"resolution_title"`
	ResolutionVoided bool            `db:"resolution_voided"` // not adopted after all: a re-vote rejected it
	Votes            []OParlVoteCast `db:"-"`
}

// Counts are the vote's totals.
func (v *OParlVoteEvent) Counts() Counts {
	return Counts{For: v.For, Against: v.Against, Abstain: v.Abstain, NotVoting: v.NotVoting, Absent: v.Absent}
}

// OParlVoteCast is one councillor's entry in a named list, with their club
// on the day of the vote.
type OParlVoteCast struct {
	CouncillorID int64
	Name         string
	Choice       string // for, against, abstain, not_voting, absent
	ClubID       *int64
}

const oparlVoteEvents = `SELECT v.id, ` + bodyOf + ` AS body_id, v.created_at AS created, v.modified_at AS modified,
	s.body_id AS org_body_id, v.session_id, v.agenda_item_id, v.subject, v.majority, v.mode,
	(SELECT r.id FROM votes r WHERE r.id = v.repeats_id AND r.state = 'closed') AS repeats_id,
	` + supersededBy + ` AS superseded_by,
	v.opened_at, coalesce(v.closed_at, v.modified_at) AS closed_at, coalesce(v.outcome, '') AS outcome,
	coalesce(v.statutory_size, b.statutory_size) AS statutory_size,
	coalesce(v.count_for, 0) AS count_for, coalesce(v.count_against, 0) AS count_against, coalesce(v.count_abstain, 0) AS count_abstain,
	coalesce(v.count_not_voting, 0) AS count_not_voting, coalesce(v.count_absent, 0) AS count_absent,
	r.number AS resolution_number, r.title AS resolution_title, r.voided_by_vote_id IS NOT NULL AS resolution_voided
	FROM votes v JOIN council_sessions s ON s.id = v.session_id JOIN council_bodies b ON b.id = s.body_id
	LEFT JOIN resolutions r ON r.vote_id = v.id
	WHERE v.state = 'closed'`

// OParlVoteEvents returns a page of a council's closed votes, by id, with
// their named lists.
func (s *Service) OParlVoteEvents(ctx context.Context, f OParlFilter) ([]*OParlVoteEvent, int, error) {
	list, total, err := oparlList[OParlVoteEvent](ctx, s.pool, oparlVoteEvents, "id", f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.withNamedLists(ctx, list)
}

// OParlVoteEvent returns a closed vote with its named list; a vote not yet
// closed is not found.
func (s *Service) OParlVoteEvent(ctx context.Context, id int64) (*OParlVoteEvent, error) {
	v, err := oparlOne[OParlVoteEvent](ctx, s.pool, oparlVoteEvents, id, "err.council.vote_not_found")
	if err != nil {
		return nil, err
	}
	return v, s.withNamedLists(ctx, []*OParlVoteEvent{v})
}

// withNamedLists reads the named lists of closed votes in one query,
// by the rules of loadVote: a recorded list as recorded; otherwise every
// active councillor of the body, with their ballot, or "not_voting" if
// present, or "absent". Each entry carries the councillor's club on the
// day of the session, or their club now if no membership covers that day.
func (s *Service) withNamedLists(ctx context.Context, votes []*OParlVoteEvent) error {
	byID := map[int64]*OParlVoteEvent{}
	for _, v := range votes {
		byID[v.ID] = v
		v.Votes = []OParlVoteCast{}
	}
	rows, err := s.pool.Query(ctx, `WITH entries AS (
			SELECT b.vote_id, b.councillor_id, b.choice FROM ballots b JOIN votes v ON v.id = b.vote_id
			WHERE v.id = ANY($1) AND v.recorded_list AND v.mode <> 'secret'
			UNION ALL
			SELECT v.id, c.id, CASE WHEN b.choice IS NOT NULL THEN b.choice WHEN coalesce(a.present, false) THEN 'not_voting' ELSE 'absent' END
			FROM votes v JOIN council_sessions s ON s.id = v.session_id
			JOIN councillors c ON c.body_id = s.body_id AND c.active
			LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = c.id
			LEFT JOIN ballots b ON b.vote_id = v.id AND b.councillor_id = c.id
			WHERE v.id = ANY($1) AND NOT v.recorded_list AND v.mode <> 'secret'
		)
		SELECT e.vote_id, c.id, c.name, e.choice,
			coalesce((SELECT m.club_id FROM council_memberships m WHERE m.councillor_id = c.id AND m.club_id IS NOT NULL
					AND m.starts_on <= (s.starts_at AT TIME ZONE 'Europe/Warsaw')::date
					AND (m.ends_on IS NULL OR m.ends_on >= (s.starts_at AT TIME ZONE 'Europe/Warsaw')::date)
					ORDER BY m.starts_on DESC, m.id DESC LIMIT 1),
				(SELECT k.id FROM council_clubs k WHERE k.body_id = c.body_id AND k.name = c.club))
		FROM entries e JOIN councillors c ON c.id = e.councillor_id
		JOIN votes v ON v.id = e.vote_id JOIN council_sessions s ON s.id = v.session_id
		ORDER BY e.vote_id, c.sort_name, c.id`, ids(votes, func(v *OParlVoteEvent) int64 { return v.ID }))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var vote int64
		var e OParlVoteCast
		if err := rows.Scan(&vote, &e.CouncillorID, &e.Name, &e.Choice, &e.ClubID); err != nil {
			return err
		}
		byID[vote].Votes = append(byID[vote].Votes, e)
	}
	return rows.Err()
}
