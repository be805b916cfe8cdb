package council

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// SessionInput is what the office sets of a session.
type SessionInput struct {
	Number       int       `json:"number"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	Place        string    `json:"place"`
	StartsAt     time.Time `json:"starts_at"`
	BroadcastURL string    `json:"broadcast_url"`
	RecordingURL string    `json:"recording_url"`
	ProtocolURL  string    `json:"protocol_url"`
}

var sessionKinds = map[string]bool{"ordinary": true, "extraordinary": true, "ceremonial": true}

func (in *SessionInput) validate() error {
	if in.Number < 1 || in.Number > 3999 {
		return ratusz.Invalid("number", "err.range", 1, 3999)
	}
	if in.Kind == "" {
		in.Kind = "ordinary"
	}
	if !sessionKinds[in.Kind] {
		return ratusz.Invalid("kind", "err.council.session_kind")
	}
	if in.StartsAt.IsZero() {
		return ratusz.Invalid("starts_at", "err.required")
	}
	in.Title = strings.TrimSpace(in.Title)
	if utf8.RuneCountInString(in.Title) > 300 {
		return ratusz.Invalid("title", "err.too_long", 300)
	}
	in.Place = strings.TrimSpace(in.Place)
	if utf8.RuneCountInString(in.Place) > 300 {
		return ratusz.Invalid("place", "err.too_long", 300)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"broadcast_url", &in.BroadcastURL}, {"recording_url", &in.RecordingURL}, {"protocol_url", &in.ProtocolURL}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			continue
		}
		u, err := url.Parse(*f.v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(*f.v) > 2000 {
			return ratusz.Invalid(f.name, "err.council.url")
		}
	}
	return nil
}

// NewSession plans a session of a body, within the term running on its
// date.
func (s *Service) NewSession(ctx context.Context, bodyID int64, in SessionInput) (*Session, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if _, err := s.BodyByID(ctx, bodyID); err != nil {
		if ratusz.ErrorCode(err) == ratusz.ENOTFOUND {
			return nil, ratusz.Invalid("body", "err.council.body_not_found")
		}
		return nil, err
	}
	term, err := termAt(ctx, s.pool, bodyID, in.StartsAt)
	if err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `INSERT INTO council_sessions (body_id, term_id, number, kind, title, starts_at, place, broadcast_url, recording_url, protocol_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+sessionColumns,
		bodyID, term, in.Number, in.Kind, in.Title, in.StartsAt, in.Place, in.BroadcastURL, in.RecordingURL, in.ProtocolURL)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Session])
	if pg.IsConstraint(err, "council_sessions_number_key") {
		return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "number", Message: "err.council.session_number_taken"}
	}
	return sess, err
}

// lockSession reads a session for update.
func lockSession(ctx context.Context, tx pgx.Tx, id int64) (*Session, error) {
	rows, _ := tx.Query(ctx, "SELECT "+sessionColumns+" FROM council_sessions WHERE id = $1 FOR UPDATE", id)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Session])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.session_not_found")
	}
	return sess, err
}

