package consultations

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Verdicts on a remark.
const (
	Accepted = "accepted"
	Partly   = "partly"
	Rejected = "rejected"
)

// Verdicts lists them in the order forms offer them.
var Verdicts = []string{Accepted, Partly, Rejected}

// Remark is a resident's remark (uwaga) on a document under consultation,
// with the office's answer.
type Remark struct {
	ID             int64      `json:"id" db:"id"`
	ConsultationID int64      `json:"consultation" db:"consultation_id"`
	DocumentID     *int64     `json:"document,omitempty" db:"document_id"`
	Document       string     `json:"document_name,omitempty" db:"document"`
	Section        string     `json:"section" db:"section"`
	Body           string     `json:"body" db:"body"`
	Author         string     `json:"-" db:"author"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
	Verdict        *string    `json:"verdict" db:"verdict"`
	Justification  string     `json:"justification" db:"justification"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty" db:"answered_at"`
}

const remarkColumns = `r.id, r.consultation_id, r.document_id, coalesce(d.name, '') AS document, r.section, r.body, r.author, r.created_at,
	r.verdict, r.justification, r.answered_at`

// RemarkInput is a remark being submitted.
type RemarkInput struct {
	Document int64  `json:"document"` // 0: the consultation as a whole
	Section  string `json:"section"`
	Body     string `json:"body"`
}

// MaxRemarks is how many remarks one person, or one browser where the
// consultation is open to anyone, may make in a consultation.
const MaxRemarks = 20

// AddRemark records a remark from someone who may take part, while the
// consultation takes responses.
func (s *Service) AddRemark(ctx context.Context, id int64, r Respondent, in RemarkInput) (*Remark, error) {
	var rid int64
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, id, "SHARE")
		if err != nil {
			return err
		}
		if c.State == StateDraft {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.not_found")
		}
		user, browser, err := who(ctx, c, r)
		if err != nil {
			return err
		}
		if !c.AcceptsResponses(time.Now()) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_accepting")
		}
		// Each remark must be answered in the report: a person (or, open to
		// anyone, a browser) may make MaxRemarks in one consultation.
		// One remark at a time per respondent, so two at once cannot both
		// pass the count.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('consultation-remark:' || ($1::bigint)::text || ':' ||
			coalesce(($2::bigint)::text, encode($3::bytea, 'hex')), 0))`, id, user, browser); err != nil {
			return err
		}
		var made int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM consultation_remarks WHERE consultation_id = $1
			AND (user_id = $2 OR browser_hash = $3)`, id, user, browser).Scan(&made); err != nil {
			return err
		}
		if made >= MaxRemarks {
			return ratusz.Errorf(ratusz.ETOOMANY, "err.consult.too_many_remarks", MaxRemarks)
		}
		if in.Section, err = ratusz.Text("section", in.Section, 200, true); err != nil {
			return err
		}
		if in.Body, err = ratusz.Text("body", in.Body, 10000, false); err != nil {
			return err
		}
		var doc *int64
		if in.Document != 0 {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM consultation_documents WHERE id = $1 AND consultation_id = $2", in.Document, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return ratusz.Invalid("document", "err.consult.document_not_found")
			}
			doc = &in.Document
		}
		author := ""
		if a := ratusz.ActorFromContext(ctx); user != nil {
			author = a.Name
		}
		if err := tx.QueryRow(ctx, `INSERT INTO consultation_remarks (consultation_id, document_id, section, body, user_id, author, browser_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, doc, in.Section, in.Body, user, author, browser).Scan(&rid); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventRemark, topic(id), map[string]any{"consultation": id, "remark": rid})
	})
	if err != nil {
		return nil, err
	}
	return remarkByID(ctx, s.pool, rid)
}

func remarkByID(ctx context.Context, q pg.Querier, id int64) (*Remark, error) {
	rows, _ := q.Query(ctx, "SELECT "+remarkColumns+" FROM consultation_remarks r LEFT JOIN consultation_documents d ON d.id = r.document_id WHERE r.id = $1", id)
	rem, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Remark])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.remark_not_found")
	}
	return rem, err
}

// Remarks lists a consultation's remarks in the order they came. People
// see the answered ones; the officer sees all.
func (s *Service) Remarks(ctx context.Context, id int64) ([]*Remark, error) {
	return remarks(ctx, s.pool, id, !MayManage(ctx))
}

func remarks(ctx context.Context, q pg.Querier, id int64, answeredOnly bool) ([]*Remark, error) {
	rows, _ := q.Query(ctx, "SELECT "+remarkColumns+` FROM consultation_remarks r LEFT JOIN consultation_documents d ON d.id = r.document_id
		WHERE r.consultation_id = $1 AND (NOT $2 OR r.verdict IS NOT NULL) ORDER BY r.id`, id, answeredOnly)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Remark])
}

// AnswerRemark records the office's answer: accepted, partly accepted or
// rejected, with a justification (required unless accepted). It may be
// changed until the consultation is closed.
func (s *Service) AnswerRemark(ctx context.Context, consultationID, remarkID int64, verdict, justification string) (*Remark, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	switch verdict {
	case Accepted, Partly, Rejected:
	default:
		return nil, ratusz.Invalid("verdict", "err.consult.verdict")
	}
	j, err := ratusz.Text("justification", justification, 10000, verdict == Accepted)
	if err != nil {
		return nil, err
	}
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, consultationID, "UPDATE")
		if err != nil {
			return err
		}
		if c.State != StateOpen {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_open")
		}
		tag, err := tx.Exec(ctx, `UPDATE consultation_remarks SET verdict = $3, justification = $4, answered_by = $5, answered_at = now()
			WHERE id = $1 AND consultation_id = $2`, remarkID, consultationID, verdict, j, userID(ctx))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.remark_not_found")
		}
		return outbox.Write(ctx, tx, EventRemarkAnswered, topic(consultationID), map[string]any{"consultation": consultationID, "remark": remarkID})
	})
	if err != nil {
		return nil, err
	}
	return remarkByID(ctx, s.pool, remarkID)
}
