package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/pg"
)

// Contact is a person's phone for SMS notices.
type Contact struct {
	Phone      string     `json:"phone"`
	VerifiedAt *time.Time `json:"verified_at"`
}

// Limits of phone verification.
const (
	codeTTL      = 10 * time.Minute
	codeAttempts = 5 // wrong codes before a new one must be asked for
	codesPerHour = 5
)

var phoneRE = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// NormalizePhone reads a phone number as people write it: "600 100 200",
// "+48 600-100-200", "0048600100200"; nine digits are a Polish number.
func NormalizePhone(s string) (string, bool) {
	s = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(strings.TrimSpace(s))
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if len(s) == 9 && !strings.HasPrefix(s, "+") {
		s = "+48" + s
	}
	return s, phoneRE.MatchString(s)
}

// Contact returns the actor's phone, or nil if none is set.
func (s *Service) Contact(ctx context.Context) (*Contact, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	c := &Contact{}
	err := s.pool.QueryRow(ctx, "SELECT phone, verified_at FROM contacts WHERE user_id = $1", a.UserID).Scan(&c.Phone, &c.VerifiedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

func codeHash(userID int64, code string) []byte {
	sum := sha256.Sum256([]byte("ratusz-phone:" + strconv.FormatInt(userID, 10) + ":" + code))
	return sum[:]
}

// SetPhone sets the actor's phone and sends it a code; SMS notices wait
// until VerifyPhone takes the code. Setting the same verified number
// again changes nothing.
func (s *Service) SetPhone(ctx context.Context, phone string, lang i18n.Lang) (*Contact, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	if s.SMS == nil {
		return nil, ratusz.Invalid("phone", "err.notify.sms_off")
	}
	p, ok := NormalizePhone(phone)
	if !ok {
		return nil, ratusz.Invalid("phone", "err.notify.phone")
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	c := &Contact{Phone: p}
	send := true
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var old string
		var verified *time.Time
		var sent int
		var since time.Time
		err := tx.QueryRow(ctx, "SELECT phone, verified_at, codes_sent, codes_since FROM contacts WHERE user_id = $1 FOR UPDATE", a.UserID).
			Scan(&old, &verified, &sent, &since)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case old == p && verified != nil:
			c.VerifiedAt, send = verified, false
			return nil
		case time.Since(since) < time.Hour && sent >= codesPerHour:
			return ratusz.Errorf(ratusz.ECONFLICT, "err.notify.codes_limit")
		}
		_, err = tx.Exec(ctx, `INSERT INTO contacts (user_id, phone, code_sha, code_expires, codes_sent, codes_since)
			VALUES ($1, $2, $3, now() + make_interval(secs => $4), 1, now())
			ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, verified_at = NULL, code_sha = excluded.code_sha,
				code_expires = excluded.code_expires, code_attempts = 0,
				codes_sent = CASE WHEN contacts.codes_since > now() - interval '1 hour' THEN contacts.codes_sent + 1 ELSE 1 END,
				codes_since = CASE WHEN contacts.codes_since > now() - interval '1 hour' THEN contacts.codes_since ELSE now() END`,
			a.UserID, p, codeHash(a.UserID, code), codeTTL.Seconds())
		return err
	})
	if err != nil || !send {
		return c, err
	}
	// Sent after commit: no transaction waits on the SMS provider.
	if err := s.SMS.SendSMS(ctx, p, i18n.T(lang, "notify.sms.code", s.Municipality, code)); err != nil {
		s.Log.Warn("notify: sending a phone's code", "err", err)
		return nil, ratusz.Errorf(ratusz.EINTERNAL, "err.notify.sms_failed")
	}
	return c, nil
}

// VerifyPhone takes the code sent to the actor's phone.
func (s *Service) VerifyPhone(ctx context.Context, code string) (*Contact, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	c := &Contact{}
	var wrong bool
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var sha []byte
		var expires *time.Time
		var attempts int
		err := tx.QueryRow(ctx, "SELECT phone, verified_at, code_sha, code_expires, code_attempts FROM contacts WHERE user_id = $1 FOR UPDATE", a.UserID).
			Scan(&c.Phone, &c.VerifiedAt, &sha, &expires, &attempts)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ratusz.Invalid("phone", "err.notify.no_phone")
		case err != nil:
			return err
		case c.VerifiedAt != nil:
			return nil
		case sha == nil || expires == nil || time.Now().After(*expires) || attempts >= codeAttempts:
			return ratusz.Invalid("code", "err.notify.code_expired")
		}
		if subtle.ConstantTimeCompare(sha, codeHash(a.UserID, code)) != 1 {
			wrong = true
			_, err := tx.Exec(ctx, "UPDATE contacts SET code_attempts = code_attempts + 1 WHERE user_id = $1", a.UserID)
			return err
		}
		return tx.QueryRow(ctx, "UPDATE contacts SET verified_at = now(), code_sha = NULL, code_expires = NULL WHERE user_id = $1 RETURNING verified_at", a.UserID).Scan(&c.VerifiedAt)
	})
	if err == nil && wrong {
		return nil, ratusz.Invalid("code", "err.notify.code_wrong")
	}
	return c, err
}
