package runtime_test

import (
	"encoding/json"
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

func TestNullableTellsAbsentNullAndValueApart(t *testing.T) {
	type doc struct {
		Note runtime.Nullable[string] `json:"note,omitzero"`
	}
	for _, tc := range []struct {
		name string
		in   doc
		json string
	}{
		{"absent", doc{}, `{}`},
		{"null", doc{Note: runtime.Null[string]()}, `{"note":null}`},
		{"value", doc{Note: runtime.NewNullable("hi")}, `{"note":"hi"}`},
		{"empty value", doc{Note: runtime.NewNullable("")}, `{"note":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil || string(b) != tc.json {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tc.json)
			}
			var back doc
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.Note.Valid != tc.in.Note.Valid || back.Note.Null != tc.in.Note.Null || back.Note.Value != tc.in.Note.Value {
				t.Fatalf("round trip: got %+v, want %+v", back.Note, tc.in.Note)
			}
		})
	}
}

func TestDateJSON(t *testing.T) {
	var d runtime.Date
	if err := json.Unmarshal([]byte(`"2024-02-29"`), &d); err != nil || d.String() != "2024-02-29" {
		t.Fatalf("Unmarshal = %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`"2024-02-29T10:00:00Z"`), &d); err != nil || d.String() != "2024-02-29" {
		t.Fatalf("a timestamp: %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`"29.02.2024"`), &d); err == nil {
		t.Fatal("a date in another format was accepted")
	}
	b, _ := json.Marshal(d)
	if string(b) != `"2024-02-29"` {
		t.Fatalf("Marshal = %s", b)
	}
}
