package participation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/participation/pabulib"
)

func nowWarsaw() time.Time { return time.Now().In(warsaw) }

var warsaw = bip.Warsaw

// toGrosze converts an amount of 10^-scale złoty to grosze, exactly.
func toGrosze(v int64, scale int) (int64, error) {
	for ; scale < 2; scale++ {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, fmt.Errorf("amount too large")
		}
		v *= 10
	}
	for ; scale > 2; scale-- {
		if v%10 != 0 {
			return 0, fmt.Errorf("amount below one grosz")
		}
		v /= 10
	}
	return v, nil
}

// ImportPabulib imports a pabulib file as a finished edition with one pool:
// its projects on the ballot, its ballots (anonymous, with no receipts
// anyone holds), and its results computed by the file's rule and published.
// For demos, research and moving past editions in.
func (s *Service) ImportPabulib(ctx context.Context, r io.Reader) (*Edition, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return nil, err
	}
	in, err := pabulib.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, ratusz.Invalid("file", "err.pb.file", err.Error())
	}
	meta := func(k string) string { v, _ := in.MetaValue(k); return strings.TrimSpace(v) }
	year := 0
	for _, k := range []string{"instance", "date_begin", "date_end"} {
		if v := meta(k); len(v) >= 4 {
			if y, err := strconv.Atoi(v[:4]); err == nil {
				year = y
				break
			}
		}
	}
	if year < 2000 || year > 2200 {
		year = nowWarsaw().Year()
	}
	name := strings.TrimSpace(meta("unit") + " " + meta("instance"))
	if sub := meta("subunit"); sub != "" {
		name += " — " + sub
	}
	if name == "" {
		name = "pabulib"
	}
	district := meta("subunit")
	if district == "" {
		district = "Cała gmina"
	}
	budget, err := toGrosze(in.Budget, in.Scale)
	if err != nil {
		return nil, ratusz.Invalid("file", "err.pb.file", "budget: "+err.Error())
	}
	rule := meta("rule")
	if !pabulib.KnownRule(rule) {
		rule = "greedy"
	}
	ein := EditionInput{Year: year, Name: name, VoteType: in.VoteType, Rule: rule, Categories: []string{}, Schedule: map[string]string{},
		Districts: []DistrictInput{{Name: district, Budget: budget, Citywide: meta("subunit") == ""}}}
	if v, err := strconv.Atoi(meta("min_length")); err == nil {
		ein.MinLength = v
	}
	if v, err := strconv.Atoi(meta("max_length")); err == nil {
		ein.MaxLength = &v
	}
	if v, err := strconv.Atoi(meta("max_points")); err == nil {
		ein.MaxPoints = &v
	}
	if v, err := strconv.Atoi(meta("max_sum_points")); err == nil {
		ein.MaxSumPoints = &v
	}
	sum := sha256.Sum256(data)
	source := "pabulib:" + hex.EncodeToString(sum[:16])
	var id int64
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if id, err = insertEdition(ctx, tx, ein, "voting", &source, in.Meta); err != nil {
			return err
		}
		var districtID int64
		if err := tx.QueryRow(ctx, "SELECT id FROM pb_districts WHERE edition_id = $1", id).Scan(&districtID); err != nil {
			return err
		}
		ids := make([]int64, len(in.Projects))
		for i, p := range in.Projects {
			cost, err := toGrosze(p.Cost, in.Scale)
			if err != nil || cost <= 0 {
				return ratusz.Invalid("file", "err.pb.file", "cost of project "+p.ID)
			}
			title := in.ProjectField(i, "name")
			if title == "" {
				title = p.ID
			}
			if err := tx.QueryRow(ctx, `INSERT INTO pb_projects (edition_id, district_id, code, title, category, cost, cost_items, status, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'accepted', $8) RETURNING id`,
				id, districtID, p.ID, title, in.ProjectField(i, "category"), cost, []CostItem{{Item: title, Cost: cost}}, i+1).Scan(&ids[i]); err != nil {
				return err
			}
		}
		rows := make([][]any, 0, len(in.Ballots))
		for _, b := range in.Ballots {
			projects := make([]int64, len(b.Projects))
			for j, k := range b.Projects {
				projects[j] = ids[k]
			}
			var points []int32
			for _, p := range b.Points {
				points = append(points, int32(p))
			}
			_, hash := newReceipt()
			rows = append(rows, []any{newUUID(), id, hash, projects, points, "imported"})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pb_ballots"}, []string{"id", "edition_id", "receipt_hash", "projects", "points", "channel"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		e, err := loadEdition(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE pb_editions SET phase = 'results' WHERE id = $1", id); err != nil {
			return err
		}
		return publishResults(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return s.Edition(ctx, id)
}

