package council

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/pg"
)

// AnswerDays is the statutory time for an answer (art. 24 ust. 6).
const AnswerDays = 14

// Interpellation is a councillor's interpellation, question or motion.
type Interpellation struct {
	ID            int64      `json:"id" db:"id"`
	BodyID        int64      `json:"body" db:"body_id"`
	CouncillorID  *int64     `json:"councillor_id" db:"councillor_id"`
	Councillor    string     `json:"councillor" db:"councillor_name"`
	Kind          string     `json:"kind" db:"kind"`
	Number        string     `json:"number" db:"number"`
	Subject       string     `json:"subject" db:"subject"`
	Content       string     `json:"content" db:"content"`
	Category      string     `json:"category" db:"category"`
	FiledOn       time.Time  `json:"filed_on" db:"filed_on"`
	DueOn         time.Time  `json:"due_on" db:"due_on"`
	AnsweredOn    *time.Time `json:"answered_on" db:"answered_on"`
	Answer        string     `json:"answer" db:"answer"`
	QuestionURL   string     `json:"question_url" db:"question_url"`
	AnswerURL     string     `json:"answer_url" db:"answer_url"`
	PublicationID *int64     `json:"-" db:"publication_id"`
}

// Status is "answered", "overdue" (past its due date without an answer) or
// "awaiting".
func (i *Interpellation) Status(today time.Time) string {
	switch {
	case i.AnsweredOn != nil:
		return "answered"
	case today.After(i.DueOn):
		return "overdue"
	}
	return "awaiting"
}

const interpellationColumns = `id, body_id, councillor_id, councillor_name, kind, number, subject, content, category,
	filed_on, due_on, answered_on, answer, question_url, answer_url, publication_id`

func today() time.Time {
	y, m, d := time.Now().In(warsaw).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func interpellationBody(i *Interpellation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- Radny: %s\n- Data wpływu: %s\n- Termin odpowiedzi: %s\n\n## Treść\n\n%s\n",
		cell(i.Councillor), bip.PolishDate(i.FiledOn), bip.PolishDate(i.DueOn), i.Content)
	if i.AnsweredOn != nil {
		fmt.Fprintf(&b, "\n## Odpowiedź z dnia %s\n\n%s\n", bip.PolishDate(*i.AnsweredOn), i.Answer)
	}
	return b.String()
}

func interpellationTitle(i *Interpellation) string {
	t := fmt.Sprintf("%s %s z dnia %s w sprawie %s", strings.ToUpper(i.Kind[:1])+i.Kind[1:], i.Number, bip.PolishDate(i.FiledOn), i.Subject)
	if utf8.RuneCountInString(t) > bip.MaxTitle {
		t = string([]rune(t)[:bip.MaxTitle])
	}
	return t
}

