package web

import "strings"

// fieldArgs is one form control for the "field" template: its label and
// hint translated, its error (if the form came back with one) beside it.
type fieldArgs struct {
	Name, Label, Type, Value, Hint, Error, Min string
	Autocomplete, Inputmode                    string
	Rows                                       int
	Required                                   bool
	Options                                    []option
}

type option struct {
	Value, Label string
	Selected     bool
}

// Field describes a control named name, labelled by the catalogue key
// label, of an input type ("text", "date" …), "textarea" or "select".
func (p *Page) Field(name, label, typ string, value any) fieldArgs {
	v, _ := value.(string)
	return fieldArgs{Name: name, Label: p.T(label), Type: typ, Value: v, Error: p.Err(name), Rows: 6}
}

// Req marks the control required.
func (f fieldArgs) Req() fieldArgs { f.Required = true; return f }

// WithHint adds a hint (translated) under the control.
func (f fieldArgs) WithHint(hint string) fieldArgs { f.Hint = hint; return f }

// Secret keeps the browser from remembering what is typed (a key).
func (f fieldArgs) Secret() fieldArgs { f.Autocomplete = "off"; return f }

// OneTimeCode is a code sent by SMS or e-mail: digits on a phone's
// keyboard, and the phone may fill it in from the message.
func (f fieldArgs) OneTimeCode() fieldArgs {
	f.Autocomplete, f.Inputmode = "one-time-code", "numeric"
	return f
}

// WithMin sets a number's least value.
func (f fieldArgs) WithMin(min string) fieldArgs { f.Min = min; return f }

// WithOptions makes a select's options from values and labels (already
// translated), selecting the field's value.
func (f fieldArgs) WithOptions(values, labels []string) fieldArgs {
	for i, v := range values {
		f.Options = append(f.Options, option{Value: v, Label: labels[i], Selected: v == f.Value})
	}
	return f
}

// Described is the control's aria-describedby: its hint and its error.
func (f fieldArgs) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}
