package i18n

// The running sitting: the chair's console, the councillor's device, the
// chamber's screen, the speakers list and the timeline.
var sittingMessages = map[string][2]string{
	"council.screen.title":              {"Ekran sali — sesja %s", "Chamber screen — session %s"},
	"council.screen.link":               {"Ekran sali", "Chamber screen"},
	"council.screen.planned":            {"Początek obrad o %s", "The sitting begins at %s"},
	"council.screen.closed":             {"Sesja zakończona", "The sitting has ended"},
	"council.screen.cast_template":      {"Oddano głosów: {cast} z {present}", "Ballots cast: {cast} of {present}"},
	"council.screen.progress":           {"Postęp głosowania", "Voting progress"},
	"council.screen.secret_until_close": {"Kto jak głosował, widać dopiero po zamknięciu głosowania.", "How each councillor voted is shown once the vote is closed."},
	"council.cast_of":                   {"Oddano głosów: %d z %d", "Ballots cast: %d of %d"},
	"council.outcome_big.adopted":       {"PRZYJĘTO", "ADOPTED"},
	"council.outcome_big.rejected":      {"ODRZUCONO", "REJECTED"},
	"council.result.line":               {"za %d — wymagane %d, %s", "for %d — %d required, %s"},
	"council.break.until":               {"Przerwa do %s", "Break until %s"},
	"council.break.now":                 {"Przerwa", "Break"},
	"council.speaker.now":               {"Głos ma", "Speaking"},
	"council.speaker.next":              {"Następni na liście", "Next on the list"},
	"council.speech.item":               {"do dyskusji", "on the item"},
	"council.speech.ad_vocem":           {"ad vocem", "ad vocem"},
	"council.speech.formal":             {"wniosek formalny", "formal motion"},
}

func init() { add(sittingMessages) }
