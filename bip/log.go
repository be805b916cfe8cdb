package bip

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"
)

// Head is the newest entry of the log: anyone may record it and later check
// that the log still leads to it.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"` // hex
}

// LogHead returns the log's head (Seq 0 for an empty log).
func (s *Service) LogHead(ctx context.Context) (Head, error) {
	var h Head
	var hash []byte
	err := s.pool.QueryRow(ctx, "SELECT seq, entry_hash FROM bip_log ORDER BY seq DESC LIMIT 1").Scan(&h.Seq, &hash)
	if err == pgx.ErrNoRows {
		return Head{}, nil
	}
	h.Hash = hex.EncodeToString(hash)
	return h, err
}

// VerifyError names the first entry of the log that does not hold.
type VerifyError struct {
	Seq           int64
	PublicationID int64
	Version       int
	Reason        string
}

func (e *VerifyError) Error() string {
	if e.Seq == 0 {
		return fmt.Sprintf("BIP log broken: publication %d version %d: %s", e.PublicationID, e.Version, e.Reason)
	}
	return fmt.Sprintf("BIP log broken at entry %d (publication %d version %d): %s", e.Seq, e.PublicationID, e.Version, e.Reason)
}

// Verify recomputes the whole log from the stored versions: every entry's
// content hash, its link to the entry before and its own hash, that every
// version has an entry, that every attachment's bytes still have the hash
// the log covers, and that what listings and feeds show of a publication
// (its title, category, version, withdrawal and dates) is its newest
// version's. Heads recorded earlier (from the daily head publication, the
// feed, or a copy someone kept) must still be in the log: a log cut at its
// tail would otherwise verify, ending at an earlier head. It returns the
// head, and a *VerifyError naming the first thing that does not hold.
func (s *Service) Verify(ctx context.Context, recorded ...Head) (head Head, err error) {
	err = pg.InTxWith(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		head, err = verify(ctx, tx, recorded)
		return err
	})
	return head, err
}

