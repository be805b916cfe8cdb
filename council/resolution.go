package council

// What a closed vote leaves in BIP: the named list, the adopted
// resolution with its heading and footer, and the notes and replacements a
// repeated vote writes on the publications of the one it repeats.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
)

// lockRepeated locks the vote a closing re-vote repeats, which must still
// stand: two re-votes of one result cannot both replace it.
func lockRepeated(ctx context.Context, tx pgx.Tx, id int64) (*Vote, error) {
	var superseded bool
	if err := tx.QueryRow(ctx, `SELECT `+supersededBy+` IS NOT NULL FROM votes v WHERE v.id = $1 FOR UPDATE`, id).Scan(&superseded); err != nil {
		return nil, err
	}
	if superseded {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.council.repeats_superseded")
	}
	return loadVote(ctx, tx, id, false)
}

// replaceResult gives a closing re-vote (reasumpcja) its effect: its
// result replaces the repeated vote's. Adopted again, the resolution keeps
// its number and moves to the re-vote (with the re-vote's text, if it
// brought a corrected one), and an agenda change already made stands;
// adopted only now, they take effect as after any vote. Rejected now, a
// resolution adopted before is not adopted after all (its BIP publication
// is withdrawn, saying so) and an agenda change is undone. The repeated
// vote's named list in BIP says its result was replaced.
func replaceResult(ctx context.Context, tx pgx.Tx, v, orig *Vote) error {
	// What the repeated vote says changes (OParl's modified_since sees it).
	if _, err := tx.Exec(ctx, "UPDATE votes SET modified_at = now() WHERE id = $1", orig.ID); err != nil {
		return err
	}
	was := orig.Outcome != nil && *orig.Outcome == "adopted"
	now := *v.Outcome == "adopted"
	c := v.Counts
	when := fmt.Sprintf("głosowanie nr %d z dnia %s: za %d, przeciw %d, wstrzymało się %d", v.ID, bip.PolishDate(decidedOn(v)), c.For, c.Against, c.Abstain)
	if orig.PublicationID != nil {
		if err := appendNote(ctx, tx, *orig.PublicationID, "\n\nWynik tego głosowania zastąpiła reasumpcja ("+when+").", "Reasumpcja głosowania"); err != nil {
			return err
		}
	}
	switch {
	case now && (!was || orig.Resolution == nil):
		if err := adoptResolution(ctx, tx, v); err != nil {
			return err
		}
		if was {
			return confirmAgendaChange(ctx, tx, v, orig)
		}
		return applyAgendaChange(ctx, tx, v)
	case now && was:
		r := orig.Resolution
		if _, err := tx.Exec(ctx, "UPDATE resolutions SET vote_id = $2 WHERE vote_id = $1", orig.ID, v.ID); err != nil {
			return err
		}
		v.Resolution = r
		if err := confirmResolution(ctx, tx, v, orig, "\n\nPodjęcie uchwały potwierdzono w reasumpcji głosowania nr "+strconv.FormatInt(orig.ID, 10)+" ("+when+")."); err != nil {
			return err
		}
		return confirmAgendaChange(ctx, tx, v, orig)
	case !now && was:
		if r := orig.Resolution; r != nil {
			if _, err := tx.Exec(ctx, "UPDATE resolutions SET voided_by_vote_id = $2 WHERE vote_id = $1", orig.ID, v.ID); err != nil {
				return err
			}
			if r.PublicationID != 0 {
				_, err := bip.Withdraw(ctx, tx, r.PublicationID, "Uchwała nie została podjęta: w reasumpcji głosowania nr "+strconv.FormatInt(orig.ID, 10)+" wniosek odrzucono ("+when+").")
				if err != nil && ratusz.ErrorCode(err) != ratusz.ECONFLICT { // withdrawn already: nothing to add
					return err
				}
			}
		}
		return undoAgendaChange(ctx, tx, v, orig)
	}
	return nil
}

