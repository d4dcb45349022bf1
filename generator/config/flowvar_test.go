package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFlowReference: an unquoted ${VAR} in a flow collection, which YAML
// cannot parse, is an error at the reference that says to quote it; quoted,
// or in block style, the same reference loads.
func TestFlowReference(t *testing.T) {
	const head = "version: 1\noutput: gen\nservices:\n"
	for _, tc := range []struct {
		name, body string
		at         string // the text the error points at; "" when the file loads
		kind       string
	}{
		{"flow mapping", "  orders:\n    spec: spec.yaml\n    auth: { grant: client_credentials, client_id: ${SHOP_ID}, client_secret: ${SHOP_SECRET} }\n", "${SHOP_ID}", "mapping"},
		{"over lines", "  orders:\n    spec: spec.yaml\n    auth: {\n      grant: client_credentials,\n      client_secret: ${SHOP_SECRET}\n    }\n", "${SHOP_SECRET}", "mapping"},
		{"nested", "  orders: { spec: spec.yaml, auth: { client_secret: ${SHOP_SECRET} } }\n", "${SHOP_SECRET}", "mapping"},
		{"after quoted text with braces", "  orders: { spec: \"spec.yaml\", auth: { audience: '{x}', client_secret: ${S} } }\n", "${S}", "mapping"},
		{"in a sequence", "  orders: { spec: spec.yaml, auth: { scopes: [a, ${SCOPE}] } }\n", "${SCOPE}", "sequence"},
		{"quoted", "  orders:\n    spec: spec.yaml\n    auth: { grant: client_credentials, client_id: \"${SHOP_ID}\", client_secret: '${SHOP_SECRET}' }\n", "", ""},
		{"block style", "  orders:\n    spec: spec.yaml\n    auth:\n      grant: client_credentials\n      client_id: ${SHOP_ID} # not { in a comment ${X} }\n      client_secret: ${SHOP_SECRET}\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte("openapi: 3.0.3\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, "services.yaml")
			text := head + tc.body
			_, err := Parse(name, []byte(text))
			if tc.at == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			i := strings.Index(text, tc.at)
			line := strings.Count(text[:i], "\n") + 1
			col := i - strings.LastIndex(text[:i], "\n")
			want := name + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": invalid YAML: " + tc.at + " inside a flow " + tc.kind
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), `must be quoted, "`+tc.at+`"`) {
				t.Errorf("Parse:\n%v\nwant:\n%s ... must be quoted, %q", err, want, tc.at)
			}
		})
	}
}

// TestFlowReferenceScanner: what is text (comments, quotes, block scalars)
// is not mistaken for a flow collection.
func TestFlowReferenceScanner(t *testing.T) {
	for _, tc := range []struct {
		text     string
		line     int
		col      int
		notFound bool
	}{
		{text: "a: {b: ${X}}\n", line: 1, col: 8},
		{text: "# {a: ${X}}\na: 1\n", notFound: true},
		{text: "a: \"{b: ${X}}\"\n", notFound: true},
		{text: "a: 'it''s {b: ${X}}'\n", notFound: true},
		{text: "a: don't\nb: {c: ${Y}}\n", line: 2, col: 8},
		{text: "a: |\n  {b: ${X}}\n  more\nc: {d: ${Z}}\n", line: 4, col: 8},
		{text: "a: >\n  {b: ${X}}\n", notFound: true},
		{text: "a: ${X}\nb: [${Y}]\n", line: 2, col: 5},
		{text: "é: {b: ${X}}\n", line: 1, col: 8},
	} {
		line, col, _, _, ok := flowReference([]byte(tc.text))
		if ok == tc.notFound || ok && (line != tc.line || col != tc.col) {
			t.Errorf("%q: %d:%d found %v; want %d:%d found %v", tc.text, line, col, ok, tc.line, tc.col, !tc.notFound)
		}
	}
}

// FuzzFlowReference: on any text the scanner ends, and what it finds is a
// ${...} at the place it names.
//
//	go test -run '^$' -fuzz FuzzFlowReference ./generator/config
func FuzzFlowReference(f *testing.F) {
	for _, s := range []string{"a: {b: ${X}}\n", "a: |\n  x\n b: [${Y}]", "'", "\"\\", "a: {'x\n: ${A}}", "|\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		line, col, ref, _, ok := flowReference([]byte(text))
		if !ok {
			return
		}
		lines := strings.Split(text, "\n")
		if line < 1 || line > len(lines) {
			t.Fatalf("line %d of %d", line, len(lines))
		}
		l, at, n := lines[line-1], -1, 0
		for i := range l { // by character, as columns count: an invalid byte is one
			if n++; n == col {
				at = i
			}
		}
		if at < 0 || !strings.HasPrefix(l[at:], ref) || !strings.HasPrefix(ref, "${") {
			t.Fatalf("%d:%d %q: the line is %q", line, col, ref, lines[line-1])
		}
	})
}
