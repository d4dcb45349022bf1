package tpgenimpl_test

import (
	"encoding/json"
	"testing"

	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// nullableString is what tpgen generates for an optional, nullable string.
type nullableString struct {
	_     [0]func()
	value string
	state tpgenimpl.NullState
}

func newNullableString(v string) nullableString {
	return nullableString{value: v, state: tpgenimpl.NullValue}
}

func nullNullableString() nullableString { return nullableString{state: tpgenimpl.NullNull} }

func (n nullableString) MarshalJSON() ([]byte, error) {
	return tpgenimpl.EncodeNullable(n.state, n.value)
}

func (n *nullableString) UnmarshalJSON(b []byte) error {
	*n = nullableString{}
	return tpgenimpl.DecodeNullable(b, &n.value, &n.state)
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
		{"null", doc{Note: nullNullableString()}, `{"note":null}`},
		{"value", doc{Note: newNullableString("hi")}, `{"note":"hi"}`},
		{"zero value", doc{Note: newNullableString("")}, `{"note":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil || string(b) != tc.json {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tc.json)
			}
			// Decoding into a value that held something else resets it.
			back := doc{Note: newNullableString("old")}
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if tc.name == "absent" {
				return // encoding/json leaves an absent field as it was
			}
			if back.Note.state != tc.in.Note.state || back.Note.value != tc.in.Note.value {
				t.Fatalf("round trip: got %+v, want %+v", back.Note, tc.in.Note)
			}
		})
	}
	var n nullableString
	if err := json.Unmarshal([]byte(`12`), &n); err == nil || n.state != tpgenimpl.NullAbsent {
		t.Fatalf("a number for a string: err %v, state %+v; want an error and nothing set", err, n)
	}
	// Absent has no JSON of its own: outside an object (a list, on its own)
	// it is an error, never a null nobody asked for.
	for _, v := range []any{nullableString{}, []nullableString{newNullableString("a"), {}}} {
		if b, err := json.Marshal(v); err == nil {
			t.Errorf("Marshal(%#v) = %s, want an error", v, b)
		}
	}
}

// TestNullableValueNeverNull: a nullable set to a value whose JSON would be
// null (a nil list, map or bytes) sends the empty value it stands for, and
// one that has no other JSON (an empty union) fails: a value is never sent
// as null.
func TestNullableValueNeverNull(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string // "" for an error
	}{
		{"nil list", []string(nil), `[]`},
		{"empty list", []string{}, `[]`},
		{"nil map", map[string]int(nil), `{}`},
		{"nil bytes", []byte(nil), `""`},
		{"nil raw JSON", json.RawMessage(nil), ""},
		{"nil pointer", (*int)(nil), ""},
		{"empty union", rawUnion(nil), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tpgenimpl.EncodeNullable(tpgenimpl.NullValue, tc.v)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("EncodeNullable(value %#v) = %s, want an error", tc.v, b)
				}
				return
			}
			if err != nil || string(b) != tc.want {
				t.Fatalf("EncodeNullable(value %#v) = %s, %v; want %s", tc.v, b, err, tc.want)
			}
		})
	}
}

// rawUnion is what tpgen generates for a oneOf: raw JSON, null when empty.
type rawUnion []byte

func (u rawUnion) MarshalJSON() ([]byte, error) { return tpgenimpl.RawJSON(u) }

// TestKnown: the IsKnown helpers find exactly the listed values.
func TestKnown(t *testing.T) {
	s := []string{"", "cancelled", "paid", "pending"}
	for v, want := range map[string]bool{"": true, "paid": true, "pending": true, "Paid": false, "pend": false, "zzz": false} {
		if got := tpgenimpl.KnownString(s, v); got != want {
			t.Errorf("KnownString(%q) = %v", v, got)
		}
	}
	n := []int64{-1, 1, 3000000000}
	for v, want := range map[int64]bool{-1: true, 1: true, 3000000000: true, 0: false, 2: false} {
		if got := tpgenimpl.KnownInt(n, v); got != want {
			t.Errorf("KnownInt(%d) = %v", v, got)
		}
	}
	f := []float64{0.5, 1, 1.5}
	for v, want := range map[float64]bool{0.5: true, 1.5: true, 1.25: false} {
		if got := tpgenimpl.KnownFloat(f, v); got != want {
			t.Errorf("KnownFloat(%v) = %v", v, got)
		}
	}
	if tpgenimpl.KnownString(nil, "") {
		t.Error("nothing is known in an empty list")
	}
}
