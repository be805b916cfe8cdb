package pabulib

// Exclusion groups as the PROJECTS comments carry them.

import (
	"fmt"
	"strings"
)

// ExclusionsFromComment reads groups of mutually exclusive projects from a
// META comment. Pabulib has no field for them; its files describe them in
// prose, as Poland_Warszawa_2021_Ursynow.pb does: "… projects 459, 1687, and
// 2150 overlapped at the Kabaty area and could not all be implemented
// simultaneously. The official winner list retained project 2150 …". This
// reads each "#n:" part of the comment that says "overlapped" or "mutually
// exclusive": the first list of projects after "projects" is the group, and
// "retained project X", when present, its retained project. Write
// states exclusions set in code in the same words.
func ExclusionsFromComment(comment string) []Exclusion {
	var out []Exclusion
	for _, part := range commentParts(comment) {
		low := strings.ToLower(part)
		if !strings.Contains(low, "overlapped") && !strings.Contains(low, "mutually exclusive") {
			continue
		}
		i := strings.Index(low, "projects ")
		if i < 0 {
			continue
		}
		var ids []string
		rest := part[i+len("projects "):]
		for {
			rest = strings.TrimLeft(rest, " ")
			rest = strings.TrimPrefix(rest, "and ")
			j := 0
			for j < len(rest) && rest[j] != ',' && rest[j] != ' ' && rest[j] != ';' && !(rest[j] == '.' && (j+1 == len(rest) || rest[j+1] == ' ')) {
				j++
			}
			if j == 0 {
				break
			}
			ids = append(ids, rest[:j])
			rest = rest[j:]
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
				continue
			}
			if strings.HasPrefix(strings.TrimLeft(rest, " "), "and ") {
				continue
			}
			break
		}
		if len(ids) < 2 {
			continue
		}
		x := Exclusion{Projects: ids}
		if k := strings.Index(low, "retained project "); k >= 0 {
			r := part[k+len("retained project "):]
			j := 0
			for j < len(r) && r[j] != ' ' && r[j] != ',' && r[j] != ';' && !(r[j] == '.' && (j+1 == len(r) || r[j+1] == ' ')) {
				j++
			}
			x.Retained = r[:j]
		}
		out = append(out, x)
	}
	return out
}

// commentParts splits a pabulib comment into its "#1: …", "#2: …" parts.
func commentParts(comment string) []string {
	var parts []string
	for {
		i := nextPartMark(comment, 1)
		if i < 0 {
			return append(parts, comment)
		}
		parts = append(parts, comment[:i])
		comment = comment[i:]
	}
}

// nextPartMark returns the index of the first "#<digits>:" at or after from.
func nextPartMark(s string, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] != '#' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == ':' {
			return i
		}
	}
	return -1
}

func commentWithExclusions(comment string, xs []Exclusion) string {
	// Drop parts that state exclusions, then state the current ones.
	var kept []string
	for _, part := range commentParts(comment) {
		if strings.TrimSpace(part) == "" || len(ExclusionsFromComment(part)) > 0 {
			continue
		}
		kept = append(kept, strings.TrimSpace(part))
	}
	n := len(kept)
	for _, x := range xs {
		n++
		s := fmt.Sprintf("#%d: Mutually exclusive projects %s.", n, strings.Join(x.Projects, ", "))
		if x.Retained != "" {
			s += fmt.Sprintf(" The office retained project %s.", x.Retained)
		}
		kept = append(kept, s)
	}
	return strings.Join(kept, " ")
}

func sameExclusions(a, b []Exclusion) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Retained != b[i].Retained || len(a[i].Projects) != len(b[i].Projects) {
			return false
		}
		for j := range a[i].Projects {
			if a[i].Projects[j] != b[i].Projects[j] {
				return false
			}
		}
	}
	return true
}
