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

	"github.com/ratusz/ratusz/internal/demo"
)

// seedBIPBulk fills the database with n publications (demo.BulkBIP).
func seedBIPBulk(b *testing.B, e *env, n int) int64 {
	b.Helper()
	first, err := demo.BulkBIP(system, e.Pool, n)
	if err != nil {
		b.Fatal(err)
	}
	return first
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
	first := seedBIPBulk(b, e, benchPublications)
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
