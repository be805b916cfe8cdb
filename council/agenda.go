package council

// The agenda: items with their labels, files attached to them, and changes
// to the agenda proposed during a sitting, which take effect only when the
// council adopts them by vote (art. 20 ust. 1a of the act on gmina
// self-government).

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// AgendaInput is a new agenda item: its label is the next number unless
// given ("17c" for a sub-item).
type AgendaInput struct {
	Label  string   `json:"label"`
	Title  string   `json:"title"`
	Papers []string `json:"papers"`
}

var labelRe = regexp.MustCompile(`^([1-9][0-9]{0,2})([a-z]?)$`)

func (in *AgendaInput) validate() error {
	var err error
	if in.Title, err = ratusz.Text("title", in.Title, 1000, false); err != nil {
		return err
	}
	in.Label = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.Label), ".")))
	if in.Label != "" && !labelRe.MatchString(in.Label) {
		return ratusz.Invalid("label", "err.council.label")
	}
	papers := []string{}
	seen := map[string]bool{}
	for _, p := range in.Papers {
		for _, ref := range strings.Split(p, ",") {
			ref = strings.TrimSpace(ref)
			if ref == "" || seen[ref] {
				continue
			}
			if utf8.RuneCountInString(ref) > 60 {
				return ratusz.Invalid("papers", "err.too_long", 60)
			}
			seen[ref] = true
			papers = append(papers, ref)
		}
	}
	if len(papers) > 50 {
		return ratusz.Invalid("papers", "err.council.too_many_papers", 50)
	}
	in.Papers = papers
	return nil
}

// AddItem adds an agenda item before the session begins. Once it is in
// progress the agenda changes only by the council's vote
// (ProposeAgendaChange).
func (s *Service) AddItem(ctx context.Context, sessionID int64, in AgendaInput) (*AgendaItem, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var item *AgendaItem
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockSession(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		switch sess.State {
		case "closed":
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
		case "in_progress":
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.agenda_change_needs_vote")
		}
		if item, err = insertItem(ctx, tx, sess, in); err != nil {
			return err
		}
		if err := syncAnnouncement(ctx, tx, sessionID, "Zmiana porządku obrad: dodano punkt "+item.Label+"."); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventAgendaChanged, sessionTopic(sessionID), map[string]any{"item": item})
	})
	return item, err
}