// confirmResolution notes a confirming re-vote on the resolution's BIP
// publication; a re-vote that brought a corrected draft gives the
// resolution its title and text.
func confirmResolution(ctx context.Context, tx pgx.Tx, v, orig *Vote, note string) error {
	r := v.Resolution
	var oldTitle, oldText, newTitle, newText, bodyName string
	var session int
	if err := tx.QueryRow(ctx, `SELECT o.resolution_title, o.resolution_text, n.resolution_title, n.resolution_text, b.name, s.number
		FROM votes o, votes n JOIN council_sessions s ON s.id = n.session_id JOIN council_bodies b ON b.id = s.body_id
		WHERE o.id = $1 AND n.id = $2`, orig.ID, v.ID).Scan(&oldTitle, &oldText, &newTitle, &newText, &bodyName, &session); err != nil {
		return err
	}
	if newTitle == "" || (newTitle == oldTitle && newText == oldText) {
		if r.PublicationID == 0 {
			return nil
		}
		return appendNote(ctx, tx, r.PublicationID, note, "Reasumpcja głosowania")
	}
	if _, err := tx.Exec(ctx, "UPDATE resolutions SET title = $2 WHERE vote_id = $1", v.ID, newTitle); err != nil {
		return err
	}
	r.Title = newTitle
	if r.PublicationID == 0 {
		return nil
	}
	cur, err := bip.LoadCurrent(ctx, tx, r.PublicationID)
	if err != nil || cur.Withdrawn {
		return err
	}
	d := cur.Draft()
	d.Title, d.Body, d.ProducedAt = resolutionHeading(r.Number, bodyName, *v.ClosedAt, newTitle), newText+resolutionFooter(v, session)+note, *v.ClosedAt
	_, err = bip.Revise(ctx, tx, r.PublicationID, d, "Reasumpcja głosowania: treść uchwały w brzmieniu przyjętym w reasumpcji")
	return err
}

// appendNote adds a note to a BIP publication as a new version; a
// withdrawn publication is left as it is.
func appendNote(ctx context.Context, tx pgx.Tx, pubID int64, note, reason string) error {
	cur, err := bip.LoadCurrent(ctx, tx, pubID)
	if err != nil || cur.Withdrawn {
		return err
	}
	d := cur.Draft()
	d.Body += note
	_, err = bip.Revise(ctx, tx, pubID, d, reason)
	return err
}

// keepNamedList stores a closing vote's named list as it stands: an entry
// for every member (not voting and absent included) with their club now,
// so the list of record does not change when mandates end or clubs change.
func keepNamedList(ctx context.Context, tx pgx.Tx, v *Vote) error {
	for _, b := range v.Ballots {
		if _, err := tx.Exec(ctx, `INSERT INTO ballots (vote_id, councillor_id, choice, club) VALUES ($1, $2, $3, $4)
			ON CONFLICT (vote_id, councillor_id) DO UPDATE SET club = EXCLUDED.club`, v.ID, b.CouncillorID, b.Choice, b.Club); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, "UPDATE votes SET recorded_list = true WHERE id = $1", v.ID)
	return err
}

var majorityWords = map[Majority]string{
	Simple: "zwykła większość głosów", Absolute: "bezwzględna większość głosów",
	AbsoluteStatutory: "bezwzględna większość ustawowego składu rady",
	Qualified35:       "większość 3/5 ustawowego składu rady", Qualified23: "większość 2/3 ustawowego składu rady",
}

func cell(s string) string { return bip.PlainText(s) }

// publishVote publishes the named list (imienny wykaz głosowania) in BIP.
func publishVote(ctx context.Context, tx pgx.Tx, v *Vote) (*bip.Publication, error) {
	var body, item, chair string
	var number int
	if err := tx.QueryRow(ctx, `SELECT b.name, s.number, a.label || '. ' || a.title,
			coalesce((SELECT 'Przewodniczący obrad: ' || c.name FROM councillors c WHERE c.body_id = b.id AND c.function = 'chair' AND c.active LIMIT 1), 'Przewodniczący obrad')
		FROM votes v JOIN council_sessions s ON s.id = v.session_id JOIN council_bodies b ON b.id = s.body_id
		JOIN agenda_items a ON a.id = v.agenda_item_id WHERE v.id = $1`, v.ID).Scan(&body, &number, &item, &chair); err != nil {
		return nil, err
	}
	outcome := "odrzucono"
	if v.Outcome != nil && *v.Outcome == "adopted" {
		outcome = "przyjęto"
	}
	c := v.Counts
	var md strings.Builder
	fmt.Fprintf(&md, "Sesja %s %s z dnia %s, punkt porządku obrad: %s\n\n", Roman(number), cell(genitive(body)), bip.PolishDate(v.SessionDate), cell(item))
	fmt.Fprintf(&md, "- Przedmiot głosowania: %s\n- Wymagana większość: %s (ustawowy skład: %d)\n- Wynik: **%s**\n- Głosowanie: %s\n\n",
		cell(v.Subject), majorityWords[v.Majority], v.StatutorySize, outcome, map[string]string{"electronic": "jawne, imienne, za pomocą urządzeń", "roll_call": "jawne, imienne, przez wyczytanie", "secret": "tajne"}[v.Mode])
	fmt.Fprintf(&md, "| za | przeciw | wstrzymało się | nie głosowało | nieobecni |\n|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d |\n\n",
		c.For, c.Against, c.Abstain, c.NotVoting, c.Absent)
	if v.Mode != "secret" {
		md.WriteString("## Imienny wykaz głosowania\n\n| radny | klub | głos |\n|---|---|---|\n")
		for _, b := range v.Ballots {
			fmt.Fprintf(&md, "| %s | %s | %s |\n", cell(b.Councillor), cell(b.Club), choiceWords[b.Choice])
		}
	}
	title := fmt.Sprintf("Imienny wykaz głosowania — sesja %s, %s", Roman(number), v.Subject)
	if utf8.RuneCountInString(title) > bip.MaxTitle {
		title = string([]rune(title)[:bip.MaxTitle])
	}
	return bip.Publish(ctx, tx, bip.Draft{
		Category: "glosowania", Title: title, Body: md.String(),
		ProducedBy: body, Responsible: chair, ProducedAt: *v.ClosedAt,
		Source: "council.vote:" + strconv.FormatInt(v.ID, 10),
	})
}

