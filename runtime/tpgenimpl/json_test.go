package tpgenimpl_test

import (
	"encoding/json"
	"testing"

	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// nullableString is what tpgen generates for an optional, nullable string.
type nullableString struct {
	_     [0]func()
	Value string
	Valid bool
	Null  bool
}

func (n nullableString) MarshalJSON() ([]byte, error) {
	return tpgenimpl.EncodeNullable(n.Valid, n.Value)
}

func (n *nullableString) UnmarshalJSON(b []byte) error {
	*n = nullableString{}
	return tpgenimpl.DecodeNullable(b, &n.Value, &n.Valid, &n.Null)
}

func TestNullableTellsAbsentNullAndValueApart(t *testing.T) {
	type doc struct {
		Note nullableString `json:"note,omitzero"`
	}
	for _, tc := range []struct {
		name string
		in   doc
		json string
	}{
		{"absent", doc{}, `{}`},
		{"null", doc{Note: nullableString{Null: true}}, `{"note":null}`},
		{"value", doc{Note: nullableString{Value: "hi", Valid: true}}, `{"note":"hi"}`},
		{"empty value", doc{Note: nullableString{Valid: true}}, `{"note":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil || string(b) != tc.json {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tc.json)
			}
			// Decoding into a value that held something else resets it.
			back := doc{Note: nullableString{Value: "old", Valid: true}}
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if tc.name == "absent" {
				return // encoding/json leaves an absent field as it was
			}
			if back.Note.Valid != tc.in.Note.Valid || back.Note.Null != tc.in.Note.Null || back.Note.Value != tc.in.Note.Value {
				t.Fatalf("round trip: got %+v, want %+v", back.Note, tc.in.Note)
			}
		})
	}
	var n nullableString
	if err := json.Unmarshal([]byte(`12`), &n); err == nil || n.Valid || n.Null {
		t.Fatalf("a number for a string: err %v, state %+v; want an error and nothing set", err, n)
	}
}
