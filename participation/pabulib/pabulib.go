// This file is the pabulib parser and is longer than 600 lines on purpose:
// parse is one state machine over the sections (META, PROJECTS, VOTES), and
// each check needs what the sections before it set; split, a check would
// be read away from the state it tests. The writer and the exclusion
// comments are in write.go and exclusions.go.

package pabulib

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// VoteType is how a ballot is cast, as pabulib's META "vote_type" names it.
type VoteType string

const (
	Approval   VoteType = "approval"   // any number of projects, each one approval
	Choose1    VoteType = "choose-1"   // exactly one project
	Cumulative VoteType = "cumulative" // points spread over projects (META max_sum_points)
	Scoring    VoteType = "scoring"    // points given to each project (META max_points)
	Ordinal    VoteType = "ordinal"    // projects in order of preference
)

// Valid reports whether v is one of pabulib's ballot types.
func (v VoteType) Valid() bool {
	switch v {
	case Approval, Choose1, Cumulative, Scoring, Ordinal:
		return true
	}
	return false
}

// hasPoints tells whether ballots of this type carry a points column.
// HasPoints reports whether ballots of this type give points.
func (v VoteType) HasPoints() bool { return v == Cumulative || v == Scoring }

// MetaEntry is one row of the META section.
type MetaEntry struct {
	Key, Value string
}

// Instance is one participatory budget: a pool of money, the projects
// competing for it and the ballots cast, as one pabulib file holds it.
//
// Money (Budget, Project.Cost) is an integer number of units of 10^-Scale of
// the currency: with Scale 0 a cost of 125000 is 125,000 zł; with Scale 2 it
// is 1,250.00 zł. The parser picks the smallest Scale that holds every amount
// of the file exactly.
type Instance struct {
	// Meta is the META section in file order. Its "budget" and "vote_type"
	// rows are written from Budget and VoteType (and read in their canonical
	// form: "1000000.0" becomes "1000000"); every other row as it is.
	Meta     []MetaEntry
	Budget   int64
	Scale    int
	VoteType VoteType

	// ProjectColumns is the PROJECTS header, which holds project_id and cost.
	ProjectColumns []string
	Projects       []Project

	// VoteColumns is the VOTES header, which holds voter_id and vote, and
	// points for cumulative and scoring ballots.
	VoteColumns []string
	Ballots     []Ballot

	// Exclusions are groups of mutually exclusive projects for the
	// greedy-exclusive rule. Pabulib has no column for them; the parser reads
	// them from the META comment (see ExclusionsFromComment).
	Exclusions []Exclusion

	index map[string]int32 // project id → index, built by the parser or Index
}

// Project is one row of the PROJECTS section.
type Project struct {
	ID   string
	Cost int64
	// Extra holds the row's other columns (name, votes, score, selected, …)
	// in the order of ProjectColumns without project_id and cost.
	Extra []string
}

// Ballot is one row of the VOTES section.
type Ballot struct {
	VoterID string
	// Projects are indexes into Instance.Projects in the order the ballot
	// lists them, which for ordinal ballots is the order of preference.
	Projects []int32
	// Points go with Projects for cumulative and scoring ballots; nil
	// otherwise.
	Points []int64
	// Extra holds the row's other columns (age, sex, …) in the order of
	// VoteColumns without voter_id, vote and points.
	Extra []string
}

// Exclusion is a group of projects of which at most one may be funded, for
// example because they would take the same place. Retained, when set, is the
// project the office kept; the others are then not eligible at all.
type Exclusion struct {
	Projects []string
	Retained string
}