// adoptResolution numbers the vote's draft resolution, if it has one, and
// publishes it in BIP (Uchwały), in the closing transaction.
func adoptResolution(ctx context.Context, tx pgx.Tx, v *Vote) error {
	var title, body, name string
	var bodyID int64
	var number int
	if err := tx.QueryRow(ctx, `SELECT v.resolution_title, v.resolution_text, s.body_id, s.number, b.name
		FROM votes v JOIN council_sessions s ON s.id = v.session_id JOIN council_bodies b ON b.id = s.body_id WHERE v.id = $1`, v.ID).
		Scan(&title, &body, &bodyID, &number, &name); err != nil {
		return err
	}
	if title == "" {
		return nil
	}
	// Numbers run on through the body's term: one at a time.
	if _, err := tx.Exec(ctx, "SELECT id FROM council_bodies WHERE id = $1 FOR UPDATE", bodyID); err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) + 1 FROM resolutions WHERE body_id = $1", bodyID).Scan(&seq); err != nil {
		return err
	}
	num := fmt.Sprintf("%s/%d/%d", Roman(number), seq, v.SessionDate.In(warsaw).Year())
	adopted := decidedOn(v)
	pub, err := bip.Publish(ctx, tx, bip.Draft{Category: "uchwaly", Title: resolutionHeading(num, name, adopted, title),
		Body:       body + resolutionFooter(v, number),
		ProducedBy: name, Responsible: "Przewodniczący obrad", ProducedAt: adopted, Source: "council.resolution:" + strconv.FormatInt(v.ID, 10)})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO resolutions (body_id, session_id, vote_id, seq, number, title, publication_id, adopted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		bodyID, v.SessionID, v.ID, seq, num, title, pub.ID, adopted)
	if err == nil {
		v.Resolution = &Resolution{Number: num, Title: title, PublicationID: pub.ID}
	}
	return err
}

// decidedOn is the moment a vote's decision is dated by: when it closed,
// but a vote recorded after its sitting's day (results entered later, an
// import) is dated by the sitting, as its resolution is "z dnia" the
// sitting.
func decidedOn(v *Vote) time.Time {
	closed := *v.ClosedAt
	if closed.In(warsaw).Format("2006-01-02") > v.SessionDate.In(warsaw).Format("2006-01-02") {
		return v.SessionDate
	}
	return closed
}

// resolutionHeading is a resolution's title in BIP: "Uchwała nr XII/2/2026
// Rady Gminy … z dnia 10 grudnia 2026 r. w sprawie …".
func resolutionHeading(number, bodyName string, adopted time.Time, title string) string {
	full := fmt.Sprintf("Uchwała nr %s %s z dnia %s %s", number, genitive(bodyName), bip.PolishDate(adopted), title)
	if utf8.RuneCountInString(full) > bip.MaxTitle {
		full = string([]rune(full)[:bip.MaxTitle])
	}
	return full
}

// resolutionFooter says which vote adopted a resolution, with its result.
func resolutionFooter(v *Vote, session int) string {
	return fmt.Sprintf("\n\n---\n\nPodjęta w głosowaniu nr %d na sesji %s (wynik: za %d, przeciw %d, wstrzymało się %d).",
		v.ID, Roman(session), v.Counts.For, v.Counts.Against, v.Counts.Abstain)
}

// genitive is the body's name as it follows "Uchwała nr …" ("Rada Gminy"
// becomes "Rady Gminy"); names it does not know stay as they are.
func genitive(name string) string {
	for from, to := range map[string]string{"Rada ": "Rady ", "Komisja ": "Komisji "} {
		if rest, ok := strings.CutPrefix(name, from); ok {
			return to + rest
		}
	}
	return name
}

// Resolution is an adopted resolution.
type Resolution struct {
	Number        string `json:"number"`
	Title         string `json:"title"`
	PublicationID int64  `json:"-"`
	VoidedBy      *int64 `json:"voided_by,omitempty"` // the re-vote that rejected it: not adopted after all
}