// File records the acting councillor's interpellation, numbers it, sets its
// due date and publishes it in BIP, in one transaction.
func (s *Service) File(ctx context.Context, bodyID int64, kind, subject, content string) (*Interpellation, error) {
	me, err := s.Me(ctx, bodyID)
	if err != nil {
		return nil, err
	}
	if kind != "interpelacja" && kind != "zapytanie" && kind != "wniosek" {
		return nil, ratusz.Invalid("kind", "err.council.kind")
	}
	if subject, err = ratusz.Text("subject", subject, 500, false); err != nil {
		return nil, err
	}
	if content, err = ratusz.Text("content", content, 50000, false); err != nil {
		return nil, err
	}
	var out *Interpellation
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		filed := today()
		// One number at a time per body and kind, so that filings at the
		// same moment get consecutive numbers.
		if err := pg.LockXact(ctx, tx, "interpellation-number", bodyID, kind); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) + 1 FROM interpellations WHERE body_id = $1 AND kind = $2 AND extract(year FROM filed_on) = $3`,
			bodyID, kind, filed.Year()).Scan(&n); err != nil {
			return err
		}
		prefix := map[string]string{"interpelacja": "INT", "zapytanie": "ZAP", "wniosek": "WN"}[kind]
		rows, _ := tx.Query(ctx, `INSERT INTO interpellations (body_id, councillor_id, councillor_name, kind, number, subject, content, filed_on, due_on)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+interpellationColumns,
			bodyID, me.ID, me.Name, kind, fmt.Sprintf("%s/%d/%d", prefix, filed.Year(), n), subject, content, filed, filed.AddDate(0, 0, AnswerDays))
		i, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Interpellation])
		if err != nil {
			return err
		}
		body, err := bodyByID(ctx, tx, bodyID)
		if err != nil {
			return err
		}
		pub, err := bip.Publish(ctx, tx, bip.Draft{Category: "interpelacje", Title: interpellationTitle(i), Body: interpellationBody(i),
			ProducedBy: i.Councillor + ", " + body.Name, Responsible: i.Councillor, ProducedAt: filed, Source: fmt.Sprintf("council.interpellation:%d", i.ID)})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE interpellations SET publication_id = $2 WHERE id = $1", i.ID, pub.ID); err != nil {
			return err
		}
		i.PublicationID = &pub.ID
		out = i
		return nil
	})
	return out, err
}

// AnswerInterpellation records the answer and publishes it in BIP as a new
// version of the interpellation's publication, in one transaction.
func (s *Service) AnswerInterpellation(ctx context.Context, id int64, answer string) (*Interpellation, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	answer, err := ratusz.Text("answer", answer, 50000, false)
	if err != nil {
		return nil, err
	}
	var out *Interpellation
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, "SELECT "+interpellationColumns+" FROM interpellations WHERE id = $1 FOR UPDATE", id)
		i, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Interpellation])
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.council.interpellation_not_found")
		} else if err != nil {
			return err
		}
		if i.AnsweredOn != nil {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.already_answered")
		}
		t := today()
		i.AnsweredOn, i.Answer = &t, answer
		if _, err := tx.Exec(ctx, "UPDATE interpellations SET answered_on = $2, answer = $3 WHERE id = $1", id, t, answer); err != nil {
			return err
		}
		if i.PublicationID != nil {
			cur, err := bip.LoadCurrent(ctx, tx, *i.PublicationID)
			if err != nil {
				return err
			}
			d := cur.Draft()
			d.Body = interpellationBody(i)
			if _, err := bip.Revise(ctx, tx, *i.PublicationID, d, "Udzielono odpowiedzi"); err != nil {
				return err
			}
		}
		out = i
		return nil
	})
	return out, err
}

// InterpellationFilter selects a register page.
type InterpellationFilter struct {
	BodyID       int64
	CouncillorID int64
	Status       string // answered, awaiting, overdue
	Kind         string
	Offset       int
	Limit        int
}

// Interpellations returns a page of the register, newest first, and the total.
func (s *Service) Interpellations(ctx context.Context, f InterpellationFilter) ([]*Interpellation, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var w pg.Where
	if f.BodyID != 0 {
		w.Add("body_id = ?", f.BodyID)
	}
	if f.CouncillorID != 0 {
		w.Add("councillor_id = ?", f.CouncillorID)
	}
	if f.Kind != "" {
		w.Add("kind = ?", f.Kind)
	}
	switch f.Status {
	case "":
	case "answered":
		w.Add("answered_on IS NOT NULL")
	case "awaiting":
		w.Add("answered_on IS NULL AND due_on >= ?", today())
	case "overdue":
		w.Add("answered_on IS NULL AND due_on < ?", today())
	default:
		return nil, 0, ratusz.Invalid("status", "err.council.status")
	}
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM interpellations"+w.SQL(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, args := w.Page(f.Offset, f.Limit)
	rows, _ := s.pool.Query(ctx, "SELECT "+interpellationColumns+" FROM interpellations"+w.SQL()+" ORDER BY filed_on DESC, id DESC"+page, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Interpellation])
	return list, total, err
}

