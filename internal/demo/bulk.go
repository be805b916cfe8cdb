package demo

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BulkBIP fills BIP with n synthetic publications spread over the
// categories, by plain SQL, for benchmarks (publishing them one by one
// through the hash log would take minutes and is not what is measured; the
// log is left empty for them). It returns the first new publication's id.
func BulkBIP(ctx context.Context, pool *pgxpool.Pool, n int) (int64, error) {
	var first int64
	err := pool.QueryRow(ctx, `
		WITH cats AS (SELECT array_agg(id ORDER BY id) AS ids FROM bip_categories),
		pubs AS (
			INSERT INTO bip_publications (category_id, version, title, published_at, updated_at)
			SELECT ids[1 + (i % array_length(ids, 1))], 1,
				'Uchwała nr ' || (i % 97) || '/' || i || '/2026 w sprawie zmian w budżecie gminy na rok 2027',
				now() - i * interval '1 minute', now() - i * interval '1 minute'
			FROM generate_series(1, $1) AS i, cats
			RETURNING id, category_id, title, published_at),
		versions AS (
			INSERT INTO bip_versions (publication_id, version, kind, category_id, title, body, body_html,
				produced_by, responsible, produced_at, entered_by_name, created_at)
			SELECT id, 1, 'publish', category_id, title, repeat('Rada Gminy postanawia zmienić budżet. ', 40),
				'<h2>§ 1</h2><p>' || repeat('Rada Gminy postanawia zmienić budżet. ', 40) || '</p>',
				'Rada Gminy Przykładowo', 'Przewodniczący Rady', published_at, 'Joanna Kamińska', published_at
			FROM pubs RETURNING publication_id)
		SELECT min(publication_id) FROM versions`, n).Scan(&first)
	if err != nil {
		return 0, err
	}
	// A cluster that commits asynchronously (the tests') lets VACUUM mark
	// pages all-visible only once the WAL writer has flushed the commit.
	time.Sleep(time.Second)
	_, err = pool.Exec(ctx, "VACUUM (ANALYZE) bip_publications, bip_versions")
	return first, err
}
