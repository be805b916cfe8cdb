package bip

import (
	"fmt"
	"time"
)

// Warsaw is the time zone of every date Ratusz publishes.
var Warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

var polishMonths = [...]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}

// PolishDate writes a day as in an official letter: "10 grudnia 2026 r.".
func PolishDate(t time.Time) string {
	t = t.In(Warsaw)
	return fmt.Sprintf("%d %s %d r.", t.Day(), polishMonths[t.Month()-1], t.Year())
}
