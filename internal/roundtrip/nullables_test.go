package roundtrip_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/unions"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

// nstate is what a test puts into an optional nullable property, or expects
// from one.
type nstate int

const (
	absent nstate = iota // the zero value of the Nullable type: not sent
	null                 // NullNullableT(): sent as null
	zero                 // NewNullableT of T's zero value: sent as that value, never as null, never left out
	value                // NewNullableT of another value
)

func (s nstate) String() string { return [...]string{"absent", "null", "zero", "value"}[s] }

// nullableField is one optional nullable property of NotePatch: how the test
// sets it, what it is on the wire in each state, and how to read it back.
type nullableField struct {
	key    string
	states []nstate
	wire   map[nstate]string // JSON per state; absent: not in the object
	set    func(p *unions.NotePatch, s nstate)
	// get returns whether the property holds a value and is null, and the
	// value's JSON when it holds one.
	get func(p *unions.NotePatch) (isSet, isNull bool, got string)
}

var at = time.Date(2026, time.December, 24, 10, 0, 0, 0, time.UTC)

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func nullableFields(t *testing.T) []nullableField {
	all := []nstate{absent, null, zero, value}
	return []nullableField{{
		key: "note", states: all,
		wire: map[nstate]string{null: `null`, zero: `""`, value: `"Ada"`},
		set: func(p *unions.NotePatch, s nstate) {
			p.Note = map[nstate]unions.NullableString{absent: {}, null: unions.NullNullableString(),
				zero: unions.NewNullableString(""), value: unions.NewNullableString("Ada")}[s]
		},
		get: func(p *unions.NotePatch) (bool, bool, string) {
			v, ok := p.Note.Get()
			return ok || p.Note.IsNull(), p.Note.IsNull(), valueJSON(t, ok, v)
		},
	}, {
		key: "tags", states: all,
		wire: map[nstate]string{null: `null`, zero: `[]`, value: `["a","b"]`},
		set: func(p *unions.NotePatch, s nstate) {
			// A nil list set as a value is the empty list, not null.
			p.Tags = map[nstate]unions.NullableStringList{absent: {}, null: unions.NullNullableStringList(),
				zero: unions.NewNullableStringList(nil), value: unions.NewNullableStringList([]string{"a", "b"})}[s]
		},
		get: func(p *unions.NotePatch) (bool, bool, string) {
			v, ok := p.Tags.Get()
			if ok && v == nil {
				v = []string{} // decoded [] is an empty list; nil would be written null
			}
			return ok || p.Tags.IsNull(), p.Tags.IsNull(), valueJSON(t, ok, v)
		},
	}, {
		key: "at", states: all,
		wire: map[nstate]string{null: `null`, zero: `"0001-01-01T00:00:00Z"`, value: `"2026-12-24T10:00:00Z"`},
		set: func(p *unions.NotePatch, s nstate) {
			p.At = map[nstate]unions.NullableTime{absent: {}, null: unions.NullNullableTime(),
				zero: unions.NewNullableTime(time.Time{}), value: unions.NewNullableTime(at)}[s]
		},
		get: func(p *unions.NotePatch) (bool, bool, string) {
			v, ok := p.At.Get()
			return ok || p.At.IsNull(), p.At.IsNull(), valueJSON(t, ok, v)
		},
	}, {
		// An enum's zero value is not one of its values: the spec does not
		// allow it, so it is not sent.
		key: "status", states: []nstate{absent, null, value},
		wire: map[nstate]string{null: `null`, value: `"closed"`},
		set: func(p *unions.NotePatch, s nstate) {
			p.Status = map[nstate]unions.NullableNotePatchStatus{absent: {}, null: unions.NullNullableNotePatchStatus(),
				value: unions.NewNullableNotePatchStatus(unions.NotePatchStatusClosed)}[s]
		},
		get: func(p *unions.NotePatch) (bool, bool, string) {
			v, ok := p.Status.Get()
			return ok || p.Status.IsNull(), p.Status.IsNull(), valueJSON(t, ok, v)
		},
	}}
}

func valueJSON(t *testing.T, ok bool, v any) string {
	if !ok {
		return ""
	}
	return jsonOf(t, v)
}

// combinations returns every assignment of a state to each field.
func combinations(fields []nullableField) [][]nstate {
	out := [][]nstate{{}}
	for _, f := range fields {
		var next [][]nstate
		for _, c := range out {
			for _, s := range f.states {
				next = append(next, append(slices.Clone(c), s))
			}
		}
		out = next
	}
	return out
}

