package tpgenimpl

import (
	"net/url"
	"strings"
	"testing"
)

func TestNextLink(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{`<https://api.example.com/items?page=2>; rel="next"`}, "https://api.example.com/items?page=2"},
		// GitHub's form: several links on one line, next not first.
		{[]string{`<https://api.github.com/r/1/issues?page=1>; rel="prev", <https://api.github.com/r/1/issues?page=3>; rel="next", <https://api.github.com/r/1/issues?page=9>; rel="last"`}, "https://api.github.com/r/1/issues?page=3"},
		{[]string{`<a>; rel="last"`, `<b>; rel=next`}, "b"},            // several lines, an unquoted rel
		{[]string{`<a>; rel="last next"`}, "a"},                        // a list of relation types
		{[]string{`<a>; REL="NEXT"`}, "a"},                             // case-insensitive
		{[]string{`<a>; title="x, y"; rel="next"`}, "a"},               // a comma inside a quoted parameter
		{[]string{`<a>; rel="nextpage"`, `<b>; rel="prev"`}, ""},       // no next
		{[]string{`<a>; rel="prev"; rel="next"`}, ""},                  // only the first rel counts
		{[]string{`garbage, <b>; rel="next"`, `<c>; rel="next"`}, "c"}, // an unreadable line is left
		{[]string{`<a; rel="next"`}, ""},                               // no closing >
		// A rel written inside another parameter's quoted string is text:
		// a service's title cannot make a prev link the next.
		{[]string{`<a>; title="x; rel=next"; rel="prev"`}, ""},
		{[]string{`<a>; title="\"; rel=next"; rel="prev"`}, ""},
		{[]string{`<a>; title="x; rel=prev"; rel="next"`}, "a"},
		{nil, ""},
	} {
		if got := nextLink(tc.lines); got != tc.want {
			t.Errorf("nextLink(%q) = %q, want %q", tc.lines, got, tc.want)
		}
	}
}

// TestNextLinkBounded: a header of many link-values is looked at up to
// maxLinkValues of them, not all.
func TestNextLinkBounded(t *testing.T) {
	line := strings.Repeat(`<x>; rel="prev", `, maxLinkValues) + `<y>; rel="next"`
	if got := nextLink([]string{line}); got != "" {
		t.Errorf("the %dth link-value was read: %q", maxLinkValues+1, got)
	}
}

func FuzzNextLink(f *testing.F) {
	for _, s := range []string{`<a>; rel="next"`, `<a>; title="x, \"y"; rel=next, <b>`, `<<>>;;rel==next,,`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got := nextLink([]string{line})
		if got != "" && !strings.Contains(line, "<"+got+">") {
			t.Errorf("nextLink(%q) = %q, which is not a <target> of the line", line, got)
		}
	})
}

func TestSetQuery(t *testing.T) {
	for _, tc := range []struct{ raw, name, value, want string }{
		{"", "cursor", "abc", "cursor=abc"},
		{"limit=3", "cursor", "a b&c=d", "limit=3&cursor=a%20b%26c%3Dd"}, // a cursor cannot add parameters
		{"cursor=old&limit=3&cursor=older", "cursor", "new", "limit=3&cursor=new"},
		{"status=a,b&ids%5B0%5D=1", "page", "2", "status=a,b&ids%5B0%5D=1&page=2"}, // others kept as written
		{"cur%73or=old", "cursor", "x", "cursor=x"},                                // the name as sent, escaped
	} {
		got := setQuery(tc.raw, tc.name, tc.value)
		if got != tc.want {
			t.Errorf("setQuery(%q, %q, %q) = %q, want %q", tc.raw, tc.name, tc.value, got, tc.want)
		}
		if v, ok := queryValue(got, tc.name); !ok || v != tc.value {
			t.Errorf("queryValue(%q, %q) = %q, %v", got, tc.name, v, ok)
		}
		if q, err := url.ParseQuery(got); err != nil || len(q[tc.name]) != 1 {
			t.Errorf("%q: %v, %d values of %s", got, err, len(q[tc.name]), tc.name)
		}
	}
}

func TestCursorText(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		err       bool
	}{
		{`"abc"`, "abc", false}, {`12345678901234567890`, "12345678901234567890", false}, {`null`, "", false},
		{``, "", false}, {`""`, "", false}, {`{"a":1}`, "", true}, {`true`, "", true},
	} {
		got, err := cursorText([]byte(tc.raw))
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("cursorText(%s) = %q, %v", tc.raw, got, err)
		}
	}
}

// FuzzSetQuery: a cursor, whatever the service put in it, is one value of
// one parameter: it adds no parameter and changes no other.
func FuzzSetQuery(f *testing.F) {
	f.Add("limit=3&cursor=a", "x&limit=9")
	f.Add("", "%zz=\n#frag")
	f.Fuzz(func(t *testing.T, raw, cursor string) {
		before, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got := setQuery(raw, "cursor", cursor)
		after, err := url.ParseQuery(got)
		if err != nil {
			t.Fatalf("setQuery(%q, %q) = %q: %v", raw, cursor, got, err)
		}
		if v := after["cursor"]; len(v) != 1 || v[0] != cursor {
			t.Errorf("setQuery(%q, %q) = %q: cursor %q", raw, cursor, got, v)
		}
		delete(before, "cursor")
		delete(after, "cursor")
		if len(before) != len(after) {
			t.Errorf("setQuery(%q, %q) = %q: parameters %v, were %v", raw, cursor, got, after, before)
		}
	})
}
