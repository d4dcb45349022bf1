package tpgenimpl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// MarshalWithAdditional encodes fixed (a struct) and adds the properties of
// extra that fixed does not have.
func MarshalWithAdditional[T any](fixed any, extra map[string]T) ([]byte, error) {
	b, err := json.Marshal(fixed)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var known map[string]json.RawMessage
	if err := json.Unmarshal(b, &known); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Write(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}")))
	first := len(known) == 0
	for _, k := range sortedKeysOf(extra) {
		if _, dup := known[k]; dup {
			continue
		}
		v, err := json.Marshal(extra[k])
		if err != nil {
			return nil, fmt.Errorf("additional property %q: %w", k, err)
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalAdditional decodes the properties of data not named in known into *extra.
func UnmarshalAdditional[T any](data []byte, extra *map[string]T, known ...string) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	for _, k := range known {
		delete(all, k)
	}
	if len(all) == 0 {
		*extra = nil
		return nil
	}
	m := make(map[string]T, len(all))
	for k, raw := range all {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("additional property %q: %w", k, err)
		}
		m[k] = v
	}
	*extra = m
	return nil
}

func sortedKeysOf[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RawJSON returns a union's JSON, null when it holds nothing.
//
//go:noinline
func RawJSON(raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return []byte("null"), nil
	}
	return raw, nil
}

// DecodeUnion decodes a union's JSON as one of its variants; v points to it.
//
//go:noinline
func DecodeUnion(raw []byte, v any) error {
	if len(raw) == 0 {
		return errors.New("union holds no value")
	}
	return json.Unmarshal(raw, v)
}

// EncodeUnion sets a union's JSON to the encoding of one of its variants.
//
//go:noinline
func EncodeUnion(raw *[]byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*raw = b
	return nil
}

// DiscriminatorValue reads the discriminator property of a union's JSON.
//
//go:noinline
func DiscriminatorValue(raw []byte, property string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", fmt.Errorf("union is not an object: %w", err)
	}
	v, ok := obj[property]
	if !ok {
		return "", fmt.Errorf("union has no discriminator property %q", property)
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return strings.TrimSpace(string(v)), nil
	}
	return s, nil
}

// NullState is what a generated nullable type holds: nothing (its zero
// value, absent from the JSON), null, or a value. Generated types keep it
// unexported and set it only through their constructors (NewNullableT,
// NullNullableT) and UnmarshalJSON, so that no set value is ever sent as null
// and no null is ever sent by a value that forgot to say it is one.
type NullState uint8

// States of a nullable value.
const (
	NullAbsent NullState = iota // the zero value: left out (encoding/json's omitzero)
	NullNull                    // null
	NullValue                   // a value, sent as it is, also when it is its type's zero value
)

// errAbsentNullable is what marshalling an absent nullable returns. In a
// struct, omitzero leaves it out before MarshalJSON is called; anywhere else
// (a list, a map, on its own) absent has no JSON, and writing null instead
// would send what nobody asked for.
var errAbsentNullable = errors.New("an absent nullable value has no JSON (it is left out of objects); use the type's Null constructor to send null")

// EncodeNullable is the MarshalJSON of a generated nullable type: the value,
// or null. Generated packages declare one such type per value type
// (NullableString, NullablePetList) rather than use a generic one: see
// runtime/DESIGN.md.
func EncodeNullable(state NullState, v any) ([]byte, error) {
	switch state {
	case NullValue:
		b, err := json.Marshal(v)
		if err != nil || string(b) != "null" {
			return b, err
		}
		return emptyJSON(v)
	case NullNull:
		return []byte("null"), nil
	}
	return nil, errAbsentNullable
}

// emptyJSON is the JSON of a value that encoding/json writes as null: a nil
// list is the empty list, a nil map the empty object, nil bytes the empty
// string, as the value was meant. A value that is null by its own
// MarshalJSON (an empty union) is an error: it was set as a value, and is
// not one.
func emptyJSON(v any) ([]byte, error) {
	if _, own := v.(json.Marshaler); !own {
		switch t := reflect.TypeOf(v); t.Kind() {
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 {
				return []byte(`""`), nil
			}
			return []byte("[]"), nil
		case reflect.Map:
			return []byte("{}"), nil
		}
	}
	return nil, fmt.Errorf("a nullable %T was set to a value whose JSON is null; use the type's Null constructor to send null", v)
}

// DecodeNullable is the UnmarshalJSON of a generated nullable type, whose
// caller has reset it: null sets *state to NullNull, anything else is decoded
// into v (a pointer to the value) and sets it to NullValue. A value that does
// not decode leaves the state absent.
func DecodeNullable(b []byte, v any, state *NullState) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*state = NullNull
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	*state = NullValue
	return nil
}

// KnownString is a generated string enum's IsKnown: whether v is among
// known, sorted.
//
//go:noinline
func KnownString(known []string, v string) bool {
	_, ok := slices.BinarySearch(known, v)
	return ok
}

// KnownInt is a generated integer enum's IsKnown: whether v is among known,
// sorted.
//
//go:noinline
func KnownInt(known []int64, v int64) bool {
	_, ok := slices.BinarySearch(known, v)
	return ok
}

// KnownFloat is a generated number enum's IsKnown: whether v is among known,
// sorted.
//
//go:noinline
func KnownFloat(known []float64, v float64) bool {
	_, ok := slices.BinarySearch(known, v)
	return ok
}