// wireObject is the JSON object a combination is on the wire: count, which
// is required, and each field that is not absent.
func wireObject(fields []nullableField, combo []nstate) map[string]json.RawMessage {
	obj := map[string]json.RawMessage{"count": json.RawMessage(`7`)}
	for i, f := range fields {
		if combo[i] != absent {
			obj[f.key] = json.RawMessage(f.wire[combo[i]])
		}
	}
	return obj
}

// TestNullablesEveryCombination sends every combination of absent, null,
// zero value and value of the optional nullable properties through a
// generated client to a server that validates each request against the spec,
// and checks what arrived; then has the server answer each combination and
// checks what the client decoded. A value is never sent or read as null, a
// zero value never left out, absent never sent.
func TestNullablesEveryCombination(t *testing.T) {
	var mu sync.Mutex
	var received, answer []byte
	srv, err := specserver.Start("specs/unions.yaml", func(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if op == "patchNote" {
			received, _ = io.ReadAll(r.Body)
			w.Write(received)
			return
		}
		w.Write(answer)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := unions.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fields := nullableFields(t)
	combos := combinations(fields)
	if len(combos) != 4*4*4*3 {
		t.Fatalf("%d combinations, want 192", len(combos))
	}
	for _, combo := range combos {
		name := fmt.Sprint(combo)
		want := wireObject(fields, combo)

		// Request: what the client sends.
		var in unions.NotePatch
		in.Count = ptr(7)
		for i, f := range fields {
			f.set(&in, combo[i])
		}
		echoed, err := c.PatchNote(ctx, &in)
		if err != nil {
			t.Fatalf("%s: PatchNote: %v", name, err)
		}
		mu.Lock()
		var sent map[string]json.RawMessage
		err = json.Unmarshal(received, &sent)
		mu.Unlock()
		if err != nil {
			t.Fatalf("%s: the server received %s: %v", name, received, err)
		}
		if !sameObject(sent, want) {
			t.Errorf("%s: sent %s, want %s", name, jsonOf(t, sent), jsonOf(t, want))
		}
		checkDecoded(t, "request echoed: "+name, fields, combo, echoed)

		// Response: what the client decodes from a body it did not write.
		mu.Lock()
		answer = []byte(jsonOf(t, want))
		mu.Unlock()
		got, err := c.GetNote(ctx)
		if err != nil {
			t.Fatalf("%s: GetNote: %v", name, err)
		}
		checkDecoded(t, "response "+name, fields, combo, got)
	}
	for _, call := range srv.Invalid() {
		t.Errorf("%s %s does not conform to the spec: %v", call.Method, call.Path, call.Err)
	}
	if n := len(srv.Calls()); n != 2*len(combos) {
		t.Errorf("the server received %d calls, want %d", n, 2*len(combos))
	}
}

func checkDecoded(t *testing.T, name string, fields []nullableField, combo []nstate, p *unions.NotePatch) {
	t.Helper()
	for i, f := range fields {
		isSet, isNull, got := f.get(p)
		s := combo[i]
		wantValue := ""
		if s == zero || s == value {
			wantValue = f.wire[s]
		}
		if isSet != (s != absent) || isNull != (s == null) || got != wantValue {
			t.Errorf("%s: %s decoded as set %v, null %v, value %q; want %s (%s)", name, f.key, isSet, isNull, got, s, f.wire[s])
		}
	}
}

func sameObject(a, b map[string]json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok {
			return false
		}
		var x, y any
		if json.Unmarshal(v, &x) != nil || json.Unmarshal(w, &y) != nil || !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// TestNullableStateIsSealed: a nullable's state is set only by its
// constructors and by decoding. No exported field means no composite literal
// can hold a value without saying it is one (the old NullableString{Value:
// "Ada"} was sent as null), and the zero value is absent.
func TestNullableStateIsSealed(t *testing.T) {
	for _, v := range []any{unions.NullableString{}, unions.NullableStringList{}, unions.NullableTime{}, unions.NullableNotePatchStatus{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			if f := rt.Field(i); f.IsExported() {
				t.Errorf("%s has the exported field %s: a literal could set it without the state", rt, f.Name)
			}
		}
		holder := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: rt, Tag: `json:"v,omitzero"`}}))
		b, err := json.Marshal(holder.Interface())
		if err != nil || string(b) != `{}` {
			t.Errorf("the zero %s in an object = %s, %v; want it left out", rt, b, err)
		}
	}
}
