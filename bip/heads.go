package bip

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// HeadsCategory is where the daily heads of the log are published.
const HeadsCategory = "stan-rejestru"

// PublishHead publishes the log's head as of now, once for the day (in
// Warsaw) of now: "Stan rejestru zmian BIP z dnia 4 grudnia 2026 r.". A
// second call the same day, from this instance or another, publishes
// nothing and returns nil. The publication is itself the next entry of the
// log, so each day's head is covered by the next day's.
func (s *Service) PublishHead(ctx context.Context, now time.Time) (*Publication, error) {
	day := now.In(Warsaw).Format("2006-01-02")
	source := "bip.head:" + day
	// Every instance asks every hour; once the day's head is out, that is
	// one read, not a wait for the log's lock.
	var done bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM bip_publications WHERE source = $1)", source).Scan(&done); err != nil || done {
		return nil, err
	}
	var out *Publication
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// Under the log's own lock, so that no entry slips in between and
		// two instances do not both publish the day's head (the second, once
		// it has the lock, sees the first one's publication).
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM bip_publications WHERE source = $1)", source).Scan(&exists); err != nil || exists {
			return err
		}
		var h Head
		var hash []byte
		err := tx.QueryRow(ctx, "SELECT seq, entry_hash FROM bip_log ORDER BY seq DESC LIMIT 1").Scan(&h.Seq, &hash)
		if err == pgx.ErrNoRows {
			return nil // nothing published yet: nothing to vouch for
		} else if err != nil {
			return err
		}
		h.Hash = fmt.Sprintf("%x", hash)
		body := fmt.Sprintf("Stan rejestru zmian Biuletynu Informacji Publicznej na dzień %s:\n\n"+
			"- ostatni wpis: nr %d\n- skrót wpisu (SHA-256): `%s`\n- zapis do sprawdzenia: `%s`\n\n"+
			"Każdy wpis rejestru wiąże skrót poprzedniego wpisu ze skrótem treści publikacji, więc ten skrót potwierdza całą treść BIP opublikowaną do tej chwili. "+
			"Kto zachowa ten zapis, może później sprawdzić, że rejestr nadal do niego prowadzi i nic z niego nie usunięto: "+
			"pobierając wpisy rejestru (`/api/v1/bip/log`) albo pytając `/api/v1/bip/log/check?head=%s`.\n",
			PolishDate(now), h.Seq, h.Hash, h, h)
		ctx := ratusz.NewContextWithActor(ctx, ratusz.System)
		out, err = Publish(ctx, tx, Draft{Category: HeadsCategory, Title: "Stan rejestru zmian BIP z dnia " + PolishDate(now),
			Body: body, ProducedBy: "System Ratusz", Responsible: "Administrator BIP", ProducedAt: now, Source: source})
		return err
	})
	return out, err
}

// PublishHeadsDaily publishes the head now and then every hour checks
// whether the day has turned, until ctx ends. Every instance may run it;
// the day's publication is made once.
func (s *Service) PublishHeadsDaily(ctx context.Context, onError func(error)) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := s.PublishHead(ctx, time.Now()); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check reports whether a head recorded earlier is still in the log: the
// entry with its number still has its hash. It reads one entry, so anyone
// may ask; the whole chain is checked by Verify.
func (s *Service) Check(ctx context.Context, h Head) (bool, error) {
	var hash []byte
	err := s.pool.QueryRow(ctx, "SELECT entry_hash FROM bip_log WHERE seq = $1", h.Seq).Scan(&hash)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	return err == nil && fmt.Sprintf("%x", hash) == h.Hash, err
}
