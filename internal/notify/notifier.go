package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/mail"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Item is what an event means to the followers of one target.
type Item struct {
	Target Target
	// Key names the item: one item reaches a person once per channel,
	// however many of their follows it matches ("vote:12").
	Key string
	// Title is the notice's line, in a follower's language.
	Title func(i18n.Lang) string
	URL   string // a path on the site
	At    time.Time
}

// Source says what an event means to followers, reading what it needs
// through q (the notifier's transaction). It returns no items for events
// of other modules.
type Source func(ctx context.Context, q pg.Querier, ev ratusz.Event) ([]Item, error)

// Wake asks for a check soon; it never blocks.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run checks now, when woken and every Every, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		if err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("notify: check failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-time.After(s.Every):
		}
	}
}

// Step reads new events into notices, binds due notices to messages and
// sends what is unsent.
func (s *Service) Step(ctx context.Context) error {
	for {
		n, err := s.enqueue(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if err := s.compose(ctx); err != nil {
		return err
	}
	return s.sendAll(ctx)
}

// enqueue reads up to a batch of events and writes their notices, in one
// transaction; it returns how many events it read.
func (s *Service) enqueue(ctx context.Context) (int, error) {
	var n int
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		events, err := outbox.Unnoticed(ctx, tx, 100)
		if err != nil {
			return err
		}
		n = len(events)
		ids := make([]int64, len(events))
		for i, ev := range events {
			ids[i] = ev.ID
			for _, src := range s.sources {
				items, err := src(ctx, tx, ev)
				if err != nil {
					return fmt.Errorf("event %d (%s): %w", ev.ID, ev.Type, err)
				}
				for _, it := range items {
					if err := addNotices(ctx, tx, ev.ID, ev.At, it); err != nil {
						return err
					}
				}
			}
		}
		if n == 0 {
			return nil
		}
		return outbox.MarkNoticed(ctx, tx, ids)
	})
	return n, err
}

// addNotices writes an item's notice for each follower of its target who
// followed it before the event.
func addNotices(ctx context.Context, q pg.Querier, eventID int64, at time.Time, it Item) error {
	if it.At.IsZero() {
		it.At = at
	}
	pl, en := it.Title(i18n.PL), it.Title(i18n.EN)
	_, err := q.Exec(ctx, `INSERT INTO notices (follow_id, user_id, channel, item_key, event_id, title, url, at)
		SELECT f.id, f.user_id, f.channel, $3, $4, CASE f.lang WHEN 'en' THEN $6 ELSE $5 END, $7, $8
		FROM follows f WHERE f.target_type = $1 AND f.target_id = $2 AND f.ended_at IS NULL AND f.created_at <= $9
		ORDER BY f.id
		ON CONFLICT (user_id, channel, item_key) DO NOTHING`,
		it.Target.Type, it.Target.ID, it.Key, eventID, pl, en, it.URL, it.At, at)
	return err
}

// Add writes notices of items that do not come from the outbox (a saved
// search's new results); it reports whether anyone follows the targets.
func (s *Service) Add(ctx context.Context, items []Item) (followed bool, err error) {
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for _, it := range items {
			var some bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM follows WHERE target_type = $1 AND target_id = $2 AND ended_at IS NULL)",
				it.Target.Type, it.Target.ID).Scan(&some); err != nil {
				return err
			}
			if !some {
				continue
			}
			followed = true
			if err := addNotices(ctx, tx, 0, s.Now(), it); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && followed {
		s.Wake()
	}
	return followed, err
}

// digestStart is when the digest period that contains now began: 7:00
// Warsaw time every day, or on Mondays for weekly digests.
func digestStart(delivery string, now time.Time) time.Time {
	t := now.In(i18n.Warsaw)
	start := time.Date(t.Year(), t.Month(), t.Day(), 7, 0, 0, 0, i18n.Warsaw)
	if t.Before(start) {
		start = start.AddDate(0, 0, -1)
	}
	if delivery == "weekly" {
		for start.Weekday() != time.Monday {
			start = start.AddDate(0, 0, -1)
		}
	}
	return start
}

type pending struct {
	id, userID       int64
	channel, deliver string
	lang             string
	at               time.Time
}

