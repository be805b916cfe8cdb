package bip

import (
	"context"
	"time"

	"github.com/ratusz/ratusz"
)

// Staged is a file the editor keeps for its uploader while the form is
// shown again.
type Staged struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Size int64  `db:"size"`
}

// StagedLifetime is how long a staged file is kept.
const StagedLifetime = 24 * time.Hour

// Stage keeps files chosen in the editor for the acting person, so that a
// preview or a refusal does not lose them; it forgets their files older
// than StagedLifetime.
func (s *Service) Stage(ctx context.Context, files []NewAttachment) ([]Staged, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := MayPublish(a); err != nil {
		return nil, err
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM bip_staged WHERE created_at < $1", time.Now().Add(-StagedLifetime)); err != nil {
		return nil, err
	}
	var out []Staged
	for _, f := range files {
		if err := f.validate(); err != nil {
			return nil, err
		}
		var st Staged
		if err := s.pool.QueryRow(ctx, "INSERT INTO bip_staged (user_id, name, data) VALUES ($1, $2, $3) RETURNING id, name, length(data)",
			a.UserID, f.Name, f.Data).Scan(&st.ID, &st.Name, &st.Size); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// StagedFiles returns the acting person's staged files of the given ids,
// as attachments to publish; another person's, or an expired one, is not
// found.
func (s *Service) StagedFiles(ctx context.Context, ids []int64) ([]Staged, []NewAttachment, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := MayPublish(a); err != nil || len(ids) == 0 {
		return nil, nil, err
	}
	var list []Staged
	var files []NewAttachment
	rows, _ := s.pool.Query(ctx, "SELECT id, name, data FROM bip_staged WHERE user_id = $1 AND id = ANY($2) AND created_at >= $3 ORDER BY id",
		a.UserID, ids, time.Now().Add(-StagedLifetime))
	defer rows.Close()
	for rows.Next() {
		var st Staged
		var data []byte
		if err := rows.Scan(&st.ID, &st.Name, &data); err != nil {
			return nil, nil, err
		}
		st.Size = int64(len(data))
		list = append(list, st)
		files = append(files, NewAttachment{Name: st.Name, Data: data})
	}
	if len(list) != len(ids) {
		return nil, nil, ratusz.Invalid("staged", "err.bip.staged_gone")
	}
	return list, files, rows.Err()
}

// Unstage forgets the acting person's staged files (once published).
func (s *Service) Unstage(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, "DELETE FROM bip_staged WHERE user_id = $1 AND id = ANY($2)", ratusz.ActorFromContext(ctx).UserID, ids)
	return err
}
