package pabulib

// Writing an Instance as a pabulib file.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Write writes the instance as a pabulib file with LF line ends,
// quoting fields that hold a semicolon, a quote or a line end. Parsing the
// result gives back the same instance.
func (in *Instance) Write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	row := func(fields ...string) {
		line = line[:0]
		for i, f := range fields {
			if i > 0 {
				line = append(line, ';')
			}
			line = appendField(line, f)
		}
		line = append(line, '\n')
		bw.Write(line)
	}
	if !in.VoteType.Valid() {
		return fmt.Errorf("pabulib: unknown vote type %q", in.VoteType)
	}
	meta := append([]MetaEntry(nil), in.Meta...)
	set := func(key, value string) {
		for i := range meta {
			if meta[i].Key == key {
				meta[i].Value = value
				return
			}
		}
		meta = append(meta, MetaEntry{key, value})
	}
	set("budget", FormatAmount(in.Budget, in.Scale))
	set("vote_type", string(in.VoteType))
	comment, _ := in.MetaValue("comment")
	if !sameExclusions(ExclusionsFromComment(comment), in.Exclusions) {
		set("comment", commentWithExclusions(comment, in.Exclusions))
	}
	bw.WriteString("META\n")
	row("key", "value")
	for _, e := range meta {
		row(e.Key, e.Value)
	}

	bw.WriteString("PROJECTS\n")
	cols := in.ProjectColumns
	if column(cols, "project_id") < 0 || column(cols, "cost") < 0 {
		return errors.New("pabulib: ProjectColumns must name project_id and cost")
	}
	row(cols...)
	fields := make([]string, len(cols))
	for _, p := range in.Projects {
		k := 0
		for i, c := range cols {
			switch c {
			case "project_id":
				fields[i] = p.ID
			case "cost":
				fields[i] = FormatAmount(p.Cost, in.Scale)
			default:
				fields[i] = ""
				if k < len(p.Extra) {
					fields[i] = p.Extra[k]
				}
				k++
			}
		}
		row(fields...)
	}

	bw.WriteString("VOTES\n")
	cols = in.VoteColumns
	if column(cols, "voter_id") < 0 || column(cols, "vote") < 0 {
		return errors.New("pabulib: VoteColumns must name voter_id and vote")
	}
	if in.VoteType.HasPoints() && column(cols, "points") < 0 {
		return fmt.Errorf("pabulib: %s ballots need a points column", in.VoteType)
	}
	row(cols...)
	fields = make([]string, len(cols))
	var buf []byte
	for _, b := range in.Ballots {
		k := 0
		for i, c := range cols {
			switch c {
			case "voter_id":
				fields[i] = b.VoterID
			case "vote":
				buf = buf[:0]
				for j, p := range b.Projects {
					if j > 0 {
						buf = append(buf, ',')
					}
					buf = append(buf, in.Projects[p].ID...)
				}
				fields[i] = string(buf)
			case "points":
				if in.VoteType.HasPoints() {
					buf = buf[:0]
					for j, p := range b.Points {
						if j > 0 {
							buf = append(buf, ',')
						}
						buf = strconv.AppendInt(buf, p, 10)
					}
					fields[i] = string(buf)
					continue
				}
				fallthrough
			default:
				fields[i] = ""
				if k < len(b.Extra) {
					fields[i] = b.Extra[k]
				}
				k++
			}
		}
		row(fields...)
	}
	return bw.Flush()
}

func appendField(dst []byte, f string) []byte {
	if !strings.ContainsAny(f, ";\"\n\r") && (f == "" || f[0] != ' ' && f[len(f)-1] != ' ') {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, f[i])
	}
	return append(dst, '"')
}