// compose binds pending notices to messages: each notice of an immediate
// follow alone; a person's notices of daily (weekly) follows from before
// the period began (7:00, Monday 7:00) together, in one digest per period.
func (s *Service) compose(ctx context.Context) error {
	return pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// One composer at a time, across processes: two would each see no
		// digest made yet this period and split a person's notices.
		if err := pg.LockXact(ctx, tx, "notify-compose"); err != nil {
			return err
		}
		now := s.Now()
		// Only notices that are due: those waiting for a later digest,
		// however many, must not fill the batch and hold up the rest.
		rows, _ := tx.Query(ctx, `SELECT n.id, n.user_id, n.channel, f.delivery, f.lang, n.at FROM notices n JOIN follows f ON f.id = n.follow_id
			WHERE n.message_id IS NULL AND f.ended_at IS NULL
				AND (f.delivery = 'immediate' OR n.at < CASE f.delivery WHEN 'weekly' THEN $2::timestamptz ELSE $1::timestamptz END)
			ORDER BY n.id LIMIT 2000 FOR UPDATE OF n SKIP LOCKED`, digestStart("daily", now), digestStart("weekly", now))
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pending, error) {
			var p pending
			return p, row.Scan(&p.id, &p.userID, &p.channel, &p.deliver, &p.lang, &p.at)
		})
		if err != nil {
			return err
		}
		type group struct {
			userID           int64
			channel, deliver string
		}
		digests := map[group][]pending{}
		var order []group
		for _, p := range list {
			if p.deliver == "immediate" {
				if err := s.newMessage(ctx, tx, p.userID, p.channel, p.deliver, p.lang, now, []int64{p.id}); err != nil {
					return err
				}
				continue
			}
			if !p.at.Before(digestStart(p.deliver, now)) {
				continue // for the next period's digest
			}
			g := group{p.userID, p.channel, p.deliver}
			if _, seen := digests[g]; !seen {
				order = append(order, g)
			}
			digests[g] = append(digests[g], p)
		}
		for _, g := range order {
			ps := digests[g]
			var made bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notice_messages WHERE user_id = $1 AND channel = $2 AND delivery = $3 AND created_at >= $4)`,
				g.userID, g.channel, g.deliver, digestStart(g.deliver, now)).Scan(&made); err != nil {
				return err
			}
			if made {
				continue
			}
			// All the group's due notices, not only the batch's: a digest
			// is not split by the batch's limit (its rest a period late).
			rows, _ := tx.Query(ctx, `SELECT n.id FROM notices n JOIN follows f ON f.id = n.follow_id
				WHERE n.user_id = $1 AND n.channel = $2 AND f.delivery = $3 AND n.message_id IS NULL AND f.ended_at IS NULL AND n.at < $4
				ORDER BY n.id FOR UPDATE OF n SKIP LOCKED`, g.userID, g.channel, g.deliver, digestStart(g.deliver, now))
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			if err := s.newMessage(ctx, tx, g.userID, g.channel, g.deliver, ps[len(ps)-1].lang, now, ids); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) newMessage(ctx context.Context, tx pgx.Tx, userID int64, channel, delivery, lang string, now time.Time, notices []int64) error {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO notice_messages (user_id, channel, delivery, lang, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		userID, channel, delivery, lang, now).Scan(&id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE notices SET message_id = $1 WHERE id = ANY($2)", id, notices)
	return err
}

// maxAttempts is how often a message is tried before it is given up
// (with its error kept on the row).
const maxAttempts = 12

type message struct {
	id, userID              int64
	channel, delivery, lang string
	attempts                int
	email, phone            string
	notices                 []noticeLine
}

type noticeLine struct{ title, url string }

// sendAll sends every unsent message that is not held by another attempt.
func (s *Service) sendAll(ctx context.Context) error {
	for ctx.Err() == nil {
		m, err := s.claim(ctx)
		if err != nil {
			return err
		}
		if m == nil {
			return nil
		}
		if err := s.send(ctx, m); err != nil {
			if errors.Is(err, errCrash) {
				return err
			}
			// Tried again later, each time after a longer wait.
			wait := min(time.Minute<<min(m.attempts, 6), time.Hour)
			s.Log.Warn("notify: a message was not sent; it will be tried again", "message", m.id, "attempt", m.attempts, "err", err)
			if _, err := s.pool.Exec(ctx, "UPDATE notice_messages SET claimed_till = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1",
				m.id, wait.Seconds(), err.Error()); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

var errCrash = errors.New("notify: crash (test)")

// claim takes the oldest unsent message nobody holds, for ClaimFor, with
// what it needs to be written.
func (s *Service) claim(ctx context.Context) (*message, error) {
	m := &message{}
	var email, phone *string
	err := s.pool.QueryRow(ctx, `UPDATE notice_messages m SET claimed_till = now() + make_interval(secs => $1), attempts = attempts + 1
		FROM users u
			LEFT JOIN contacts c ON c.user_id = u.id AND c.kind = 'phone'
			LEFT JOIN contacts e ON e.user_id = u.id AND e.kind = 'email'
		WHERE m.id = (SELECT id FROM notice_messages WHERE sent_at IS NULL AND attempts < $2 AND (claimed_till IS NULL OR claimed_till < now())
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) AND u.id = m.user_id
		RETURNING m.id, m.user_id, m.channel, m.delivery, m.lang, m.attempts, COALESCE(e.confirmed, NULLIF(u.email, '')), c.confirmed`, s.ClaimFor.Seconds(), maxAttempts).
		Scan(&m.id, &m.userID, &m.channel, &m.delivery, &m.lang, &m.attempts, &email, &phone)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if email != nil {
		m.email = *email
	}
	if phone != nil {
		m.phone = *phone
	}
	rows, _ := s.pool.Query(ctx, "SELECT title, url FROM notices WHERE message_id = $1 ORDER BY at, id", m.id)
	m.notices, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (noticeLine, error) {
		var l noticeLine
		return l, row.Scan(&l.title, &l.url)
	})
	return m, err
}

// send writes and sends a message, then records it as sent. A fresh
// unsubscribe token goes in each attempt (only its hash is kept); the
// Message-ID stays the same, so a message sent again after a crash
// between the server's answer and the record is one message to the
// reader's mail system.
func (s *Service) send(ctx context.Context, m *message) error {
	lang := i18n.Lang(m.lang)
	var raw [32]byte
	rand.Read(raw[:])
	sum := sha256.Sum256(raw[:])
	if _, err := s.pool.Exec(ctx, "INSERT INTO notice_tokens (sha, message_id) VALUES ($1, $2)", sum[:], m.id); err != nil {
		return err
	}
	unsub := s.BaseURL + "/powiadomienia/wypisz/" + base64.RawURLEncoding.EncodeToString(raw[:])
	var err error
	switch m.channel {
	case "email":
		if m.email == "" {
			err = errors.New("the account has no e-mail address")
			break
		}
		err = s.Mail.SendMessage(ctx, s.mailOf(m, lang, unsub))
	case "sms":
		switch {
		case s.SMS == nil:
			err = errors.New("SMS is not configured (RATUSZ_SMS_URL)")
		case m.phone == "":
			err = errors.New("the account has no verified phone")
		default:
			err = s.SMS.SendSMS(ctx, m.phone, s.smsOf(m, lang, unsub))
		}
	}
	if err != nil {
		return err
	}
	if s.afterSend != nil {
		if err := s.afterSend(m.id); err != nil {
			return errCrash
		}
	}
	_, err = s.pool.Exec(ctx, "UPDATE notice_messages SET sent_at = now(), claimed_till = NULL, last_error = NULL WHERE id = $1", m.id)
	return err
}

func (s *Service) subject(m *message, lang i18n.Lang) string {
	switch m.delivery {
	case "daily":
		return i18n.N(lang, "notify.subject.daily:n", len(m.notices), s.Municipality)
	case "weekly":
		return i18n.N(lang, "notify.subject.weekly:n", len(m.notices), s.Municipality)
	}
	if len(m.notices) == 0 {
		return s.Municipality
	}
	return s.Municipality + ": " + m.notices[0].title
}

func (s *Service) mailOf(m *message, lang i18n.Lang, unsub string) mail.Message {
	var b strings.Builder
	if m.delivery != "immediate" {
		fmt.Fprintf(&b, "%s\r\n\r\n", i18n.N(lang, "notify.mail.digest_intro:n", len(m.notices)))
	}
	for _, n := range m.notices {
		fmt.Fprintf(&b, "- %s\r\n  %s%s\r\n", n.title, s.BaseURL, n.url)
	}
	fmt.Fprintf(&b, "\r\n%s\r\n%s/konto/powiadomienia\r\n\r\n%s\r\n%s\r\n",
		i18n.T(lang, "notify.mail.manage"), s.BaseURL, i18n.T(lang, "notify.mail.unsubscribe"), unsub)
	host := "ratusz"
	if u, err := url.Parse(s.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return mail.Message{To: m.email, Subject: s.subject(m, lang), Body: b.String(), Headers: []string{
		"Message-ID: <notice-" + strconv.FormatInt(m.id, 10) + "@" + host + ">",
		"List-Unsubscribe: <" + unsub + ">",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
		"Auto-Submitted: auto-generated",
	}}
}

// smsOf is the text of an SMS: one notice with its link, or a digest's
// count and first lines; at most three SMS parts' worth.
func (s *Service) smsOf(m *message, lang i18n.Lang, unsub string) string {
	var b strings.Builder
	b.WriteString(s.Municipality + ": ")
	if m.delivery == "immediate" && len(m.notices) == 1 {
		b.WriteString(cut(m.notices[0].title, 160) + " " + s.BaseURL + m.notices[0].url)
	} else {
		b.WriteString(i18n.N(lang, "notify.mail.digest_intro:n", len(m.notices)))
		for i, n := range m.notices {
			if i == 3 {
				b.WriteString(" …")
				break
			}
			b.WriteString(" " + cut(n.title, 60) + ";")
		}
		b.WriteString(" " + s.BaseURL + "/konto/powiadomienia")
	}
	b.WriteString(" " + i18n.T(lang, "notify.sms.stop") + " " + unsub)
	return b.String()
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Unsubscribed is what an unsubscribe token ended.
type Unsubscribed struct {
	Titles    []string // what its message carried
	Following []string // the names of what its follows still follow, which a click ends
	Active    bool     // some of its follows are still active
	Ended     int      // follows ended now
}

func tokenSHA(token string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}

// ByToken returns what the message of an unsubscribe token carried and
// how many of its follows are still active.
func (s *Service) ByToken(ctx context.Context, token string) (*Unsubscribed, error) {
	sha, ok := tokenSHA(token)
	if !ok {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.notify.token")
	}
	u := &Unsubscribed{}
	rows, _ := s.pool.Query(ctx, `SELECT n.title, f.ended_at IS NULL, f.target_type, f.target_id FROM notice_tokens t JOIN notices n ON n.message_id = t.message_id
		JOIN follows f ON f.id = n.follow_id WHERE t.sha = $1 ORDER BY n.at, n.id`, sha)
	var title string
	var active bool
	var t Target
	var targets []Target
	if _, err := pgx.ForEachRow(rows, []any{&title, &active, &t.Type, &t.ID}, func() error {
		if !slices.Contains(u.Titles, title) {
			u.Titles = append(u.Titles, title)
		}
		if active && !slices.Contains(targets, t) {
			targets = append(targets, t)
		}
		u.Active = u.Active || active
		return nil
	}); err != nil {
		return nil, err
	}
	if len(u.Titles) == 0 {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.notify.token")
	}
	// Named after reading: no query while the rows are open.
	for _, t := range targets {
		if info, ok := s.targets[t.Type]; ok {
			if name, _, err := info(ctx, t.ID); err == nil {
				u.Following = append(u.Following, name)
			}
		}
	}
	return u, nil
}

// Unsubscribe ends the follows whose notices the token's message carried.
func (s *Service) Unsubscribe(ctx context.Context, token string) (*Unsubscribed, error) {
	u, err := s.ByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	sha, _ := tokenSHA(token)
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE follows SET ended_at = now() WHERE ended_at IS NULL AND id IN (
			SELECT n.follow_id FROM notice_tokens t JOIN notices n ON n.message_id = t.message_id WHERE t.sha = $1) RETURNING id`, sha)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		u.Ended = len(ids)
		return dropPending(ctx, tx, ids)
	})
	return u, err
}
