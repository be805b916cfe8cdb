package i18n

// What residents meet in the budget and elsewhere: the ballot's sign-in
// prompt and check step, the receipt to keep, lists that wait for the end.
var residentMessages = map[string][2]string{
	"pb.ballots.pending":     {"Karty opublikujemy po zakończeniu głosowania.", "The ballots will be published once voting ends."},
	"pb.ballots.pending_on":  {"Karty opublikujemy po zakończeniu głosowania, %s.", "The ballots will be published once voting ends, on %s."},
	"pb.ballots.pending_why": {"Do końca głosowania nikt, także urząd, nie widzi oddanych kart: lista, która rośnie, zdradzałaby, kiedy kto głosował. Po zakończeniu każdy znajdzie tu swoją kartę po kodzie z potwierdzenia.", "Until voting ends nobody, the office included, sees the ballots cast: a list that grows would tell when each was cast. Afterwards anyone finds their ballot here by the code on their receipt."},
}

func init() { add(residentMessages) }
