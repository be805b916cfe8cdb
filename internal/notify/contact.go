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
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/internal/pg"
)

// Contact is how a person is reached besides their account: a phone for
// SMS notices and, when the account has none or they want another, an
// e-mail address. Phone and Email are the last given, confirmed at
// VerifiedAt and EmailVerifiedAt (nil while a code waits); SMSTo and
// EmailTo are where notices go now: the last address confirmed, which a
// new one replaces only once its code is typed.
type Contact struct {
	Phone           string     `json:"phone"`
	VerifiedAt      *time.Time `json:"verified_at"`
	SMSTo           string     `json:"sms_to"`
	Email           string     `json:"email"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
	EmailTo         string     `json:"email_to"`
}

// The kinds of contact, and the fields their codes are typed in.
const (
	kindPhone = "phone"
	kindEmail = "email"
)

// codeField is the field a kind's code is typed in; noContact and
// wrongCode its messages.
var (
	codeField = map[string]string{kindPhone: "code", kindEmail: "email_code"}
	noContact = map[string]string{kindPhone: "err.notify.no_phone", kindEmail: "err.notify.no_email_contact"}
	wrongCode = map[string]string{kindPhone: "err.notify.code_wrong_phone", kindEmail: "err.notify.code_wrong_email"}
)

// Limits of confirmation codes.
const (
	codeTTL      = 10 * time.Minute
	codeAttempts = 5 // wrong codes before a new one must be asked for
	codesPerHour = 5
	codesPerDay  = 10 // so nobody makes the municipality mail a stranger all day
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

// Contact returns the actor's phone and e-mail for notices, or nil if
// neither is set.
func (s *Service) Contact(ctx context.Context) (*Contact, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT kind, address, verified_at, coalesce(confirmed, '') FROM contacts WHERE user_id = $1", a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var c *Contact
	for rows.Next() {
		var kind, addr, confirmed string
		var at *time.Time
		if err := rows.Scan(&kind, &addr, &at, &confirmed); err != nil {
			return nil, err
		}
		if c == nil {
			c = &Contact{}
		}
		if kind == kindPhone {
			c.Phone, c.VerifiedAt, c.SMSTo = addr, at, confirmed
		} else {
			c.Email, c.EmailVerifiedAt, c.EmailTo = addr, at, confirmed
		}
	}
	return c, rows.Err()
}

func codeHash(userID int64, kind, code string) []byte {
	sum := sha256.Sum256([]byte("ratusz-" + kind + ":" + strconv.FormatInt(userID, 10) + ":" + code))
	return sum[:]
}

// SetPhone sets the actor's phone and sends it a code; SMS notices wait
// until VerifyPhone takes the code. Setting the same verified number
// again changes nothing.
func (s *Service) SetPhone(ctx context.Context, phone string, lang i18n.Lang) (*Contact, error) {
	if err := ratusz.ActorFromContext(ctx).Require(); err != nil {
		return nil, err
	}
	if s.SMS == nil {
		return nil, ratusz.Invalid("phone", "err.notify.sms_off")
	}
	p, ok := NormalizePhone(phone)
	if !ok {
		return nil, ratusz.Invalid("phone", "err.notify.phone")
	}
	return s.setContact(ctx, kindPhone, p, func(code string) error {
		if err := s.SMS.SendSMS(ctx, p, i18n.T(lang, "notify.sms.code", s.Municipality, code)); err != nil {
			s.Log.Warn("notify: sending a phone's code", "err", err)
			return ratusz.Errorf(ratusz.EINTERNAL, "err.notify.sms_failed")
		}
		return nil
	})
}

// SetEmail sets the address the actor's e-mail notices go to and sends it
// a code; until VerifyEmail takes it, notices go to the account's own
// address, if it has one.
func (s *Service) SetEmail(ctx context.Context, email string, lang i18n.Lang) (*Contact, error) {
	if err := ratusz.ActorFromContext(ctx).Require(); err != nil {
		return nil, err
	}
	email, err := ratusz.Email("email", email, false)
	if err != nil {
		return nil, err
	}
	return s.setContact(ctx, kindEmail, email, func(code string) error {
		err := s.Mail.SendMessage(ctx, mail.Message{To: email,
			Subject: i18n.T(lang, "notify.email.code_subject", s.Municipality),
			Body:    i18n.T(lang, "notify.email.code_body", s.Municipality, code)})
		if err != nil {
			s.Log.Warn("notify: sending an e-mail address's code", "err", err)
			return ratusz.Errorf(ratusz.EINTERNAL, "err.notify.email_failed")
		}
		return nil
	})
}

// setContact stores the actor's address of a kind, unconfirmed, with a
// fresh code, and sends the code after commit (no transaction waits on a
// provider). The same confirmed address again changes nothing.
func (s *Service) setContact(ctx context.Context, kind, addr string, send func(code string) error) (*Contact, error) {
	a := ratusz.ActorFromContext(ctx)
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	fresh := true
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// One at a time per person and kind, so the limits hold when the
		// first code is asked for twice at once.
		if err := pg.LockXact(ctx, tx, "contact", a.UserID, kind); err != nil {
			return err
		}
		var confirmed *string
		var sent, today int
		var since, daySince time.Time
		err := tx.QueryRow(ctx, "SELECT confirmed, codes_sent, codes_since, codes_today, codes_day_since FROM contacts WHERE user_id = $1 AND kind = $2 FOR UPDATE", a.UserID, kind).
			Scan(&confirmed, &sent, &since, &today, &daySince)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case confirmed != nil && *confirmed == addr:
			// The address notices already go to: nothing to confirm.
			fresh = false
			_, err := tx.Exec(ctx, `UPDATE contacts SET address = confirmed, verified_at = coalesce(verified_at, now()), code_sha = NULL, code_expires = NULL
				WHERE user_id = $1 AND kind = $2`, a.UserID, kind)
			return err
		case time.Since(since) < time.Hour && sent >= codesPerHour, time.Since(daySince) < 24*time.Hour && today >= codesPerDay:
			return ratusz.Errorf(ratusz.ECONFLICT, "err.notify.codes_limit")
		}
		_, err = tx.Exec(ctx, `INSERT INTO contacts (user_id, kind, address, code_sha, code_expires, codes_sent, codes_since, codes_today, codes_day_since)
			VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), 1, now(), 1, now())
			ON CONFLICT (user_id, kind) DO UPDATE SET address = excluded.address, verified_at = NULL, code_sha = excluded.code_sha,
				code_expires = excluded.code_expires, code_attempts = 0,
				codes_sent = CASE WHEN contacts.codes_since > now() - interval '1 hour' THEN contacts.codes_sent + 1 ELSE 1 END,
				codes_since = CASE WHEN contacts.codes_since > now() - interval '1 hour' THEN contacts.codes_since ELSE now() END,
				codes_today = CASE WHEN contacts.codes_day_since > now() - interval '1 day' THEN contacts.codes_today + 1 ELSE 1 END,
				codes_day_since = CASE WHEN contacts.codes_day_since > now() - interval '1 day' THEN contacts.codes_day_since ELSE now() END`,
			a.UserID, kind, addr, codeHash(a.UserID, kind, code), codeTTL.Seconds())
		return err
	})
	if err != nil {
		return nil, err
	}
	if fresh {
		if err := send(code); err != nil {
			return nil, err
		}
	}
	return s.Contact(ctx)
}

// VerifyPhone takes the code sent to the actor's phone.
func (s *Service) VerifyPhone(ctx context.Context, code string) (*Contact, error) {
	return s.verify(ctx, kindPhone, code)
}

// VerifyEmail takes the code sent to the actor's e-mail address.
func (s *Service) VerifyEmail(ctx context.Context, code string) (*Contact, error) {
	return s.verify(ctx, kindEmail, code)
}

func (s *Service) verify(ctx context.Context, kind, code string) (*Contact, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	field := codeField[kind]
	var wrong bool
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var sha []byte
		var verified, expires *time.Time
		var attempts int
		err := tx.QueryRow(ctx, "SELECT verified_at, code_sha, code_expires, code_attempts FROM contacts WHERE user_id = $1 AND kind = $2 FOR UPDATE", a.UserID, kind).
			Scan(&verified, &sha, &expires, &attempts)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ratusz.Invalid(kind, noContact[kind])
		case err != nil:
			return err
		case verified != nil:
			return nil
		case sha == nil || expires == nil || time.Now().After(*expires) || attempts >= codeAttempts:
			return ratusz.Invalid(field, "err.notify.code_expired")
		}
		if subtle.ConstantTimeCompare(sha, codeHash(a.UserID, kind, code)) != 1 {
			wrong = true
			_, err := tx.Exec(ctx, "UPDATE contacts SET code_attempts = code_attempts + 1 WHERE user_id = $1 AND kind = $2", a.UserID, kind)
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE contacts SET verified_at = now(), confirmed = address, code_sha = NULL, code_expires = NULL WHERE user_id = $1 AND kind = $2", a.UserID, kind)
		return err
	})
	if err == nil && wrong {
		return nil, ratusz.Invalid(field, wrongCode[kind])
	}
	if err != nil {
		return nil, err
	}
	return s.Contact(ctx)
}
