package bip

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Head is the newest entry of the log: anyone may record it and later check
// that the log still leads to it.
type Head struct {
	Seq  int64
	Hash string // hex
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
// content hash, its link to the entry before and its own hash, and that
// every version has an entry. It returns the head, and a *VerifyError
// naming the first broken entry.
func (s *Service) Verify(ctx context.Context) (Head, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Head{}, err
	}
	defer tx.Rollback(ctx)
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
	if len(entries) == 0 {
		return Head{}, nil
	}
	last := entries[len(entries)-1]
	return Head{Seq: last.seq, Hash: hex.EncodeToString(last.current)}, nil
}
