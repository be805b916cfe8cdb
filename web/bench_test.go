package web_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// seedBIPBulk fills the database with n publications spread over the
// categories, with realistic bodies, by plain SQL (publishing them one by
// one through the log would take minutes and is not what is measured).
func seedBIPBulk(b *testing.B, e *env, n int) {
	b.Helper()
	_, err := e.Pool.Exec(system, `
		WITH cats AS (SELECT array_agg(id ORDER BY id) AS ids FROM bip_categories),
		pubs AS (
			INSERT INTO bip_publications (category_id, version, title, published_at, updated_at)
			SELECT ids[1 + (i % array_length(ids, 1))], 1,
				'Uchwała nr ' || (i % 97) || '/' || i || '/2026 w sprawie zmian w budżecie gminy na rok 2027',
				now() - i * interval '1 minute', now() - i * interval '1 minute'
			FROM generate_series(1, $1) AS i, cats
			RETURNING id, category_id, title, published_at)
		INSERT INTO bip_versions (publication_id, version, kind, category_id, title, body, body_html,
			produced_by, responsible, produced_at, entered_by_name, created_at)
		SELECT id, 1, 'publish', category_id, title, repeat('Rada Gminy postanawia zmienić budżet. ', 40),
			'<h2>§ 1</h2><p>' || repeat('Rada Gminy postanawia zmienić budżet. ', 40) || '</p>',
			'Rada Gminy Przykładowo', 'Przewodniczący Rady', published_at, 'Joanna Kamińska', published_at
		FROM pubs`, n)
	if err != nil {
		b.Fatal(err)
	}
	// The test cluster commits asynchronously; until the WAL writer has
	// flushed the commit (every 200 ms), VACUUM cannot mark the pages
	// all-visible, as autovacuum in production would have.
	time.Sleep(time.Second)
	if _, err := e.Pool.Exec(system, "VACUUM (ANALYZE) bip_publications, bip_versions"); err != nil { // as autovacuum would after a bulk load
		b.Fatal(err)
	}
}

// load runs GETs of the paths from parallel clients for the benchmark's
// iterations and reports requests per second and latency percentiles.
func load(b *testing.B, url string, paths func(r *rand.Rand) string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(8) // 8 × GOMAXPROCS clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 1))
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			res, err := client.Get(url + paths(r))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

const benchPublications = 100_000

// BenchmarkBIPPublicationPage: random publication pages out of 100,000.
func BenchmarkBIPPublicationPage(b *testing.B) {
	e := newEnv(b, nil)
	seedBIPBulk(b, e, benchPublications)
	var first int64
	e.Pool.QueryRow(system, "SELECT min(id) FROM bip_publications").Scan(&first)
	load(b, e.URL, func(r *rand.Rand) string {
		return fmt.Sprintf("/bip/publikacje/%d", first+r.Int64N(benchPublications))
	})
}

// BenchmarkBIPCategoryListing: random pages of a category's listing.
func BenchmarkBIPCategoryListing(b *testing.B) {
	e := newEnv(b, nil)
	seedBIPBulk(b, e, benchPublications)
	load(b, e.URL, func(r *rand.Rand) string {
		return fmt.Sprintf("/bip/kategoria/uchwaly?strona=%d", 1+r.IntN(250))
	})
}
