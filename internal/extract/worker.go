package extract

import (
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Worker extracts the text of uploaded files into file_texts, one at a
// time, after their uploads were answered. Files are known by their
// SHA-256: the same file in a session's agenda and in BIP is read once.
type Worker struct {
	Pool *pgxpool.Pool
	Log  *slog.Logger
	// Pending are queries, one per module, of a file without text yet:
	// columns sha256, name, content_type, data; LIMIT 1.
	Pending []string
	// Extracted is called after a file's text is stored (search's indexer
	// then reads it).
	Extracted func()
	Every     time.Duration // how often to look when not woken; 0: a minute

	once   sync.Once
	wake   chan struct{}
	warned atomic.Bool // that pdftotext is missing
}

func (w *Worker) init() { w.once.Do(func() { w.wake = make(chan struct{}, 1) }) }

// Wake asks the worker to look for files now.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// noPdftotext is file_texts.error for a PDF read while pdftotext was not
// installed.
const noPdftotext = "pdftotext (poppler-utils) not installed"

// Run extracts until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	if _, err := exec.LookPath("pdftotext"); err == nil {
		// Installed since: PDFs recorded without it are read now.
		if _, err := w.Pool.Exec(ctx, "DELETE FROM file_texts WHERE error = $1", noPdftotext); err != nil && w.Log != nil {
			w.Log.Warn("extract: retrying PDFs", "err", err)
		}
	}
	every := w.Every
	if every == 0 {
		every = time.Minute
	}
	for {
		n, err := w.Step(ctx)
		if err != nil && ctx.Err() == nil && w.Log != nil {
			w.Log.Warn("extract: reading a file's text", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may wait
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-time.After(every):
		}
	}
}

// Step extracts one file's text, if one waits; it returns how many it
// stored. A file whose text cannot be read is stored with the reason, so
// it is not tried again; a missing pdftotext is not such a reason.
func (w *Worker) Step(ctx context.Context) (int, error) {
	for _, q := range w.Pending {
		var sha []byte
		var name, contentType string
		var data []byte
		err := w.Pool.QueryRow(ctx, q).Scan(&sha, &name, &contentType, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		text, xerr := Text(ctx, name, contentType, data)
		reason := ""
		switch {
		case errors.Is(xerr, exec.ErrNotFound):
			// Recorded, so the files behind it are read; tried again
			// once pdftotext is there (Run).
			reason = noPdftotext
			if !w.warned.Swap(true) && w.Log != nil {
				w.Log.Warn("extract: pdftotext not found (Debian's poppler-utils): PDF attachments are not searched by their text until it is installed and the server restarted")
			}
		case xerr != nil:
			reason = xerr.Error()
		}
		if _, err := w.Pool.Exec(ctx, `INSERT INTO file_texts (sha256, text, error) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`,
			sha, text, reason); err != nil {
			return 0, err
		}
		if w.Extracted != nil && text != "" {
			w.Extracted()
		}
		return 1, nil
	}
	return 0, nil
}
