package consultations

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Respondent is who answers: the signed-in actor in the context, or, for
// an open consultation answered without an account, the browser's random
// token (kept only as its SHA-256).
type Respondent struct {
	Browser string
}

// who returns the respondent's user id or browser hash, after checking
// that they may take part in c.

func who(ctx context.Context, c *Consultation, r Respondent) (*int64, []byte, error) {
	a := ratusz.ActorFromContext(ctx)
	if !a.Anonymous() && a.UserID > 0 {
		if c.Eligibility == Verified && !a.Verified {
			return nil, nil, ratusz.Errorf(ratusz.EFORBIDDEN, "err.consult.verified_only")
		}
		return &a.UserID, nil, nil
	}
	if c.Eligibility == Open && len(r.Browser) >= 16 {
		h := sha256.Sum256([]byte(r.Browser))
		return nil, h[:], nil
	}
	return nil, nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.sign_in_required")
}

func findMine(ctx context.Context, q pg.Querier, id int64, user *int64, browser []byte) (int64, []byte, error) {
	var rid int64
	var answers []byte
	var err error
	if user != nil {
		err = q.QueryRow(ctx, "SELECT id, answers FROM consultation_responses WHERE consultation_id = $1 AND user_id = $2", id, *user).Scan(&rid, &answers)
	} else {
		err = q.QueryRow(ctx, "SELECT id, answers FROM consultation_responses WHERE consultation_id = $1 AND browser_hash = $2", id, browser).Scan(&rid, &answers)
	}
	return rid, answers, err
}

// Respond stores the respondent's answers, validated against the survey
// (an error names the question), once: a second response is a conflict.
// With change, it replaces the respondent's response instead. Either is
// refused outside the consultation's period.
func (s *Service) Respond(ctx context.Context, id int64, r Respondent, raw map[string]any, change bool) (Answers, error) {
	var out Answers
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, id, "SHARE")
		if err != nil {
			return err
		}
		if c.State == StateDraft && !MayManage(ctx) {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.not_found")
		}
		user, browser, err := who(ctx, c, r)
		if err != nil {
			return err
		}
		if !c.AcceptsResponses(time.Now()) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_accepting")
		}
		if len(c.Questions) == 0 {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.no_survey")
		}
		if out, err = validateAnswers(c.Questions, raw); err != nil {
			return err
		}
		b, _ := json.Marshal(out)
		if !change {
			_, err = tx.Exec(ctx, "INSERT INTO consultation_responses (consultation_id, user_id, browser_hash, answers) VALUES ($1, $2, $3, $4)", id, user, browser, b)
			if pg.IsConstraint(err, "consultation_responses_user_key") || pg.IsConstraint(err, "consultation_responses_browser_key") {
				return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.already_responded")
			}
			if err != nil {
				return err
			}
			return outbox.WriteLive(ctx, tx, EventResponse, topic(id), map[string]any{"consultation": id})
		}
		rid, _, err := findMine(ctx, tx, id, user, browser)
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.no_response")
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE consultation_responses SET answers = $2, updated_at = now() WHERE id = $1", rid, b); err != nil {
			return err
		}
		// The texts may be new: they wait for moderation again.
		_, err = tx.Exec(ctx, "DELETE FROM consultation_moderation WHERE response_id = $1", rid)
		return err
	})
	return out, err
}

// Mine returns the respondent's answers, nil if they have not responded.
func (s *Service) Mine(ctx context.Context, c *Consultation, r Respondent) (Answers, error) {
	user, browser, err := who(ctx, c, r)
	if err != nil {
		return nil, nil
	}
	_, b, err := findMine(ctx, s.pool, c.ID, user, browser)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return decodeAnswers(c.Questions, b)
}

// TextAnswer is a text answer awaiting or past moderation.
type TextAnswer struct {
	ResponseID int64  `json:"response"`
	QuestionID string `json:"question"`
	Text       string `json:"text"`
	Visible    *bool  `json:"visible"` // nil: not yet moderated
}

// TextAnswers lists a consultation's text answers for the officer, those
// awaiting a decision first.
func (s *Service) TextAnswers(ctx context.Context, c *Consultation) ([]*TextAnswer, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	return textAnswers(ctx, s.pool, c, false)
}

func textAnswers(ctx context.Context, q pg.Querier, c *Consultation, visibleOnly bool) ([]*TextAnswer, error) {
	var out, done []*TextAnswer
	for _, qu := range c.Questions {
		if !qu.IsText() {
			continue
		}
		rows, _ := q.Query(ctx, `SELECT r.id, r.answers->>$2, m.visible FROM consultation_responses r
			LEFT JOIN consultation_moderation m ON m.response_id = r.id AND m.question_id = $2
			WHERE r.consultation_id = $1 AND coalesce(r.answers->>$2, '') <> '' AND (NOT $3 OR m.visible) ORDER BY r.id`, c.ID, qu.ID, visibleOnly)
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*TextAnswer, error) {
			t := &TextAnswer{QuestionID: qu.ID}
			err := row.Scan(&t.ResponseID, &t.Text, &t.Visible)
			return t, err
		})
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			if t.Visible == nil {
				out = append(out, t)
			} else {
				done = append(done, t)
			}
		}
	}
	return append(out, done...), nil
}

// Moderate shows or hides a text answer in the public results.
func (s *Service) Moderate(ctx context.Context, consultationID, responseID int64, question string, visible bool) error {
	if err := mayManage(ctx); err != nil {
		return err
	}
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM consultation_responses WHERE id = $1 AND consultation_id = $2", responseID, consultationID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.no_response")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO consultation_moderation (response_id, question_id, visible, moderated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (response_id, question_id) DO UPDATE SET visible = EXCLUDED.visible, moderated_by = EXCLUDED.moderated_by, moderated_at = now()`,
		responseID, question, visible, userID(ctx))
	return err
}