// MetaValue returns the value of the META row key, and whether there is one.
func (in *Instance) MetaValue(key string) (string, bool) {
	for _, e := range in.Meta {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// SetMeta sets the META row key, appending it when there is none.
func (in *Instance) SetMeta(key, value string) {
	for i, e := range in.Meta {
		if e.Key == key {
			in.Meta[i].Value = value
			return
		}
	}
	in.Meta = append(in.Meta, MetaEntry{key, value})
}

// Index returns the index of the project with the given id, or -1.
func (in *Instance) Index(id string) int {
	if i, ok := in.index[id]; ok && int(i) < len(in.Projects) && in.Projects[i].ID == id {
		return int(i)
	}
	// Projects changed since the map was built, or id is not there.
	in.index = make(map[string]int32, len(in.Projects))
	for i, p := range in.Projects {
		in.index[p.ID] = int32(i)
	}
	if i, ok := in.index[id]; ok {
		return int(i)
	}
	return -1
}

// ProjectField returns the value of the named PROJECTS column for project i,
// or "" when there is no such column.
func (in *Instance) ProjectField(i int, column string) string {
	switch column {
	case "project_id":
		return in.Projects[i].ID
	case "cost":
		return FormatAmount(in.Projects[i].Cost, in.Scale)
	}
	k := 0
	for _, c := range in.ProjectColumns {
		switch c {
		case "project_id", "cost":
			continue
		case column:
			if k < len(in.Projects[i].Extra) {
				return in.Projects[i].Extra[k]
			}
			return ""
		}
		k++
	}
	return ""
}

// Selected returns the ids of the projects the file marks as funded (a
// "selected" column of 1, or 2 for Poznań's projects funded from the
// reserve), in file order, and whether the file has a "selected" column.
func (in *Instance) Selected() ([]string, bool) {
	has := false
	for _, c := range in.ProjectColumns {
		has = has || c == "selected"
	}
	if !has {
		return nil, false
	}
	var ids []string
	for i, p := range in.Projects {
		if v := strings.TrimSpace(in.ProjectField(i, "selected")); v != "" && v != "0" {
			ids = append(ids, p.ID)
		}
	}
	return ids, true
}

// ParseError is a malformed pabulib file: the line and section at fault.
type ParseError struct {
	Line    int    // 1-based; 0 when the error is about the file as a whole
	Section string // META, PROJECTS or VOTES; "" before the first section
	Err     error
}

func (e *ParseError) Error() string {
	where := "pabulib"
	if e.Line > 0 {
		where += fmt.Sprintf(" line %d", e.Line)
	}
	if e.Section != "" {
		where += " (" + e.Section + ")"
	}
	return where + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a pabulib file: sections META, PROJECTS and VOTES, each a
// header row and rows of semicolon-separated fields, in which a field may be
// quoted ("a;b", "say ""yes"""). A byte-order mark, CRLF line ends and blank
// lines are accepted. Amounts may have decimals ("1000000.0", "1250,50").
func Parse(r io.Reader) (*Instance, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	p := parser{src: string(data), line: 1}
	p.src = strings.TrimPrefix(p.src, "\ufeff")
	return p.parse()
}

type parser struct {
	src     string
	pos     int
	line    int // line of the next record
	section string
	fields  []string // reused record buffer
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &ParseError{Line: line, Section: p.section, Err: fmt.Errorf(format, args...)}
}

// record returns the next non-blank record, its line number, and false at
// the end of input. Fields point into src unless they were quoted with
// doubled quotes inside.
func (p *parser) record() ([]string, int, bool, error) {
	for p.pos < len(p.src) {
		start := p.line
		f := p.fields[:0]
		blank := true
		// Fast path: a line without quotes.
		end := strings.IndexByte(p.src[p.pos:], '\n')
		if end < 0 {
			end = len(p.src) - p.pos
		}
		if line := p.src[p.pos : p.pos+end]; strings.IndexByte(line, '"') < 0 {
			p.pos += end + 1
			p.line++
			line = strings.TrimSuffix(line, "\r")
			if line == "" {
				continue
			}
			for {
				i := strings.IndexByte(line, ';')
				if i < 0 {
					f = append(f, line)
					break
				}
				f = append(f, line[:i])
				line = line[i+1:]
			}
			p.fields = f
			return f, start, true, nil
		}
		for {
			// One field.
			if p.pos < len(p.src) && p.src[p.pos] == '"' {
				blank = false
				var sb strings.Builder
				p.pos++
				for {
					i := strings.IndexByte(p.src[p.pos:], '"')
					if i < 0 {
						return nil, start, false, p.errorf(start, "quoted field does not end")
					}
					chunk := p.src[p.pos : p.pos+i]
					p.line += strings.Count(chunk, "\n")
					sb.WriteString(chunk)
					p.pos += i + 1
					if p.pos < len(p.src) && p.src[p.pos] == '"' {
						sb.WriteByte('"')
						p.pos++
						continue
					}
					break
				}
				// Only the separator or the line end may follow.
				rest := p.pos
				for rest < len(p.src) && (p.src[rest] == ' ' || p.src[rest] == '\t') {
					rest++
				}
				if rest < len(p.src) && p.src[rest] != ';' && p.src[rest] != '\n' && p.src[rest] != '\r' {
					return nil, p.line, false, p.errorf(p.line, "text after a quoted field")
				}
				p.pos = rest
				f = append(f, sb.String())
			} else {
				end := p.pos
				for end < len(p.src) && p.src[end] != ';' && p.src[end] != '\n' {
					end++
				}
				v := p.src[p.pos:end]
				if end == len(p.src) || p.src[end] == '\n' {
					v = strings.TrimSuffix(v, "\r")
				}
				if v != "" {
					blank = false
				}
				p.pos = end
				f = append(f, v)
			}
			if p.pos < len(p.src) && p.src[p.pos] == ';' {
				p.pos++
				blank = false
				continue
			}
			if p.pos < len(p.src) && p.src[p.pos] == '\r' {
				p.pos++
			}
			if p.pos < len(p.src) && p.src[p.pos] == '\n' {
				p.pos++
			}
			p.line++
			break
		}
		p.fields = f
		if blank {
			continue
		}
		return f, start, true, nil
	}
	return nil, p.line, false, nil
}

func sectionName(f []string) string {
	n := len(f)
	for n > 1 && strings.TrimSpace(f[n-1]) == "" {
		n--
	}
	if n != 1 {
		return ""
	}
	switch s := strings.ToUpper(strings.TrimSpace(f[0])); s {
	case "META", "PROJECTS", "VOTES":
		return s
	}
	return ""
}

func (p *parser) parse() (*Instance, error) {
	in := &Instance{}
	var (
		seen        = map[string]bool{}
		header      []string // the current section's header
		headerLine  int
		budget      string
		budgetLine  int
		costs       []string // raw costs, converted once the scale is known
		costLines   []int
		pointsCol   = -1
		voteCol     = -1
		voterCol    = -1
		projectCol  = -1
		costCol     = -1
		projExtra   []string // backing arrays, carved into rows
		ballotExtra []string
		ballotIdx   []int32
		ballotPts   []int64
	)
	for {
		f, line, ok, err := p.record()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if s := sectionName(f); s != "" {
			if seen[s] {
				return nil, p.errorf(line, "section %s appears twice", s)
			}
			if s == "VOTES" && !seen["PROJECTS"] || s == "PROJECTS" && !seen["META"] {
				return nil, p.errorf(line, "section %s before %s", s, map[string]string{"VOTES": "PROJECTS", "PROJECTS": "META"}[s])
			}
			seen[s] = true
			p.section = s
			header = nil
			if s == "VOTES" {
				if err := p.afterProjects(in, budget, budgetLine, costs, costLines); err != nil {
					return nil, err
				}
			}
			continue
		}
		if p.section == "" {
			return nil, p.errorf(line, "expected META, found %q", clip(strings.Join(f, ";")))
		}
		if header == nil {
			header = make([]string, len(f))
			for i, c := range f {
				header[i] = strings.ToLower(strings.TrimSpace(c))
			}
			headerLine = line
			switch p.section {
			case "META":
				if len(header) < 2 || header[0] != "key" || header[1] != "value" {
					return nil, p.errorf(line, "header must be key;value, found %q", clip(strings.Join(f, ";")))
				}
			case "PROJECTS":
				projectCol, costCol = column(header, "project_id"), column(header, "cost")
				if projectCol < 0 || costCol < 0 {
					return nil, p.errorf(line, "header must name project_id and cost, found %q", clip(strings.Join(f, ";")))
				}
				if err := duplicateColumn(header); err != "" {
					return nil, p.errorf(line, "column %s appears twice", err)
				}
				in.ProjectColumns = header
			case "VOTES":
				voterCol, voteCol, pointsCol = column(header, "voter_id"), column(header, "vote"), column(header, "points")
				if voterCol < 0 || voteCol < 0 {
					return nil, p.errorf(line, "header must name voter_id and vote, found %q", clip(strings.Join(f, ";")))
				}
				if in.VoteType.HasPoints() && pointsCol < 0 {
					return nil, p.errorf(line, "%s ballots need a points column", in.VoteType)
				}
				if err := duplicateColumn(header); err != "" {
					return nil, p.errorf(line, "column %s appears twice", err)
				}
				in.VoteColumns = header
				// Size the ballots from the lines and commas left, so that
				// they are allocated once.
				rest := p.src[min(p.pos, len(p.src)):] // the header may be the file's last line, without a newline
				lines, commas := strings.Count(rest, "\n")+1, strings.Count(rest, ",")
				in.Ballots = make([]Ballot, 0, lines)
				ballotIdx = make([]int32, 0, lines+commas)
				if in.VoteType.HasPoints() {
					ballotPts = make([]int64, 0, lines+commas)
				}
				extra := len(header) - 2
				if pointsCol >= 0 {
					extra--
				}
				ballotExtra = make([]string, 0, lines*extra)
			}
			continue
		}
		switch p.section {
		case "META":
			key := strings.TrimSpace(f[0])
			value := ""
			if len(f) > 1 {
				// An unquoted value may hold semicolons: keep them.
				value = strings.Join(f[1:], ";")
				if len(f) > 2 && strings.Trim(strings.Join(f[2:], ""), " ") == "" {
					value = f[1]
				}
			}
			if key == "" {
				return nil, p.errorf(line, "META row without a key")
			}
			if _, dup := in.MetaValue(key); dup {
				return nil, p.errorf(line, "META key %q appears twice", key)
			}
			in.Meta = append(in.Meta, MetaEntry{key, value})
			switch key {
			case "budget":
				budget, budgetLine = strings.TrimSpace(value), line
			case "vote_type":
				in.VoteType = VoteType(strings.TrimSpace(value))
				if !in.VoteType.Valid() {
					return nil, p.errorf(line, "unknown vote_type %q (known: approval, choose-1, cumulative, scoring, ordinal)", value)
				}
			}
		case "PROJECTS":
			if len(f) != len(header) {
				return nil, p.errorf(line, "%d fields, but the header on line %d has %d", len(f), headerLine, len(header))
			}
			id := strings.TrimSpace(f[projectCol])
			if id == "" {
				return nil, p.errorf(line, "empty project_id")
			}
			if in.index == nil {
				in.index = map[string]int32{}
			}
			if _, dup := in.index[id]; dup {
				return nil, p.errorf(line, "project %q appears twice", id)
			}
			in.index[id] = int32(len(in.Projects))
			start := len(projExtra)
			for i, v := range f {
				if i != projectCol && i != costCol {
					projExtra = append(projExtra, v)
				}
			}
			in.Projects = append(in.Projects, Project{ID: id, Extra: projExtra[start:len(projExtra):len(projExtra)]})
			costs = append(costs, strings.TrimSpace(f[costCol]))
			costLines = append(costLines, line)
		case "VOTES":
			if len(f) != len(header) {
				return nil, p.errorf(line, "%d fields, but the header on line %d has %d", len(f), headerLine, len(header))
			}
			b := Ballot{VoterID: strings.TrimSpace(f[voterCol])}
			start := len(ballotIdx)
			vote := f[voteCol]
			for len(vote) > 0 {
				id := vote
				if i := strings.IndexByte(vote, ','); i >= 0 {
					id, vote = vote[:i], vote[i+1:]
				} else {
					vote = ""
				}
				id = strings.TrimSpace(id)
				if id == "" {
					continue
				}
				k, ok := in.index[id]
				if !ok {
					return nil, p.errorf(line, "vote for project %q, which PROJECTS does not list", id)
				}
				for _, prev := range ballotIdx[start:] {
					if prev == k {
						return nil, p.errorf(line, "project %q twice in one vote", id)
					}
				}
				ballotIdx = append(ballotIdx, k)
			}
			b.Projects = ballotIdx[start:len(ballotIdx):len(ballotIdx)]
			if in.VoteType.HasPoints() {
				pstart := len(ballotPts)
				pts := f[pointsCol]
				if strings.TrimSpace(pts) == "" {
					pts = ""
				}
				for len(pts) > 0 {
					s, rest, _ := strings.Cut(pts, ",")
					v, err := parsePoints(s)
					if err != nil {
						return nil, p.errorf(line, "points %q: %v", s, err)
					}
					ballotPts = append(ballotPts, v)
					pts = rest
				}
				b.Points = ballotPts[pstart:len(ballotPts):len(ballotPts)]
				if len(b.Points) != len(b.Projects) {
					return nil, p.errorf(line, "%d points for %d projects", len(b.Points), len(b.Projects))
				}
			}
			estart := len(ballotExtra)
			for i, v := range f {
				if i != voterCol && i != voteCol && i != pointsCol {
					ballotExtra = append(ballotExtra, v)
				}
			}
			b.Extra = ballotExtra[estart:len(ballotExtra):len(ballotExtra)]
			in.Ballots = append(in.Ballots, b)
		}
	}
	for _, s := range []string{"META", "PROJECTS", "VOTES"} {
		if !seen[s] {
			return nil, &ParseError{Line: p.line - 1, Section: p.section, Err: fmt.Errorf("no %s section", s)}
		}
	}
	if in.VoteColumns == nil {
		return nil, &ParseError{Line: p.line - 1, Section: "VOTES", Err: errors.New("no header row")}
	}
	if in.ProjectColumns == nil {
		return nil, &ParseError{Section: "PROJECTS", Err: errors.New("no header row")}
	}
	comment, _ := in.MetaValue("comment")
	in.Exclusions = ExclusionsFromComment(comment)
	for _, x := range in.Exclusions {
		for _, id := range x.Projects {
			if in.Index(id) < 0 {
				return nil, &ParseError{Section: "META", Err: fmt.Errorf("comment excludes project %q, which PROJECTS does not list", id)}
			}
		}
	}
	return in, nil
}

// afterProjects checks META and converts budget and costs once all amounts
// are known, so that one scale holds them all.
func (p *parser) afterProjects(in *Instance, budget string, budgetLine int, costs []string, costLines []int) error {
	meta := p.section
	p.section = "META"
	if budget == "" {
		return p.errorf(0, "no budget")
	}
	if in.VoteType == "" {
		return p.errorf(0, "no vote_type")
	}
	if in.ProjectColumns == nil {
		p.section = "PROJECTS"
		return p.errorf(0, "no header row")
	}
	scale, err := amountScale(budget)
	if err != nil {
		return p.errorf(budgetLine, "budget %q: %v", budget, err)
	}
	p.section = "PROJECTS"
	for i, c := range costs {
		s, err := amountScale(c)
		if err != nil {
			return p.errorf(costLines[i], "cost %q: %v", c, err)
		}
		scale = max(scale, s)
	}
	in.Scale = scale
	p.section = "META"
	if in.Budget, err = ParseAmount(budget, scale); err != nil {
		return p.errorf(budgetLine, "budget %q: %v", budget, err)
	}
	in.SetMeta("budget", FormatAmount(in.Budget, scale))
	in.SetMeta("vote_type", string(in.VoteType))
	p.section = "PROJECTS"
	for i, c := range costs {
		if in.Projects[i].Cost, err = ParseAmount(c, scale); err != nil {
			return p.errorf(costLines[i], "cost %q: %v", c, err)
		}
	}
	p.section = meta
	return nil
}

func column(header []string, name string) int {
	for i, c := range header {
		if c == name {
			return i
		}
	}
	return -1
}

func duplicateColumn(header []string) string {
	for i, c := range header {
		for _, d := range header[:i] {
			if c == d {
				return c
			}
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if cut == 0 { // not UTF-8 at all: cut the bytes, and show them as valid text
		cut = 60
	}
	return strings.ToValidUTF8(s[:cut], "�") + "…"
}

// amountScale returns the number of significant decimal digits of a
// non-negative amount: 0 for "1000", "1000.0" and "1000,00"; 2 for "12.50"
// is 1, for "12.55" 2.
func amountScale(s string) (int, error) {
	intPart, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if intPart == "" && frac == "" {
		return 0, errors.New("not an amount")
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, errors.New("not a non-negative decimal amount")
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 9 {
		return 0, errors.New("more than 9 decimal places")
	}
	return len(frac), nil
}

// ParseAmount reads a non-negative decimal amount ("125000", "1000000.0",
// "1250,50") as an integer number of units of 10^-scale, and fails when it
// has more significant decimals than scale or does not fit.
func ParseAmount(s string, scale int) (int64, error) {
	s = strings.TrimSpace(s)
	need, err := amountScale(s)
	if err != nil {
		return 0, err
	}
	if need > scale {
		return 0, fmt.Errorf("more than %d decimal places", scale)
	}
	intPart, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	frac = strings.TrimRight(frac, "0")
	digits := strings.TrimLeft(intPart+frac+strings.Repeat("0", scale-len(frac)), "0")
	if digits == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, errors.New("too large")
	}
	return v, nil
}

// FormatAmount writes an amount of units of 10^-scale as a decimal:
// FormatAmount(125050, 2) is "1250.5", FormatAmount(7, 0) is "7".
func FormatAmount(v int64, scale int) string {
	s := strconv.FormatInt(v, 10)
	if scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	intPart, frac := s[:len(s)-scale], strings.TrimRight(s[len(s)-scale:], "0")
	if neg {
		intPart = "-" + intPart
	}
	if frac == "" {
		return intPart
	}
	return intPart + "." + frac
}

func parsePoints(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, errors.New("not a whole number")
	}
	return int64(f), nil
}
