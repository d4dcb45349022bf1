package tpgenimpl

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// Types as tpgen generates them, for the checker.
type (
	vColor string
	vLevel int
	vItem  struct {
		_     [0]func()
		Name  string  `json:"name"`
		Color *vColor `json:"color,omitempty"`
		ID    *string `json:"id,omitempty" tpgen:"required"`
	}
	vDoc struct {
		_                    [0]func()
		Items                []vItem           `json:"items"`
		ByKey                map[string]vItem  `json:"byKey,omitempty"`
		Level                vNullableLevel    `json:"level,omitzero"`
		Dash                 string            `json:"-,"`
		AdditionalProperties map[string]vColor `json:"-"`
	}
	vNullableLevel struct {
		_     [0]func()
		value vLevel
		state NullState
	}
)

func (v vColor) IsKnown() bool { return v == "red" || v == "blue" }
func (v vLevel) IsKnown() bool { return v == 1 || v == 2 }

func TestCheckBody(t *testing.T) {
	doc := reflect.TypeFor[vDoc]()
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`{"items":[],"-":""}`, nil},
		{`{"items":[{"name":"a","id":"1","color":"red"}],"-":"","level":2,"extra":"blue"}`, nil},
		{`{"items":[{"color":"green"}],"byKey":{"k":{"name":"n","id":"2"}},"level":9,"extra":"pink"}`, []string{
			`$.items[0].name: required property is missing`,
			`$.items[0].color: "green" is not one of the values of vColor that the spec lists`,
			`$.items[0].id: required property is missing`,
			`$.level: 9 is not one of the values of vLevel that the spec lists`,
			`$["-"]: required property is missing`,
			`$.extra: "pink" is not one of the values of vColor that the spec lists`}},
		{`{"items":[],"-":"","level":null,"\u202e\u0000":"x"}`, []string{`$["\u202e\x00"]: "x" is not one of the values of vColor that the spec lists`}},
		{`{"items":[],"-":"","level":1e400}`, nil}, // not an integer: decoding would have failed
		{`[1,2]`, nil},
		{`not json`, nil},
	} {
		problems, _ := checkBody(tc.body, doc)
		var got []string
		for _, p := range problems {
			got = append(got, p.String())
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.body, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// FuzzCheckBody: whatever a body holds, checking it ends, and every problem
// is one line of visible text: no key a body chose can break a log line or
// hide text on a terminal.
//
//	go test -run '^$' -fuzz FuzzCheckBody ./runtime/tpgenimpl
func FuzzCheckBody(f *testing.F) {
	for _, s := range []string{`{}`, `{"items":[{}],"byKey":{"\n":{"color":"x"}}}`, `{"a\u202eb":"c","level":3}`, `[[[[]]]]`, `{"items":[{"name":1}]}`} {
		f.Add(s)
	}
	doc := reflect.TypeFor[vDoc]()
	f.Fuzz(func(t *testing.T, body string) {
		problems, more := checkBody(body, doc)
		if len(problems) > 20 || more < 0 {
			t.Fatalf("%d problems, %d more", len(problems), more)
		}
		for _, p := range problems {
			for _, r := range p.String() {
				if !unicode.IsGraphic(r) {
					t.Fatalf("problem %q holds %U", p, r)
				}
			}
		}
	})
}
