package i18n

// The home page: what is on now, and the way in for residents.
var homeMessages = map[string][2]string{
	"home.signin.no_oidc":         {"Logowanie mieszkańców (login.gov.pl, Profil Zaufany) gmina jeszcze uruchamia.", "Resident sign-in (login.gov.pl, Profil Zaufany) is still being set up by the municipality."},
	"home.now":                    {"Teraz w gminie", "Happening now"},
	"home.session.live":           {"Obrady trwają.", "The sitting is on."},
	"home.session.watch":          {"Oglądaj na żywo", "Watch live"},
	"home.session.next":           {"Najbliższa sesja: %s", "Next sitting: %s"},
	"home.session.agenda":         {"Porządek obrad", "Agenda"},
	"home.consultation.until":     {"Konsultacje trwają do %s", "Open until %s"},
	"home.consultation.take_part": {"Weź udział", "Take part"},
	"home.pb.phase":               {"Teraz: %s", "Now: %s"},
	"home.pb.until":               {"do %s", "until %s"},
	"home.pb.vote":                {"Zagłosuj", "Vote"},
	"home.pb.submit":              {"Zgłoś projekt", "Submit a project"},
	"home.pb.see":                 {"Zobacz projekty", "See the projects"},
	"home.nothing_now":            {"W tej chwili nie trwają sesje, konsultacje ani głosowanie w budżecie obywatelskim.", "No sitting, consultation or budget vote is on at the moment."},
	"home.resolutions":            {"Ostatnie uchwały", "Latest resolutions"},
	"home.resolutions.all":        {"Rejestr uchwał", "All resolutions"},
	"home.bip":                    {"Nowe w BIP", "New in the bulletin"},
	"home.bip.all":                {"Biuletyn Informacji Publicznej", "Public Information Bulletin"},
	"home.sections":               {"Działy serwisu", "Sections"},
}

func init() { add(homeMessages) }
