package consultations

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Open starts a draft consultation and publishes its announcement, with
// the documents under consultation, in BIP (Konsultacje).
func (s *Service) Open(ctx context.Context, id int64) (*Consultation, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if c.State != StateDraft {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_draft")
		}
		if !c.EndsAt.After(time.Now()) {
			return ratusz.Invalid("ends_at", "err.consult.ends_in_past")
		}
		var docs int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM consultation_documents WHERE consultation_id = $1", id).Scan(&docs); err != nil {
			return err
		}
		if len(c.Questions) == 0 && docs == 0 {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.nothing_to_consult")
		}
		d, err := announcement(ctx, tx, c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE consultations SET state = 'open', opened_at = now(), updated_at = now() WHERE id = $1", id); err != nil {
			return err
		}
		return publishAndRecord(ctx, tx, id, "announcement_publication_id", EventOpened, d)
	})
	if err != nil {
		return nil, err
	}
	return s.ByID(ctx, id)
}

var eligibilityPL = map[string]string{
	Residents: "mieszkańcy zalogowani w serwisie",
	Verified:  "mieszkańcy o potwierdzonej tożsamości",
	Open:      "każdy, bez logowania (wyniki mają charakter niewiążący; jedna odpowiedź na przeglądarkę)",
}

// PolishDate writes a moment as in an official letter, in Europe/Warsaw.
func PolishDate(t time.Time) string {
	return bip.PolishDate(t) + ", godz. " + t.In(warsaw).Format("15:04")
}

func announcement(ctx context.Context, tx pgx.Tx, c *Consultation) (bip.Draft, error) {
	var md strings.Builder
	fmt.Fprintf(&md, "%s ogłasza konsultacje społeczne: **%s**.\n\n", Plain(c.Organiser), Plain(c.Title))
	fmt.Fprintf(&md, "- Termin: od %s do %s\n", PolishDate(c.StartsAt), PolishDate(c.EndsAt))
	fmt.Fprintf(&md, "- Kto może wziąć udział: %s\n", eligibilityPL[c.Eligibility])
	fmt.Fprintf(&md, "- Ankieta i uwagi do dokumentów: [strona konsultacji](/konsultacje/%d)\n\n", c.ID)
	if c.Description != "" {
		md.WriteString("## Opis\n\n" + c.Description + "\n")
	}
	rows, _ := tx.Query(ctx, "SELECT name, data FROM consultation_documents WHERE consultation_id = $1 ORDER BY id", c.ID)
	atts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bip.NewAttachment, error) {
		var a bip.NewAttachment
		err := r.Scan(&a.Name, &a.Data)
		return a, err
	})
	if err != nil {
		return bip.Draft{}, err
	}
	return bip.Draft{Category: "konsultacje", Title: "Konsultacje społeczne: " + c.Title, Body: md.String(),
		ProducedBy: c.Organiser, Responsible: c.Organiser, ProducedAt: time.Now(), Attachments: atts,
		Source: "consultation.open:" + strconv.FormatInt(c.ID, 10)}, nil
}

// Close ends a consultation (early, if its period has not ended) and
// publishes its report in BIP: participation, results, and every remark
// with its answer. Every remark must be answered first.
func (s *Service) Close(ctx context.Context, id int64) (*Consultation, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if c.State != StateOpen {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_open")
		}
		if time.Now().Before(c.StartsAt) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_started")
		}
		var unanswered int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM consultation_remarks WHERE consultation_id = $1 AND verdict IS NULL", id).Scan(&unanswered); err != nil {
			return err
		}
		if unanswered > 0 {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.remarks_unanswered", unanswered)
		}
		now := time.Now()
		if _, err := tx.Exec(ctx, "UPDATE consultations SET state = 'closed', closed_at = $2, ends_at = least(ends_at, $2), updated_at = now() WHERE id = $1", id, now); err != nil {
			return err
		}
		c.State, c.ClosedAt = StateClosed, &now
		if c.EndsAt.After(now) {
			c.EndsAt = now
		}
		rep, err := buildReport(ctx, tx, c)
		if err != nil {
			return err
		}
		return publishAndRecord(ctx, tx, id, "report_publication_id", EventClosed, bip.Draft{Category: "konsultacje",
			Title: "Raport z konsultacji: " + c.Title, Body: rep.Markdown(), ProducedBy: c.Organiser, Responsible: c.Organiser,
			ProducedAt: now, Source: "consultation.report:" + strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return nil, err
	}
	return s.ByID(ctx, id)
}

// Plain makes text typed by people safe to put in Markdown: it shows as
// typed, and nothing in it is read as HTML or formatting.
func Plain(s string) string { return bip.PlainText(s) }

// publishAndRecord publishes d in BIP, keeps the publication's id in the
// consultation's column (a constant of this file, never input) and tells
// the outbox, all in tx.
func publishAndRecord(ctx context.Context, tx pgx.Tx, id int64, column, event string, d bip.Draft) error {
	pub, err := bip.Publish(ctx, tx, d)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE consultations SET "+column+" = $2 WHERE id = $1", id, pub.ID); err != nil {
		return err
	}
	return outbox.Write(ctx, tx, event, topic(id), map[string]any{"consultation": id, "publication": pub.ID})
}