func verify(ctx context.Context, tx pgx.Tx, recorded []Head) (Head, error) {
	// The whole BIP is read, attachments included: longer than a request
	// may take, so the pool's statement limit is lifted for this transaction.
	if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return Head{}, err
	}
	rows, err := tx.Query(ctx, "SELECT seq, publication_id, version, content_hash, prev_hash, entry_hash FROM bip_log ORDER BY seq")
	if err != nil {
		return Head{}, err
	}
	type entry struct {
		seq                    int64
		pub                    int64
		version                int
		content, prev, current []byte
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (entry, error) {
		var e entry
		err := r.Scan(&e.seq, &e.pub, &e.version, &e.content, &e.prev, &e.current)
		return e, err
	})
	if err != nil {
		return Head{}, err
	}
	prev := make([]byte, 32)
	for i, e := range entries {
		fail := func(reason string) error {
			return &VerifyError{Seq: e.seq, PublicationID: e.pub, Version: e.version, Reason: reason}
		}
		if e.seq != int64(i+1) {
			return Head{}, fail(fmt.Sprintf("expected entry %d: entries are missing", i+1))
		}
		if !bytes.Equal(e.prev, prev) {
			return Head{}, fail("does not link to the entry before it")
		}
		p, err := loadVersion(ctx, tx, e.pub, e.version)
		if err != nil {
			return Head{}, fail("its version is missing")
		}
		if !bytes.Equal(contentHash(p), e.content) {
			return Head{}, fail("the stored version differs from what was logged")
		}
		if !bytes.Equal(entryHash(e.seq, e.prev, e.content), e.current) {
			return Head{}, fail("the entry's own hash is wrong")
		}
		prev = e.current
	}
	for _, h := range recorded {
		want, _ := hex.DecodeString(h.Hash)
		switch {
		case h.Seq < 1:
			return Head{}, fmt.Errorf("a recorded head needs its entry number")
		case h.Seq > int64(len(entries)):
			return Head{}, &VerifyError{Seq: h.Seq, Reason: fmt.Sprintf("the log ends at entry %d, before this recorded head: entries were cut from its end", len(entries))}
		case !bytes.Equal(entries[h.Seq-1].current, want):
			e := entries[h.Seq-1]
			return Head{}, &VerifyError{Seq: e.seq, PublicationID: e.pub, Version: e.version, Reason: "differs from the head recorded for it: the log was rewritten from here"}
		}
	}
	var pub int64
	var version int
	err = tx.QueryRow(ctx, `SELECT v.publication_id, v.version FROM bip_versions v
		LEFT JOIN bip_log l ON l.publication_id = v.publication_id AND l.version = v.version
		WHERE l.seq IS NULL ORDER BY v.created_at LIMIT 1`).Scan(&pub, &version)
	if err == nil {
		return Head{}, &VerifyError{PublicationID: pub, Version: version, Reason: "a version that never entered the log"}
	} else if err != pgx.ErrNoRows {
		return Head{}, err
	}
	// What listings, the feed and the metryczka read from the publication
	// row must be what its versions say.
	err = tx.QueryRow(ctx, `SELECT p.id, p.version FROM bip_publications p
		JOIN bip_versions last ON last.publication_id = p.id AND last.version = (SELECT max(version) FROM bip_versions WHERE publication_id = p.id)
		JOIN bip_versions first ON first.publication_id = p.id AND first.version = 1
		WHERE p.version <> last.version OR p.title <> last.title OR p.category_id <> last.category_id
			OR p.withdrawn <> (last.kind = 'withdraw') OR p.published_at <> first.created_at OR p.updated_at <> last.created_at
		ORDER BY p.id LIMIT 1`).Scan(&pub, &version)
	if err == nil {
		return Head{}, &VerifyError{PublicationID: pub, Version: version, Reason: "what listings show (title, category, version, withdrawal or dates) differs from its versions"}
	} else if err != pgx.ErrNoRows {
		return Head{}, err
	}
	err = tx.QueryRow(ctx, `SELECT p.id FROM bip_publications p WHERE NOT EXISTS (SELECT 1 FROM bip_versions v WHERE v.publication_id = p.id) LIMIT 1`).Scan(&pub)
	if err == nil {
		return Head{}, &VerifyError{PublicationID: pub, Reason: "a publication without versions"}
	} else if err != pgx.ErrNoRows {
		return Head{}, err
	}
	// Every attachment's bytes, one at a time.
	arows, err := tx.Query(ctx, `SELECT a.id, a.publication_id, a.sha256, a.size, a.data FROM bip_attachments a ORDER BY a.id`)
	if err != nil {
		return Head{}, err
	}
	defer arows.Close()
	for arows.Next() {
		var id, pubID, size int64
		var sum, data []byte
		if err := arows.Scan(&id, &pubID, &sum, &size, &data); err != nil {
			return Head{}, err
		}
		got := sha256.Sum256(data)
		if !bytes.Equal(got[:], sum) || int64(len(data)) != size {
			return Head{}, &VerifyError{PublicationID: pubID, Reason: fmt.Sprintf("attachment %d: its bytes no longer have the hash that was logged", id)}
		}
	}
	if err := arows.Err(); err != nil {
		return Head{}, err
	}
	if len(entries) == 0 {
		return Head{}, nil
	}
	last := entries[len(entries)-1]
	return Head{Seq: last.seq, Hash: hex.EncodeToString(last.current)}, nil
}

// ParseHead reads a head as it is published and kept: "SEQ:HASH".
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if b, herr := hex.DecodeString(hash); !ok || err != nil || n < 1 || herr != nil || len(b) != 32 {
		return Head{}, fmt.Errorf("a head is written SEQ:HASH, e.g. 1234:9f86d081…, with the 64 hex digits of the entry's hash")
	}
	return Head{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// String writes a head as ParseHead reads it.
func (h Head) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

// Entry is one entry of the log, as anyone may read it to check the chain:
// entry_hash = SHA-256("ratusz-bip-log" 0 seq 0 prev_hash content_hash).
type Entry struct {
	Seq           int64     `json:"seq"`
	PublicationID int64     `json:"publication"`
	Version       int       `json:"version"`
	ContentHash   string    `json:"content_hash"`
	PrevHash      string    `json:"prev_hash"`
	EntryHash     string    `json:"entry_hash"`
	CreatedAt     time.Time `json:"created_at"`
}

// Entries returns up to limit entries of the log from seq on.
func (s *Service) Entries(ctx context.Context, from int64, limit int) ([]Entry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT seq, publication_id, version, encode(content_hash, 'hex'), encode(prev_hash, 'hex'), encode(entry_hash, 'hex'), created_at
		FROM bip_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, from, limit)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.Seq, &e.PublicationID, &e.Version, &e.ContentHash, &e.PrevHash, &e.EntryHash, &e.CreatedAt)
		return e, err
	})
}
