package participation_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz/participation"
)

// Someone who reads the database (its live tables, the old versions of
// rows still on its pages, its WAL, and so any backup or WAL archive) must
// not be able to tell how anyone voted. Before, the voter's row and the
// ballot's row shared a transaction (xmin), the rewritten ballots' old
// versions stayed on disk, the WAL held the voter's transaction inserting
// the ballot with its id and receipt, and paper voters' keys were an
// unkeyed hash of their document number.
func TestBallotSecrecyAgainstDatabaseReader(t *testing.T) {
	t.Parallel()
	f := newPB(t)
	ctx := context.Background()
	for _, ext := range []string{"pageinspect", "pg_walinspect"} {
		if _, err := f.pool.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+ext); err != nil {
			t.Fatalf("%s (PostgreSQL's contrib modules): %v", ext, err)
		}
	}
	e, err := f.s.CreateEdition(f.officer, participation.EditionInput{Year: 2028, Name: "BO 2028", MinLength: 1,
		Districts: []participation.DistrictInput{{Name: "Cała gmina", Budget: 1000_00, Citywide: true}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, title := range []string{"Ławki", "Drzewa", "Mural"} {
		p, err := f.s.SubmitProject(f.as(100+i), e.ID, participation.ProjectInput{District: e.Districts[0].ID, Title: title, Description: "x",
			CostItems: []participation.CostItem{{Item: "całość", Cost: 100_00}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "verification"})
	for _, id := range ids {
		if _, err := f.s.Verify(f.officer, id, "accepted", ""); err != nil {
			t.Fatal(err)
		}
	}
	key, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "voting"})
	if err != nil {
		t.Fatal(err)
	}
	var startLSN string
	f.pool.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&startLSN)

	// Eight online voters and two on paper, with ballots of different sizes.
	var receipts [][]byte
	for i := 1; i <= 8; i++ {
		code, err := f.s.CastBallot(f.as(i), e.ID, participation.BallotInput{Projects: ids[:1+i%3]})
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, receiptHash(code))
	}
	for _, doc := range []string{"ABC 123456", "XYZ 654321"} {
		code, err := f.s.PaperBallot(f.officer, e.ID, doc, participation.BallotInput{Projects: ids[2:]})
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, receiptHash(code))
	}
	var voteEndLSN string
	f.pool.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&voteEndLSN)
	// The test cluster commits without waiting for the WAL to be flushed;
	// wait for it (bounded) so the records can be read.
	for i := 0; i < 100; i++ {
		var flushed bool
		f.pool.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn", voteEndLSN).Scan(&flushed)
		if flushed {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The voters' transactions, as the database records them.
	voterXIDs := map[string]bool{}
	rows, _ := f.pool.Query(ctx, "SELECT xmin::text FROM pb_voters WHERE edition_id = $1", e.ID)
	for rows.Next() {
		var x string
		rows.Scan(&x)
		voterXIDs[x] = true
	}
	rows.Close()
	if len(voterXIDs) != 10 {
		t.Fatalf("%d voter transactions, want 10", len(voterXIDs))
	}

	// Paper voters are recorded under a keyed hash: the plain hash of the
	// document number, which anyone could compute, is not there.
	plainHash := sha256.Sum256([]byte("ratusz-pb-voter:abc 123456"))
	var n int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM pb_voters WHERE voter_key = $1", "id:"+hex.EncodeToString(plainHash[:])).Scan(&n)
	if n != 0 {
		t.Fatal("a paper voter is recorded under an unkeyed hash of the document number")
	}

	if _, err := f.s.SetPhase(f.officer, e.ID, participation.PhaseChange{Phase: "results", BallotKey: key}); err != nil {
		t.Fatal(err)
	}
	list, total, err := f.s.Ballots(f.as(50), e.ID, 0, 100)
	if err != nil || total != 10 {
		t.Fatalf("published ballots: %d, %v", total, err)
	}
	// What would link a voter to a ballot: the ballot's id (as bytes and as
	// text), its receipt's hash.
	var secrets [][]byte
	for _, b := range list {
		raw, _ := hex.DecodeString(strings.ReplaceAll(b.ID, "-", ""))
		secrets = append(secrets, raw, []byte(b.ID))
	}
	secrets = append(secrets, receipts...)
	holds := func(data []byte) bool {
		for _, s := range secrets {
			if bytes.Contains(data, s) {
				return true
			}
		}
		return false
	}

	// 1. Live rows: no ballot shares a transaction with a voter.
	var paired int
	if err := f.pool.QueryRow(ctx, "SELECT count(*) FROM pb_ballots WHERE edition_id = $1 AND xmin::text IN (SELECT xmin::text FROM pb_voters)", e.ID).Scan(&paired); err != nil {
		t.Fatal(err)
	}
	if paired != 0 {
		t.Fatalf("%d ballots share a transaction with their voter", paired)
	}
	// 2. Every row version on the pages, dead ones included.
	for _, table := range []string{"pb_ballots", "pb_sealed_ballots", "pb_voters"} {
		for _, tup := range pageTuples(t, f.pool, table) {
			if table == "pb_ballots" && voterXIDs[tup.xmin] {
				t.Fatalf("a version of a ballot on disk was written by a voter's transaction %s", tup.xmin)
			}
			if table != "pb_ballots" && holds(tup.data) {
				t.Fatalf("a row version of %s (xmin %s) holds a ballot's id or receipt", table, tup.xmin)
			}
		}
	}
	// 3. The WAL: no record of a voter's transaction holds a ballot's id or
	// receipt, nor touches the table of plain ballots.
	var ballotsFile string
	f.pool.QueryRow(ctx, "SELECT pg_relation_filenode('pb_ballots')::text").Scan(&ballotsFile)
	recs, err := f.pool.Query(ctx, `SELECT start_lsn::text, end_lsn::text, xid::text, coalesce(block_ref, '')
		FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)`, startLSN, voteEndLSN)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct{ start, end, xid, blocks string }
	var inVoters []rec
	for recs.Next() {
		var r rec
		if err := recs.Scan(&r.start, &r.end, &r.xid, &r.blocks); err != nil {
			t.Fatal(err)
		}
		if voterXIDs[r.xid] {
			inVoters = append(inVoters, r)
		}
	}
	recs.Close()
	if err := recs.Err(); err != nil {
		t.Fatal(err)
	}
	if len(inVoters) < 10 {
		t.Fatalf("found %d WAL records of the voters' transactions", len(inVoters))
	}
	for _, r := range inVoters {
		if strings.Contains(r.blocks, "/"+ballotsFile+" ") || strings.HasSuffix(r.blocks, "/"+ballotsFile) {
			t.Fatalf("a voter's transaction wrote to the plain ballots: %s", r.blocks)
		}
		if holds(walBytes(t, f.pool, r.start, r.end)) {
			t.Fatalf("the WAL record at %s of a voter's transaction holds a ballot's id or receipt", r.start)
		}
	}
}

func receiptHash(code string) []byte {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	sum := sha256.Sum256([]byte("ratusz-pb-receipt:" + code))
	return sum[:]
}

type tuple struct {
	xmin string
	data []byte
}

// pageTuples reads every tuple on a table's pages, live or dead.
func pageTuples(t *testing.T, pool *pgxpool.Pool, table string) []tuple {
	var pages int
	pool.QueryRow(context.Background(), "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int", table).Scan(&pages)
	var out []tuple
	for p := 0; p < pages; p++ {
		rows, err := pool.Query(context.Background(), `SELECT t_xmin::text, coalesce(t_data, '') FROM heap_page_items(get_raw_page($1, $2)) WHERE lp_len > 0`, table, p)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var tu tuple
			rows.Scan(&tu.xmin, &tu.data)
			out = append(out, tu)
		}
		rows.Close()
	}
	return out
}

// walBytes reads a WAL record's bytes from the WAL files.
func walBytes(t *testing.T, pool *pgxpool.Pool, start, end string) []byte {
	var out []byte
	err := pool.QueryRow(context.Background(), `WITH a AS (SELECT * FROM pg_walfile_name_offset($1::pg_lsn)), b AS (SELECT * FROM pg_walfile_name_offset($2::pg_lsn))
		SELECT CASE WHEN a.file_name = b.file_name
			THEN pg_read_binary_file('pg_wal/' || a.file_name, a.file_offset, b.file_offset - a.file_offset)
			ELSE pg_read_binary_file('pg_wal/' || a.file_name, a.file_offset, current_setting('wal_segment_size')::bigint - a.file_offset) ||
				pg_read_binary_file('pg_wal/' || b.file_name, 0, b.file_offset) END FROM a, b`, start, end).Scan(&out)
	if err != nil {
		t.Fatal(fmt.Errorf("reading the WAL: %w", err))
	}
	return out
}
