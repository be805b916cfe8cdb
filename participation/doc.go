// Package participation is participatory budgeting (budżet obywatelski,
// usg art. 5a) as the municipality runs it: editions with their pools,
// phases and ballot rules; projects with their estimates, verification and
// appeals; sealed ballots with receipts, online and on paper; the results,
// computed by the engine in participation/pabulib and published in BIP in
// the transaction that ends the vote; import and export of pabulib files.
// Its SQL and its permission policy (pb_officer) are here; the engine has
// neither.
package participation
