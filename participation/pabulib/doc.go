// Package pabulib is the pure engine of participatory budgeting: the
// pabulib file format and the tally rules that turn ballots into funded
// projects.
//
// An Instance is one budget with its projects and ballots, the unit pabulib
// files describe: a city-wide pool or one district. Tally runs one rule on one
// Instance; a caller with districts runs it once per district.
//
// The rules are those pabulib files declare in META "rule": greedy,
// greedy-threshold, greedy-no-skip, greedy-exclusive, greedy-custom (Poznań's
// 80 % rule), and the Method of Equal Shares (equalshares, equalshares/add1,
// equalshares/add1-comparison) in exact arithmetic. Money is held as integers
// in units of 10^-Scale of the currency, so no rule ever rounds.
//
// This package is pure computation: it uses no database and no clock.
package pabulib
