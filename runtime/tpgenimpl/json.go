package tpgenimpl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// EncodeNullable is the MarshalJSON of a generated nullable type (a struct
// of Value, Valid and Null): the value when valid, else null. The zero value,
// absent, is left out by encoding/json's omitzero before it gets here.
// Generated packages declare one such type per value type (NullableString,
// NullablePetList) rather than use a generic one: see runtime/DESIGN.md.
func EncodeNullable(valid bool, v any) ([]byte, error) {
	if !valid {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// DecodeNullable is the UnmarshalJSON of a generated nullable type, whose
// caller has reset it: null sets *null, anything else is decoded into v (a
// pointer to Value) and sets *valid.
func DecodeNullable(b []byte, v any, valid, null *bool) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*null = true
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	*valid = true
	return nil
}