// insertItem adds an item under its label and renumbers the positions in
// label order (1, 2, 2a, 2b, 3 …).
func insertItem(ctx context.Context, tx pgx.Tx, sess *Session, in AgendaInput) (*AgendaItem, error) {
	if in.Label == "" {
		var next int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(substring(label from '^[0-9]+')::int), 0) + 1 FROM agenda_items
			WHERE session_id = $1`, sess.ID).Scan(&next); err != nil {
			return nil, err
		}
		in.Label = strconv.Itoa(next)
	} else {
		var taken bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM agenda_items WHERE session_id = $1 AND label = $2 AND removed_by_vote_id IS NULL)",
			sess.ID, in.Label).Scan(&taken); err != nil {
			return nil, err
		}
		if taken {
			return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "label", Message: "err.council.label_taken", Args: []any{in.Label}}
		}
	}
	if in.Papers == nil {
		in.Papers = []string{}
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO agenda_items (session_id, position, label, title, papers)
		SELECT $1, count(*) + 1, $2, $3, $4 FROM agenda_items WHERE session_id = $1 RETURNING id`,
		sess.ID, in.Label, in.Title, in.Papers).Scan(&id); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE agenda_items a SET position = o.n FROM (
			SELECT id, row_number() OVER (ORDER BY substring(label from '^[0-9]+')::int NULLS LAST, label, id) AS n
			FROM agenda_items WHERE session_id = $1) o
		WHERE a.id = o.id AND a.position <> o.n`, sess.ID); err != nil {
		return nil, err
	}
	if err := linkPapers(ctx, tx, sess.BodyID, id, in.Papers); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, "SELECT "+agendaColumns+" FROM agenda_items WHERE id = $1", id)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[AgendaItem])
}

func agendaOf(ctx context.Context, q pg.Querier, sessionID int64) ([]*AgendaItem, error) {
	rows, _ := q.Query(ctx, "SELECT "+agendaColumns+" FROM agenda_items WHERE session_id = $1 ORDER BY position, id", sessionID)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[AgendaItem])
}

// AgendaFile is a file attached to an agenda item (a draft resolution, a
// report).
type AgendaFile struct {
	ID           int64  `json:"id" db:"id"`
	AgendaItemID int64  `json:"agenda_item" db:"agenda_item_id"`
	Name         string `json:"name" db:"name"`
	ContentType  string `json:"content_type" db:"content_type"`
	Size         int64  `json:"size" db:"size"`
	SHA256       []byte `json:"-" db:"sha256"`
}

const fileColumns = "id, agenda_item_id, name, content_type, size, sha256"

// AddAgendaFile attaches a file to an agenda item, checked like a BIP
// attachment; if the session is announced, its announcement carries it.
func (s *Service) AddAgendaFile(ctx context.Context, itemID int64, name string, data []byte) (*AgendaFile, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	checked, err := bip.CheckUpload("file", name, data)
	if err != nil {
		return nil, err
	}
	var f *AgendaFile
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var sessionID int64
		var label string
		err := tx.QueryRow(ctx, "SELECT session_id, label FROM agenda_items WHERE id = $1", itemID).Scan(&sessionID, &label)
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.council.item_not_found")
		} else if err != nil {
			return err
		}
		sess, err := lockSession(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if sess.State == "closed" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
		}
		rows, _ := tx.Query(ctx, `INSERT INTO agenda_files (agenda_item_id, name, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING `+fileColumns, itemID, checked.Name, checked.ContentType, checked.Size, checked.SHA256, data)
		if f, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[AgendaFile]); err != nil {
			return err
		}
		return syncAnnouncement(ctx, tx, sessionID, "Dodano załącznik do punktu "+label+": "+checked.Name+".")
	})
	return f, err
}

// AgendaFiles returns the files of a session's agenda, by item.
func (s *Service) AgendaFiles(ctx context.Context, sessionID int64) (map[int64][]*AgendaFile, error) {
	rows, _ := s.pool.Query(ctx, `SELECT f.id, f.agenda_item_id, f.name, f.content_type, f.size, f.sha256 FROM agenda_files f
		JOIN agenda_items a ON a.id = f.agenda_item_id WHERE a.session_id = $1 ORDER BY f.id`, sessionID)
	files, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[AgendaFile])
	out := map[int64][]*AgendaFile{}
	for _, f := range files {
		out[f.AgendaItemID] = append(out[f.AgendaItemID], f)
	}
	return out, err
}

// AgendaFileData returns a file and its content.
func (s *Service) AgendaFileData(ctx context.Context, id int64) (*AgendaFile, []byte, error) {
	f := &AgendaFile{}
	var data []byte
	err := s.pool.QueryRow(ctx, "SELECT "+fileColumns+", data FROM agenda_files WHERE id = $1", id).
		Scan(&f.ID, &f.AgendaItemID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.file_not_found")
	}
	return f, data, err
}

// AgendaChange is a proposed change of a session's agenda: adding an item
// (Op "add", with its label, title and papers) or taking one off (Op
// "remove", Item).
type AgendaChange struct {
	Op     string   `json:"op"`
	Item   int64    `json:"item,omitempty"`
	Label  string   `json:"label,omitempty"`
	Title  string   `json:"title,omitempty"`
	Papers []string `json:"papers,omitempty"`
	// AddedItem is the item an adopted "add" put on the agenda, recorded
	// when applied, so that a re-vote rejecting it can take it off again.
	AddedItem int64 `json:"added_item,omitempty"`
}

// ProposeAgendaChange prepares the vote that changes the agenda of a
// session in progress. It needs an absolute majority of the statutory
// seats (art. 20 ust. 1a); closing it adopted applies the change.
func (s *Service) ProposeAgendaChange(ctx context.Context, sessionID int64, ch AgendaChange) (*Vote, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	var id int64
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockSession(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		switch sess.State {
		case "closed":
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
		case "planned":
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.agenda_change_before_session")
		}
		var subject string
		switch ch.Op {
		case "add":
			in := AgendaInput{Label: ch.Label, Title: ch.Title, Papers: ch.Papers}
			if err := in.validate(); err != nil {
				return err
			}
			ch = AgendaChange{Op: "add", Label: in.Label, Title: in.Title, Papers: in.Papers}
			subject = "Zmiana porządku obrad: wprowadzenie punktu „" + in.Title + "”"
		case "remove":
			var label, title string
			err := tx.QueryRow(ctx, "SELECT label, title FROM agenda_items WHERE id = $1 AND session_id = $2 AND removed_by_vote_id IS NULL",
				ch.Item, sessionID).Scan(&label, &title)
			if errors.Is(err, pgx.ErrNoRows) {
				return ratusz.Invalid("item", "err.council.item_not_found")
			} else if err != nil {
				return err
			}
			ch = AgendaChange{Op: "remove", Item: ch.Item}
			subject = "Zmiana porządku obrad: zdjęcie punktu " + label + ". „" + title + "”"
		default:
			return ratusz.Invalid("op", "err.council.agenda_op")
		}
		if utf8.RuneCountInString(subject) > 1000 {
			subject = string([]rune(subject)[:1000])
		}
		// The vote is taken under the item in hand, or the first.
		var items int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM agenda_items WHERE session_id = $1", sessionID).Scan(&items); err != nil {
			return err
		}
		if items == 0 {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.agenda_empty")
		}
		return tx.QueryRow(ctx, `INSERT INTO votes (session_id, agenda_item_id, subject, majority, agenda_change)
			SELECT $1, coalesce((SELECT id FROM agenda_items WHERE id = s.current_item_id AND removed_by_vote_id IS NULL),
				(SELECT id FROM agenda_items WHERE session_id = $1 AND removed_by_vote_id IS NULL ORDER BY position LIMIT 1)), $2, 'absolute_statutory', $3
			FROM council_sessions s WHERE s.id = $1 RETURNING id`, sessionID, subject, ch).Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	return s.Vote(ctx, id)
}

// confirmAgendaChange: a re-vote adopting again an agenda change already
// made takes it over, so that a later re-vote of the re-vote can undo it.
func confirmAgendaChange(ctx context.Context, tx pgx.Tx, v, orig *Vote) error {
	_, err := tx.Exec(ctx, "UPDATE agenda_items SET removed_by_vote_id = $2 WHERE removed_by_vote_id = $1", orig.ID, v.ID)
	return err
}

// revoteBlocked says why the agenda change a vote made cannot be undone by
// a re-vote, if it cannot: the item it put on has been voted on since (its
// votes and resolutions stand), or it predates the record of added items.
func revoteBlocked(ctx context.Context, q pg.Querier, origID int64) (string, error) {
	var ch *AgendaChange
	var adopted bool
	if err := q.QueryRow(ctx, "SELECT agenda_change, coalesce(outcome = 'adopted', false) FROM votes WHERE id = $1", origID).Scan(&ch, &adopted); err != nil {
		return "", err
	}
	if ch == nil || ch.Op != "add" || !adopted {
		return "", nil
	}
	if ch.AddedItem == 0 {
		return "err.council.repeats_cannot_undo", nil
	}
	var voted bool
	if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM votes WHERE agenda_item_id = $1 AND state IN ('open', 'closed'))", ch.AddedItem).Scan(&voted); err != nil {
		return "", err
	}
	if voted {
		return "err.council.repeats_item_voted", nil
	}
	return "", nil
}

// undoAgendaChange undoes the agenda change a repeated vote made, when the
// re-vote rejects it: an item taken off comes back, an item put on is
// taken off (struck through, linked to the re-vote).
func undoAgendaChange(ctx context.Context, tx pgx.Tx, v, orig *Vote) error {
	var ch *AgendaChange
	if err := tx.QueryRow(ctx, "SELECT agenda_change FROM votes WHERE id = $1", orig.ID).Scan(&ch); err != nil || ch == nil {
		return err
	}
	if _, err := lockSession(ctx, tx, v.SessionID); err != nil {
		return err
	}
	var label, reason string
	var err error
	switch ch.Op {
	case "remove":
		err = tx.QueryRow(ctx, "UPDATE agenda_items SET removed_by_vote_id = NULL WHERE id = $1 AND removed_by_vote_id = $2 RETURNING label", ch.Item, orig.ID).Scan(&label)
		reason = fmt.Sprintf("Reasumpcja głosowania nr %d (głosowanie nr %d): przywrócono punkt %s.", orig.ID, v.ID, label)
	case "add":
		err = tx.QueryRow(ctx, "UPDATE agenda_items SET removed_by_vote_id = $2 WHERE id = $1 AND removed_by_vote_id IS NULL RETURNING label", ch.AddedItem, v.ID).Scan(&label)
		reason = fmt.Sprintf("Reasumpcja głosowania nr %d (głosowanie nr %d): zdjęto punkt %s.", orig.ID, v.ID, label)
		if err == nil {
			_, err = tx.Exec(ctx, "UPDATE council_sessions SET current_item_id = NULL WHERE id = $1 AND current_item_id = $2", v.SessionID, ch.AddedItem)
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // nothing left to undo
	} else if err != nil {
		return err
	}
	if err := syncAnnouncement(ctx, tx, v.SessionID, reason); err != nil {
		return err
	}
	return outbox.Write(ctx, tx, EventAgendaChanged, sessionTopic(v.SessionID), map[string]any{"vote": v.ID})
}

// applyAgendaChange applies an adopted agenda change in the closing
// transaction.
func applyAgendaChange(ctx context.Context, tx pgx.Tx, v *Vote) error {
	var ch *AgendaChange
	if err := tx.QueryRow(ctx, "SELECT agenda_change FROM votes WHERE id = $1", v.ID).Scan(&ch); err != nil || ch == nil {
		return err
	}
	sess, err := lockSession(ctx, tx, v.SessionID)
	if err != nil {
		return err
	}
	var reason string
	switch ch.Op {
	case "add":
		item, err := insertItem(ctx, tx, sess, AgendaInput{Label: ch.Label, Title: ch.Title, Papers: ch.Papers})
		if ratusz.ErrorCode(err) == ratusz.ECONFLICT {
			// The label was taken meanwhile: the item goes at the end.
			item, err = insertItem(ctx, tx, sess, AgendaInput{Title: ch.Title, Papers: ch.Papers})
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE votes SET agenda_change = agenda_change || jsonb_build_object('added_item', $2::bigint) WHERE id = $1", v.ID, item.ID); err != nil {
			return err
		}
		reason = fmt.Sprintf("Zmiana porządku obrad w głosowaniu nr %d: wprowadzono punkt %s.", v.ID, item.Label)
	case "remove":
		var label string
		err := tx.QueryRow(ctx, "UPDATE agenda_items SET removed_by_vote_id = $2 WHERE id = $1 AND removed_by_vote_id IS NULL RETURNING label", ch.Item, v.ID).Scan(&label)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // taken off by an earlier vote already
		} else if err != nil {
			return err
		}
		reason = fmt.Sprintf("Zmiana porządku obrad w głosowaniu nr %d: zdjęto punkt %s.", v.ID, label)
	}
	if err := syncAnnouncement(ctx, tx, v.SessionID, reason); err != nil {
		return err
	}
	return outbox.Write(ctx, tx, EventAgendaChanged, sessionTopic(v.SessionID), map[string]any{"vote": v.ID})
}