// ExportPabulib writes a pool's projects and anonymised ballots as a
// pabulib file, which ImportPabulib (or any pabulib tool) reads back.
func (s *Service) ExportPabulib(ctx context.Context, editionID, districtID int64, w io.Writer) error {
	e, err := s.Edition(ctx, editionID)
	if err != nil {
		return err
	}
	if e.Phase != "results" {
		return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.ballots_after_voting")
	}
	d := e.District(districtID)
	if d == nil {
		return ratusz.Invalid("okreg", "err.pb.district")
	}
	projects, err := s.Projects(ctx, editionID, true)
	if err != nil {
		return err
	}
	in, mine, _, err := instanceOf(ctx, s.pool, e, d, projects)
	if err != nil {
		return err
	}
	selected := map[string]bool{}
	if e.Phase == "results" && len(in.Projects) > 0 {
		ids, err := pabulib.Tally(in, e.Rule)
		if err != nil {
			return err
		}
		for _, id := range ids {
			selected[id] = true
		}
	}
	scores := pabulib.Scores(in)
	subunit := d.Name
	if d.Citywide {
		subunit = ""
	}
	in.Meta = []pabulib.MetaEntry{{Key: "description", Value: e.Name}, {Key: "country", Value: "Poland"}, {Key: "unit", Value: e.Name}, {Key: "instance", Value: strconv.Itoa(e.Year)}}
	if subunit != "" {
		in.Meta = append(in.Meta, pabulib.MetaEntry{Key: "subunit", Value: subunit})
	}
	in.Meta = append(in.Meta, pabulib.MetaEntry{Key: "num_projects", Value: strconv.Itoa(len(in.Projects))}, pabulib.MetaEntry{Key: "num_votes", Value: strconv.Itoa(len(in.Ballots))},
		pabulib.MetaEntry{Key: "budget", Value: ""}, pabulib.MetaEntry{Key: "vote_type", Value: ""}, pabulib.MetaEntry{Key: "rule", Value: e.Rule}, pabulib.MetaEntry{Key: "min_length", Value: strconv.Itoa(e.MinLength)})
	if e.MaxLength != nil {
		in.SetMeta("max_length", strconv.Itoa(*e.MaxLength))
	}
	if e.MaxSumCost != nil {
		in.SetMeta("max_sum_cost", pabulib.FormatAmount(*e.MaxSumCost, 2))
	}
	if e.MaxPoints != nil {
		in.SetMeta("max_points", strconv.Itoa(*e.MaxPoints))
	}
	if e.MaxSumPoints != nil {
		in.SetMeta("max_sum_points", strconv.Itoa(*e.MaxSumPoints))
	}
	// What an imported file said that Ratusz has no field for (a score
	// threshold, exclusions in its comment) goes back out.
	for _, m := range e.Meta {
		if _, ok := in.MetaValue(m.Key); !ok {
			in.Meta = append(in.Meta, m)
		}
	}
	in.ProjectColumns = []string{"project_id", "cost", "votes", "name", "selected"}
	for i := range in.Projects {
		sel := "0"
		if selected[in.Projects[i].ID] {
			sel = "1"
		}
		in.Projects[i].Extra = []string{strconv.FormatInt(scores[i], 10), mine[i].Title, sel}
	}
	in.VoteColumns = []string{"voter_id", "vote"}
	if e.VoteType.HasPoints() {
		in.VoteColumns = append(in.VoteColumns, "points")
	}
	return in.Write(w)
}

func newUUID() string {
	var b [16]byte
	if _, err := io.ReadFull(randReader, b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
