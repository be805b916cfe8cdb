package council

// Majority is the rule a vote is decided by.
type Majority string

const (
	Simple            Majority = "simple"                  // większość zwykła: more for than against
	Absolute          Majority = "absolute"                // bezwzględna większość głosów: more for than against and abstain together
	AbsoluteStatutory Majority = "absolute_statutory"      // bezwzględna większość ustawowego składu: more for than half the seats
	Qualified35       Majority = "qualified_3_5_statutory" // at least 3/5 of the statutory seats for
	Qualified23       Majority = "qualified_2_3_statutory" // at least 2/3 of the statutory seats for
)

// Majorities lists the rules.
var Majorities = []Majority{Simple, Absolute, AbsoluteStatutory, Qualified35, Qualified23}

// Valid reports whether m is a known rule.
func (m Majority) Valid() bool {
	for _, x := range Majorities {
		if m == x {
			return true
		}
	}
	return false
}

// Counts are a vote's totals.
type Counts struct {
	For       int `json:"for"`
	Against   int `json:"against"`
	Abstain   int `json:"abstain"`
	NotVoting int `json:"not_voting"`
	Absent    int `json:"absent"`
}

// Adopted decides a vote under the rule, with the body's statutory number of
// seats. Integer arithmetic only: "at least 3/5 of 23" is for·5 ≥ 23·3.
func (m Majority) Adopted(c Counts, statutory int) bool {
	switch m {
	case Simple:
		return c.For > c.Against
	case Absolute:
		return c.For > c.Against+c.Abstain
	case AbsoluteStatutory:
		return 2*c.For > statutory
	case Qualified35:
		return 5*c.For >= 3*statutory
	case Qualified23:
		return 3*c.For >= 2*statutory
	}
	return false
}

// Required is the fewest votes for that adopt under the rule, the other
// counts being as they are: what the chair reads out beside the result
// ("za 9 — wymagane 8"). Adopted(c, n) is exactly c.For >= Required(c, n).
func (m Majority) Required(c Counts, statutory int) int {
	switch m {
	case Simple:
		return c.Against + 1
	case Absolute:
		return c.Against + c.Abstain + 1
	case AbsoluteStatutory:
		return statutory/2 + 1
	case Qualified35:
		return (3*statutory + 4) / 5
	case Qualified23:
		return (2*statutory + 2) / 3
	}
	return 0
}

// Quorum reports whether enough councillors are present to vote: at least
// half of the statutory seats.
func Quorum(present, statutory int) bool { return 2*present >= statutory }

// Roman writes a session number the way councils number them (XII).
func Roman(n int) string {
	if n <= 0 || n >= 4000 {
		return ""
	}
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	out := ""
	for i, v := range vals {
		for n >= v {
			out += syms[i]
			n -= v
		}
	}
	return out
}
