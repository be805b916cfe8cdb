package i18n

// What residents meet in the budget and elsewhere: the ballot's sign-in
// prompt and check step, the receipt to keep, lists that wait for the end.
var residentMessages = map[string][2]string{
	"pb.ballots.pending":     {"Karty opublikujemy po zakończeniu głosowania.", "The ballots will be published once voting ends."},
	"pb.ballots.pending_on":  {"Karty opublikujemy po zakończeniu głosowania, %s.", "The ballots will be published once voting ends, on %s."},
	"pb.ballots.pending_why": {"Do końca głosowania nikt, także urząd, nie widzi oddanych kart: lista, która rośnie, zdradzałaby, kiedy kto głosował. Po zakończeniu każdy znajdzie tu swoją kartę po kodzie z potwierdzenia.", "Until voting ends nobody, the office included, sees the ballots cast: a list that grows would tell when each was cast. Afterwards anyone finds their ballot here by the code on their receipt."},
	"pb.vote.sign_in_first":  {"Aby oddać głos, zaloguj się. Możesz najpierw wybrać projekty: wybór zostanie zachowany po zalogowaniu.", "To cast your vote, sign in. You may choose the projects first: your choice is kept through the sign-in."},
	"pb.vote.sign_in_button": {"Zaloguj się, aby oddać głos", "Sign in to cast your vote"},
	"pb.check.button":        {"Sprawdź swój głos", "Check your vote"},
	"pb.check.title":         {"Sprawdź swój głos", "Check your vote"},
	"pb.check.lead":          {"Tak będzie wyglądać Twoja karta. Sprawdź ją: oddanego głosu nie można zmienić.", "This is your ballot as it will be cast. Check it: a vote cast cannot be changed."},
	"pb.check.count:n":       {"Wybrano %d projekt|Wybrano %d projekty|Wybrano %d projektów", "%d project chosen|%d projects chosen"},
	"pb.check.total":         {"łączny koszt: %s", "total cost: %s"},
	"pb.total.over_count":    {"W puli „%s” wybrano więcej projektów, niż pozwala karta.", "More projects are chosen in “%s” than the ballot allows."},
	"pb.total.over_cost":     {"Koszt wybranych w puli „%s” przekracza limit karty: %s.", "The cost of those chosen in “%s” is over the ballot's limit of %s."},
	"pb.check.points":        {"punkty: %s", "points: %s"},
	"pb.check.place":         {"miejsce %s", "place %s"},
	"pb.check.cast":          {"Oddaj głos", "Cast your vote"},
	"pb.check.change":        {"Popraw wybór", "Change your choice"},
	"pb.receipt.where":       {"Po głosowaniu sprawdzisz go kodem na stronie:", "After the vote, check it with the code at:"},
	"pb.back_to":             {"Wróć do strony: %s", "Back to: %s"},
	"pb.receipt.download":    {"Pobierz potwierdzenie (plik tekstowy)", "Download the receipt (a text file)"},
	"pb.receipt.print":       {"Możesz też wydrukować tę stronę: na wydruku zostaje tylko potwierdzenie.", "You can also print this page: the printout holds the receipt alone."},
	"err.pb.receipt_format":  {"Kod potwierdzenia to cztery grupy po cztery znaki, np. ABCD-EFGH-JKLM-NPQR.", "A receipt code is four groups of four characters, e.g. ABCD-EFGH-JKLM-NPQR."},
	"pb.receipt.file":        {"%s — %s\r\nPotwierdzenie oddania głosu\r\n\r\nKod potwierdzenia: %s\r\nZnacznik na liście głosów: %s\r\n\r\nPo zakończeniu głosowania lista wszystkich głosów będzie na stronie\r\n%s\r\nWpisz tam kod, aby zobaczyć swój głos. Kodu nie zapisujemy: zachowaj ten plik.\r\n", "%s — %s\r\nReceipt of your vote\r\n\r\nReceipt code: %s\r\nTag on the list of ballots: %s\r\n\r\nOnce voting ends, the list of all ballots will be at\r\n%s\r\nEnter the code there to see your ballot. The code is not stored: keep this file.\r\n"},
}

func init() { add(residentMessages) }