// InterpellationByID returns one interpellation.
func (s *Service) InterpellationByID(ctx context.Context, id int64) (*Interpellation, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+interpellationColumns+" FROM interpellations WHERE id = $1", id)
	i, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Interpellation])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.council.interpellation_not_found")
	}
	return i, err
}

type radoskopInterpellation struct {
	DocID      string `json:"doc_id"`
	Kind       string `json:"typ"`
	Number     string `json:"nr_sprawy"`
	Filed      string `json:"data_wplywu"`
	FullTitle  string `json:"full_title"`
	Subject    string `json:"przedmiot"`
	URL        string `json:"bip_url"`
	Question   string `json:"tresc_url"`
	AnswerURL  string `json:"odpowiedz_url"`
	Councillor string `json:"radny"`
	Category   string `json:"kategoria"`
	Status     string `json:"odpowiedz_status"`
	Answered   string `json:"data_odpowiedzi"`
}

// ImportRadoskopInterpellations imports published interpellations into a
// body, linking each to the councillor of the same name when there is one.
// It returns how many it added; a document imported before is skipped.
func (s *Service) ImportRadoskopInterpellations(ctx context.Context, r io.Reader, bodyID int64) (int, error) {
	if err := MayManage(ctx); err != nil {
		return 0, err
	}
	var items []radoskopInterpellation
	if err := json.NewDecoder(r).Decode(&items); err != nil {
		return 0, ratusz.Invalid("file", "err.council.import_format", err.Error())
	}
	if _, err := s.BodyByID(ctx, bodyID); err != nil {
		return 0, err
	}
	added := 0
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for _, it := range items {
			filed, err := filedDate(it)
			if err != nil {
				return ratusz.Invalid("file", "err.council.import_format", "data_wplywu of "+it.Number)
			}
			var answered *time.Time
			if t, err := time.Parse("2006-01-02", it.Answered); err == nil {
				answered = &t
			}
			kind := it.Kind
			if kind != "interpelacja" && kind != "zapytanie" && kind != "wniosek" {
				kind = "interpelacja"
			}
			tag, err := tx.Exec(ctx, `INSERT INTO interpellations (body_id, councillor_id, councillor_name, kind, number, subject, category,
					filed_on, due_on, answered_on, question_url, answer_url, source_id)
				VALUES ($1, (SELECT id FROM councillors WHERE body_id = $1 AND name = $2 LIMIT 1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (body_id, source_id) DO NOTHING`,
				bodyID, it.Councillor, kind, it.Number, strings.TrimSpace(it.Subject), it.Category, filed, filed.AddDate(0, 0, AnswerDays),
				answered, firstNonEmpty(it.Question, it.URL), it.AnswerURL, "radoskop:"+it.DocID)
			if err != nil {
				return err
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	return added, err
}

var titleDate = regexp.MustCompile(`z dnia\s*(\d{1,2})\.(\d{1,2})\.(\d{4})`)

// filedDate is the filing date; some published items carry it only in their
// title ("z dnia 5.11.2025r."), and a few not even there: then the answer's
// date stands in.
func filedDate(it radoskopInterpellation) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", it.Filed); err == nil {
		return t, nil
	}
	if m := titleDate.FindStringSubmatch(it.FullTitle); m != nil {
		return time.Parse("2006-1-2", m[3]+"-"+m[2]+"-"+m[1])
	}
	return time.Parse("2006-01-02", it.Answered)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// MyBodies returns the bodies in which the acting account is a councillor.
func (s *Service) MyBodies(ctx context.Context) ([]*Body, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	if !a.Holds(ratusz.RoleCouncillor) && !a.Holds(ratusz.RoleChair) {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT b.id, b.name, b.kind, b.statutory_size FROM council_bodies b
		WHERE EXISTS (SELECT 1 FROM councillors c WHERE c.body_id = b.id AND c.active AND lower(c.email) = lower($1)) ORDER BY b.kind, b.id`, a.Email)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Body])
}
