package consultations

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/pg"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
)

// Count is how many chose an option.
type Count struct {
	Label   string  `json:"label"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"` // of those who answered the question
}

// RowResult is one row of a matrix.
type RowResult struct {
	Label   string  `json:"label"`
	Options []Count `json:"options"`
}

// QuestionResult is one question's results. For a ranking, Options count
// first places and Mean is each option's mean position (1 = first).
type QuestionResult struct {
	ID       string      `json:"id"`
	Type     string      `json:"type"`
	Text     string      `json:"text"`
	Answered int         `json:"answered"`
	Options  []Count     `json:"options"`
	Rows     []RowResult `json:"rows,omitempty"`
	Mean     []float64   `json:"mean_position,omitempty"`
	Average  *float64    `json:"average,omitempty"` // scale
	Texts    []string    `json:"texts,omitempty"`   // moderated text answers shown
}

// Results are a consultation's results.
type Results struct {
	Responses int               `json:"responses"`
	Questions []*QuestionResult `json:"questions"`
}

// ResultsPublic reports whether anyone may see c's results at t.
func (c *Consultation) ResultsPublic(t time.Time) bool {
	return c.State != StateDraft && (c.Ended(t) || c.ResultsLive)
}

// Results counts the answers. People see them after the end, or while the
// consultation runs if the officer chose live results; the officer always.
func (s *Service) Results(ctx context.Context, c *Consultation) (*Results, error) {
	if !c.ResultsPublic(time.Now()) && !MayManage(ctx) {
		return nil, ratusz.Errorf(ratusz.EFORBIDDEN, "err.consult.results_not_public")
	}
	return results(ctx, s.pool, c)
}

func results(ctx context.Context, q pg.Querier, c *Consultation) (*Results, error) {
	rows, _ := q.Query(ctx, "SELECT answers FROM consultation_responses WHERE consultation_id = $1 ORDER BY id", c.ID)
	raws, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	res := &Results{Responses: len(raws), Questions: []*QuestionResult{}}
	all := make([]Answers, 0, len(raws))
	for _, b := range raws {
		a, err := decodeAnswers(c.Questions, b)
		if err != nil {
			return nil, err
		}
		all = append(all, a)
	}
	texts, err := textAnswers(ctx, q, c, true)
	if err != nil {
		return nil, err
	}
	for i := range c.Questions {
		qu := &c.Questions[i]
		r := &QuestionResult{ID: qu.ID, Type: qu.Type, Text: qu.Text, Options: []Count{}}
		labels := qu.Labels()
		counts := make([]int, len(labels))
		positions := make([]int, len(labels))
		sum := 0
		rowCounts := make([][]int, len(qu.Rows))
		for j := range rowCounts {
			rowCounts[j] = make([]int, len(qu.Options))
		}
		for _, a := range all {
			v, ok := a[qu.ID]
			if !ok {
				continue
			}
			r.Answered++
			switch x := v.(type) {
			case string:
				if k := slices.Index(labels, x); k >= 0 {
					counts[k]++
				}
			case int:
				sum += x
				if k := slices.Index(labels, fmt.Sprint(x)); k >= 0 {
					counts[k]++
				}
			case []string:
				if qu.Type == Ranking {
					for pos, o := range x {
						if k := slices.Index(labels, o); k >= 0 {
							positions[k] += pos + 1
							if pos == 0 {
								counts[k]++
							}
						}
					}
				} else {
					for _, o := range x {
						if k := slices.Index(labels, o); k >= 0 {
							counts[k]++
						}
					}
				}
			case map[string]string:
				for j, row := range qu.Rows {
					if k := slices.Index(qu.Options, x[row]); k >= 0 {
						rowCounts[j][k]++
					}
				}
			}
		}
		pct := func(n, of int) float64 {
			if of == 0 {
				return 0
			}
			return float64(int(1000*float64(n)/float64(of)+0.5)) / 10
		}
		for k, l := range labels {
			if qu.Type != Matrix {
				r.Options = append(r.Options, Count{Label: l, Count: counts[k], Percent: pct(counts[k], r.Answered)})
			}
		}
		if qu.Type == Ranking && r.Answered > 0 {
			for k := range labels {
				r.Mean = append(r.Mean, float64(int(100*float64(positions[k])/float64(r.Answered)+0.5))/100)
			}
		}
		if qu.Type == Scale && r.Answered > 0 {
			avg := float64(int(100*float64(sum)/float64(r.Answered)+0.5)) / 100
			r.Average = &avg
		}
		for j, row := range qu.Rows {
			rr := RowResult{Label: row}
			n := 0
			for _, v := range rowCounts[j] {
				n += v
			}
			for k, o := range qu.Options {
				rr.Options = append(rr.Options, Count{Label: o, Count: rowCounts[j][k], Percent: pct(rowCounts[j][k], n)})
			}
			r.Rows = append(r.Rows, rr)
		}
		for _, t := range texts {
			if t.QuestionID == qu.ID {
				r.Texts = append(r.Texts, t.Text)
			}
		}
		res.Questions = append(res.Questions, r)
	}
	return res, nil
}

// Report is the report of a closed consultation (raport z konsultacji).
type Report struct {
	Consultation *Consultation
	Results      *Results
	Remarks      []*Remark
	Documents    []*Document
}