// UpdateSession changes a session. Once it is closed only its links (the
// recording, the protocol) may still be set. An announced session's BIP
// announcement is revised, saying what changed.
func (s *Service) UpdateSession(ctx context.Context, id int64, in SessionInput) (*Session, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := lockSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.State == "closed" && (in.Number != old.Number || in.Kind != old.Kind || in.Title != old.Title || in.Place != old.Place ||
			!in.StartsAt.Truncate(time.Minute).Equal(old.StartsAt.Truncate(time.Minute))) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed_links_only")
		}
		term := old.TermID
		if !in.StartsAt.Equal(old.StartsAt) {
			if term, err = termAt(ctx, tx, old.BodyID, in.StartsAt); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE council_sessions SET number = $2, kind = $3, title = $4, starts_at = $5, place = $6,
			broadcast_url = $7, recording_url = $8, protocol_url = $9, term_id = $10 WHERE id = $1`,
			id, in.Number, in.Kind, in.Title, in.StartsAt, in.Place, in.BroadcastURL, in.RecordingURL, in.ProtocolURL, term)
		if pg.IsConstraint(err, "council_sessions_number_key") {
			return &ratusz.Error{Code: ratusz.ECONFLICT, Field: "number", Message: "err.council.session_number_taken"}
		} else if err != nil {
			return err
		}
		var changed []string
		for _, c := range []struct {
			differs bool
			what    string
		}{
			{in.Number != old.Number || in.Kind != old.Kind || in.Title != old.Title, "oznaczenie sesji"},
			{!in.StartsAt.Equal(old.StartsAt), "termin"},
			{in.Place != old.Place, "miejsce"},
			{in.BroadcastURL != old.BroadcastURL, "transmisja obrad"},
			{in.RecordingURL != old.RecordingURL, "nagranie obrad"},
			{in.ProtocolURL != old.ProtocolURL, "protokół"},
		} {
			if c.differs {
				changed = append(changed, c.what)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		if err := syncAnnouncement(ctx, tx, id, "Zmiana: "+strings.Join(changed, ", ")+"."); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventSessionChanged, sessionTopic(id), map[string]any{"session": id})
	})
	if err != nil {
		return nil, err
	}
	return s.SessionByID(ctx, id)
}

// AnnounceSession publishes the session's notice and agenda (zawiadomienie
// o sesji i porządek obrad) in BIP, with the agenda's attachments. Later
// changes to the agenda or the session revise that publication.
func (s *Service) AnnounceSession(ctx context.Context, id int64) (*Session, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if sess.AnnouncedAt != nil {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.already_announced")
		}
		if sess.State == "closed" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_closed")
		}
		var items int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM agenda_items WHERE session_id = $1", id).Scan(&items); err != nil {
			return err
		}
		if items == 0 {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.agenda_empty")
		}
		d, err := announcement(ctx, tx, id)
		if err != nil {
			return err
		}
		pub, err := bip.Publish(ctx, tx, d)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE council_sessions SET announced_at = now(), agenda_publication_id = $2 WHERE id = $1", id, pub.ID); err != nil {
			return err
		}
		if err := mapFiles(ctx, tx, id, pub.ID); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventSessionAnnounced, sessionTopic(id), map[string]any{"session": id, "publication": pub.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.SessionByID(ctx, id)
}

// syncAnnouncement revises an announced session's BIP publication with a
// reason; a session not yet announced has nothing to revise.
func syncAnnouncement(ctx context.Context, tx pgx.Tx, sessionID int64, reason string) error {
	var pubID *int64
	var withdrawn bool
	if err := tx.QueryRow(ctx, `SELECT s.agenda_publication_id, coalesce((SELECT v.kind = 'withdraw' FROM bip_versions v JOIN bip_publications p
			ON p.id = v.publication_id AND p.version = v.version WHERE p.id = s.agenda_publication_id), false)
		FROM council_sessions s WHERE s.id = $1`, sessionID).Scan(&pubID, &withdrawn); err != nil || pubID == nil {
		return err
	}
	if withdrawn {
		return nil // an editor withdrew the announcement: the session goes on without it
	}
	d, err := announcement(ctx, tx, sessionID)
	if err != nil {
		return err
	}
	// Files already published are carried over; new ones are added.
	rows, _ := tx.Query(ctx, `SELECT va.attachment_id FROM bip_version_attachments va JOIN bip_publications p ON p.id = va.publication_id AND p.version = va.version
		WHERE va.publication_id = $1 ORDER BY va.position`, *pubID)
	if d.Keep, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return err
	}
	if _, err := bip.Revise(ctx, tx, *pubID, d, reason); err != nil {
		return err
	}
	return mapFiles(ctx, tx, sessionID, *pubID)
}

// mapFiles notes which BIP attachment of the announcement each agenda file
// became.
func mapFiles(ctx context.Context, tx pgx.Tx, sessionID, pubID int64) error {
	_, err := tx.Exec(ctx, `UPDATE agenda_files f SET bip_attachment_id = (SELECT max(b.id) FROM bip_attachments b
			WHERE b.publication_id = $2 AND b.sha256 = f.sha256 AND b.name = f.name)
		FROM agenda_items a WHERE a.id = f.agenda_item_id AND a.session_id = $1 AND f.bip_attachment_id IS NULL`, sessionID, pubID)
	return err
}

var kindAdjective = map[string]string{"ordinary": "zwyczajną", "extraordinary": "nadzwyczajną", "ceremonial": "uroczystą"}

// announcement is the session's notice and agenda as a BIP draft, with the
// files not yet published.
func announcement(ctx context.Context, tx pg.Querier, sessionID int64) (bip.Draft, error) {
	var d bip.Draft
	rows, _ := tx.Query(ctx, "SELECT "+sessionColumns+" FROM council_sessions WHERE id = $1", sessionID)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Session])
	if err != nil {
		return d, err
	}
	var body, chair string
	if err := tx.QueryRow(ctx, `SELECT b.name, coalesce((SELECT c.name FROM councillors c WHERE c.body_id = b.id AND c.function = 'chair' AND c.active LIMIT 1), '')
		FROM council_bodies b WHERE b.id = $1`, sess.BodyID).Scan(&body, &chair); err != nil {
		return d, err
	}
	items, err := agendaOf(ctx, tx, sessionID)
	if err != nil {
		return d, err
	}
	var md strings.Builder
	place := ""
	if sess.Place != "" {
		place = ", w miejscu: " + cell(sess.Place)
	}
	fmt.Fprintf(&md, "Zwołuję %s sesję %s %s na dzień **%s**, godz. %s%s.\n\n", Roman(sess.Number), kindAdjective[sess.Kind], cell(genitive(body)),
		bip.PolishDate(sess.StartsAt), sess.StartsAt.In(warsaw).Format("15:04"), place)
	if sess.Title != "" {
		fmt.Fprintf(&md, "%s\n\n", cell(sess.Title))
	}
	md.WriteString("## Porządek obrad\n\n")
	for _, it := range items {
		line := fmt.Sprintf("**%s.** %s", it.Label, cell(it.Title))
		if len(it.Papers) > 0 {
			line += " (druk " + cell(strings.Join(it.Papers, ", ")) + ")"
		}
		if it.RemovedByVoteID != nil {
			line = "~~" + line + "~~ — zdjęty z porządku obrad w głosowaniu nr " + strconv.FormatInt(*it.RemovedByVoteID, 10)
		}
		fmt.Fprintf(&md, "- %s\n", line)
	}
	var links []string
	if sess.BroadcastURL != "" {
		links = append(links, fmt.Sprintf("- Transmisja obrad: <%s>", sess.BroadcastURL))
	}
	if sess.RecordingURL != "" {
		links = append(links, fmt.Sprintf("- Nagranie obrad: <%s>", sess.RecordingURL))
	}
	if sess.ProtocolURL != "" {
		links = append(links, fmt.Sprintf("- Protokół: <%s>", sess.ProtocolURL))
	}
	if len(links) > 0 {
		md.WriteString("\n## Transmisja, nagranie i protokół\n\n" + strings.Join(links, "\n") + "\n")
	}
	if sess.BroadcastURL == "" {
		md.WriteString("\nObrady są transmitowane i utrwalane za pomocą urządzeń rejestrujących obraz i dźwięk (art. 20 ust. 1b ustawy o samorządzie gminnym).\n")
	}
	rows, _ = tx.Query(ctx, `SELECT f.name, f.data FROM agenda_files f JOIN agenda_items a ON a.id = f.agenda_item_id
		WHERE a.session_id = $1 AND f.bip_attachment_id IS NULL ORDER BY a.position, f.id`, sessionID)
	d.Attachments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bip.NewAttachment, error) {
		var a bip.NewAttachment
		err := r.Scan(&a.Name, &a.Data)
		return a, err
	})
	if err != nil {
		return d, err
	}
	title := fmt.Sprintf("Sesja %s %s — %s — zawiadomienie i porządek obrad", Roman(sess.Number), genitive(body), bip.PolishDate(sess.StartsAt))
	if utf8.RuneCountInString(title) > bip.MaxTitle {
		title = string([]rune(title)[:bip.MaxTitle])
	}
	responsible := "Przewodniczący rady"
	if chair != "" {
		responsible = "Przewodniczący rady: " + chair
	}
	d.Category, d.Title, d.Body = "sesje", title, md.String()
	d.ProducedBy, d.Responsible, d.ProducedAt = body, responsible, time.Now()
	d.Source = "council.session:" + strconv.FormatInt(sessionID, 10)
	return d, nil
}

// AnnouncementDraft is the notice and agenda as AnnounceSession would
// publish them now, for the office to read before it does.
func (s *Service) AnnouncementDraft(ctx context.Context, sessionID int64) (bip.Draft, error) {
	if err := MayManage(ctx); err != nil {
		return bip.Draft{}, err
	}
	return announcement(ctx, s.pool, sessionID)
}

// StartSession opens the sitting (planned → in progress).
func (s *Service) StartSession(ctx context.Context, id int64) error {
	return s.setState(ctx, id, "planned", "in_progress")
}

// CloseSession ends the sitting; no vote may be open.
func (s *Service) CloseSession(ctx context.Context, id int64) error {
	return s.setState(ctx, id, "in_progress", "closed")
}

func (s *Service) setState(ctx context.Context, id int64, from, to string) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if sess.State != from {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.session_state", sess.State)
		}
		if to == "closed" {
			var open bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM votes WHERE session_id = $1 AND state = 'open')", id).Scan(&open); err != nil {
				return err
			}
			if open {
				return ratusz.Errorf(ratusz.ECONFLICT, "err.council.vote_still_open")
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE council_sessions SET state = $2 WHERE id = $1", id, to); err != nil {
			return err
		}
		entry := "started"
		if to == "closed" {
			// The floor, the requests and a break end with the sitting.
			entry = "closed"
			if err := endSpeaking(ctx, tx, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE speeches SET state = 'withdrawn', ended_at = clock_timestamp() WHERE session_id = $1 AND state = 'waiting'", id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE council_sessions SET break_since = NULL, break_until = NULL WHERE id = $1", id); err != nil {
				return err
			}
		}
		if err := addTimeline(ctx, tx, id, entry, nil, nil, ""); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventSessionState, sessionTopic(id), map[string]any{"session": id, "state": to})
	})
}

// SetCurrentItem marks the agenda item the council is dealing with now,
// starting the session if it had not begun; viewers get agenda.current.
func (s *Service) SetCurrentItem(ctx context.Context, sessionID, itemID int64) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sess, err := lockNotClosed(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT "+agendaColumns+" FROM agenda_items WHERE id = $1 AND session_id = $2 AND removed_by_vote_id IS NULL", itemID, sessionID)
		item, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[AgendaItem])
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Invalid("agenda_item", "err.council.item_not_found")
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE council_sessions SET current_item_id = $2, state = 'in_progress' WHERE id = $1", sessionID, itemID); err != nil {
			return err
		}
		if sess.State == "planned" {
			if err := addTimeline(ctx, tx, sessionID, "started", nil, nil, ""); err != nil {
				return err
			}
			if err := outbox.Write(ctx, tx, EventSessionState, sessionTopic(sessionID), map[string]any{"session": sessionID, "state": "in_progress"}); err != nil {
				return err
			}
		}
		if sess.CurrentItemID == nil || *sess.CurrentItemID != itemID {
			if err := addTimeline(ctx, tx, sessionID, "item", &itemID, nil, item.Label+". "+item.Title); err != nil {
				return err
			}
		}
		return outbox.Write(ctx, tx, EventAgendaCurrent, sessionTopic(sessionID), map[string]any{"item": item})
	})
}
