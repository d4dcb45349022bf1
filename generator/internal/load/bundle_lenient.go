package load

import (
	"strings"

	"go.yaml.in/yaml/v4"
)

// What the bundler repairs in lenient mode (see lenient.go), and refuses
// otherwise.

// unresolved is the schema a $ref that leads nowhere (n, in f) becomes in
// lenient mode: raw JSON. why says where it led.
func (b *bundler) unresolved(f *refFile, n, ref *yaml.Node, why string) (*yaml.Node, error) {
	b.repairs = append(b.repairs, repairAt(f.display, ref.Line, ref.Column, why+": typed as raw JSON (json.RawMessage)"))
	out := unresolvedSchema(n, ref)
	b.made(f, out)
	for _, c := range out.Content {
		b.made(f, c)
	}
	return out, nil
}

// componentKind is the kind of the component a pointer names
// (#/components/requestBodies/X: a request body), kNone when it names none.
func componentKind(ptr []string) kind {
	if len(ptr) != 3 || ptr[0] != "components" {
		return kNone
	}
	return kindOfSection(ptr[1])
}

// otherKind handles a $ref (in f) where an object of kind want belongs to a
// component of kind have (in tf, at ptr): an error, or in lenient mode the
// component read as want when its fields fit, placed among the components of
// its new kind. It returns the $ref to write.
func (b *bundler) otherKind(f *refFile, ref *yaml.Node, tf *refFile, ptr []string, node *yaml.Node, have, want kind) (string, error) {
	msg := wrongKindMessage(ref.Value, have, want, ptr[1])
	if !b.opts.lenient {
		return "", &SpecError{File: f.display, Line: ref.Line, Col: ref.Column, Msg: msg + ": refer to " + kindNames[want] + ", or generate in lenient mode, which reads it as one when its fields fit"}
	}
	conv, dropped, ok := convert(deref(node), have, want)
	if !ok {
		return "", &SpecError{File: f.display, Line: ref.Line, Col: ref.Column, Msg: msg + ", and its fields do not fit " + kindNames[want] + " (lenient mode reads a request body as a response, a response as a request body, a parameter as a header)"}
	}
	b.made(tf, conv)
	t := b.target(tf, ptr, conv, want)
	what := "read as " + kindNames[want]
	if len(dropped) > 0 {
		what += " without its " + strings.Join(dropped, " and ")
	}
	b.repairs = append(b.repairs, repairAt(f.display, ref.Line, ref.Column, msg+": "+what))
	return "#/components/" + t.section + "/" + t.name, nil
}