// Report returns a closed consultation's report.
func (s *Service) Report(ctx context.Context, c *Consultation) (*Report, error) {
	if c.State != StateClosed {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.no_report")
	}
	var r *Report
	err := pg.InTxWith(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) (err error) {
		r, err = buildReport(ctx, tx, c)
		return err
	})
	return r, err
}

func buildReport(ctx context.Context, tx pgx.Tx, c *Consultation) (*Report, error) {
	res, err := results(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	rems, err := remarks(ctx, tx, c.ID, false)
	if err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, "SELECT "+docColumns+" FROM consultation_documents WHERE consultation_id = $1 ORDER BY id", c.ID)
	docs, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Document])
	if err != nil {
		return nil, err
	}
	return &Report{Consultation: c, Results: res, Remarks: rems, Documents: docs}, nil
}

var verdictPL = map[string]string{Accepted: "uwzględniona", Partly: "uwzględniona częściowo", Rejected: "nieuwzględniona"}

// VerdictPL names a verdict in Polish, for BIP.
func VerdictPL(v *string) string {
	if v == nil {
		return "bez odpowiedzi"
	}
	return verdictPL[*v]
}

// Markdown is the report as published in BIP. Everything people typed is
// passed through Plain, so it shows as typed.
func (r *Report) Markdown() string {
	c := r.Consultation
	var md strings.Builder
	fmt.Fprintf(&md, "Raport z konsultacji społecznych **%s**, prowadzonych przez: %s.\n\n", Plain(c.Title), Plain(c.Organiser))
	md.WriteString("## Przebieg i udział\n\n")
	fmt.Fprintf(&md, "- Termin: od %s do %s\n", PolishDate(c.StartsAt), PolishDate(c.EndsAt))
	fmt.Fprintf(&md, "- Kto mógł wziąć udział: %s\n", eligibilityPL[c.Eligibility])
	fmt.Fprintf(&md, "- Liczba odpowiedzi na ankietę: %d\n", r.Results.Responses)
	fmt.Fprintf(&md, "- Liczba uwag do dokumentów: %d\n", len(r.Remarks))
	if len(r.Documents) > 0 {
		names := make([]string, len(r.Documents))
		for i, d := range r.Documents {
			names[i] = Plain(d.Name)
		}
		fmt.Fprintf(&md, "- Dokumenty poddane konsultacjom: %s\n", strings.Join(names, ", "))
	}
	if c.Eligibility == Open {
		md.WriteString("\nWyniki mają charakter niewiążący: w konsultacjach mógł wziąć udział każdy, bez logowania.\n")
	}
	if len(r.Results.Questions) > 0 {
		md.WriteString("\n## Wyniki ankiety\n")
	}
	for i, q := range r.Results.Questions {
		fmt.Fprintf(&md, "\n### %d. %s\n\n", i+1, Plain(q.Text))
		fmt.Fprintf(&md, "Odpowiedzi: %d.\n\n", q.Answered)
		switch {
		case q.Type == Matrix:
			md.WriteString("| Wiersz | Odpowiedź | Liczba | Odsetek |\n|---|---|---:|---:|\n")
			for _, row := range q.Rows {
				for _, o := range row.Options {
					fmt.Fprintf(&md, "| %s | %s | %d | %s |\n", Plain(row.Label), Plain(o.Label), o.Count, polishPercent(o.Percent))
				}
			}
		case len(q.Options) > 0:
			head := "Liczba"
			if q.Type == Ranking {
				head = "Pierwsze miejsca"
			}
			fmt.Fprintf(&md, "| Odpowiedź | %s | Odsetek |\n|---|---:|---:|\n", head)
			for _, o := range q.Options {
				fmt.Fprintf(&md, "| %s | %d | %s |\n", Plain(o.Label), o.Count, polishPercent(o.Percent))
			}
			if q.Average != nil {
				fmt.Fprintf(&md, "\nŚrednia: %s.\n", i18n.Number(i18n.PL, *q.Average, 2))
			}
		default:
			if len(q.Texts) == 0 {
				md.WriteString("Brak opublikowanych odpowiedzi tekstowych.\n")
			}
			for _, t := range q.Texts {
				fmt.Fprintf(&md, "- %s\n", Plain(t))
			}
		}
	}
	md.WriteString("\n## Uwagi i odpowiedzi\n\n")
	if len(r.Remarks) == 0 {
		md.WriteString("Nie zgłoszono uwag.\n")
	}
	for i, rem := range r.Remarks {
		where := "całość"
		if rem.Document != "" {
			where = Plain(rem.Document)
		}
		if rem.Section != "" {
			where += ", " + Plain(rem.Section)
		}
		fmt.Fprintf(&md, "%d. **Uwaga** (%s): %s\n\n   **Rozstrzygnięcie:** %s. %s\n\n", i+1, where, Plain(rem.Body), VerdictPL(rem.Verdict), Plain(rem.Justification))
	}
	return md.String()
}

// polishPercent writes a share as the report in BIP does: one decimal,
// with a decimal comma.
func polishPercent(f float64) string { return i18n.Number(i18n.PL, f, 1) + "%" }
