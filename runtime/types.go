package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
)

// Date is a calendar date without time or zone (OpenAPI format: date), written
// as 2006-01-02.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns t's date in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a date written as 2006-01-02.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return DateOf(t), nil
}

// String returns the date as 2006-01-02.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it also accepts a full
// RFC 3339 timestamp, as some services send one.
func (d *Date) UnmarshalText(b []byte) error {
	s := string(b)
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	v, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("date %q is not YYYY-MM-DD", string(b))
	}
	*d = v
	return nil
}

// EncodeNullable is the MarshalJSON of a generated nullable type (a struct
// of Value, Valid and Null): the value when valid, else null. The zero value,
// absent, is left out by encoding/json's omitzero before it gets here.
//
// Generated packages declare one such type per value type (NullableString,
// NullablePetList) rather than use a generic one: Go compiles the methods of
// each instantiation of a generic type again in every package that uses a
// type containing it, so every importer of a client would pay for them.
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

// File is a file part of a multipart request, streamed from Content.
type File struct {
	Name        string // the file name sent; "file" when empty
	ContentType string // application/octet-stream when empty
	Content     io.Reader
}

// Multipart streams a multipart/form-data body written by write, without
// holding it in memory. It returns the body and its Content-Type. The body can
// be sent once.
func Multipart(write func(w *multipart.Writer) error) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := write(mw)
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// WriteFilePart writes a file part.
func WriteFilePart(w *multipart.Writer, field string, f File) error {
	name, ct := f.Name, f.ContentType
	if name == "" {
		name = "file"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(field), quoteEscaper.Replace(name)))
	h.Set("Content-Type", ct)
	part, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	if f.Content == nil {
		return nil
	}
	_, err = io.Copy(part, f.Content)
	return err
}

// WriteJSONPart writes a part holding v as JSON.
func WriteJSONPart(w *multipart.Writer, field string, v any) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, quoteEscaper.Replace(field)))
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	return json.NewEncoder(part).Encode(v)
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")
