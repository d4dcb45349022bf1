package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Helpers that generated code calls to stay short. They are part of the
// contract between generated code and the runtime; users rarely need them.
// They are marked go:noinline, as are the parameter helpers in params.go: a
// call costs nanoseconds beside an HTTP round trip, while inlining them into
// every generated method made big clients markedly slower to compile.

// Fail reports an error that a generated method hits before anything is sent
// (a body or parameter that cannot be encoded) as a *CallError, and records it.
//
//go:noinline
func (s *Service) Fail(ctx context.Context, op *Operation, err error) error {
	mid := MessageID(ctx)
	ce := &CallError{Service: s.name, Operation: op.ID, MessageID: mid, Err: err}
	s.finish(ctx, &Record{Service: s.name, Operation: op.ID, Method: op.Method, Path: op.Path, MessageID: mid, Err: ce, start: time.Now()})
	return ce
}

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
	sortStrings(keys)
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

// Format helpers turn parameter values into text.

// FormatTime formats a time as RFC 3339.
//
//go:noinline
func FormatTime(v time.Time) string { return v.Format(time.RFC3339Nano) }

// FormatDate formats a date as 2006-01-02.
//
//go:noinline
func FormatDate(v Date) string { return v.String() }

// FormatJSON formats a value that has no text form of its own as JSON.
//
//go:noinline
func FormatJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ParseTime reads an RFC 3339 time, or an HTTP date.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
		return t, nil
	}
	return http.ParseTime(s)
}
