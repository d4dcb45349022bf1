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

// Nullable is an optional property that may also be null, with its three
// states told apart: absent (the zero value, which encoding/json's omitzero
// leaves out), null (Null), or a value (Valid, Value).
type Nullable[T any] struct {
	_     [0]func() // not comparable: Go compiles no equality function per T
	Value T         // the value, when Valid
	Valid bool      // a value was given
	Null  bool      // null was given
}

// NewNullable returns a Nullable holding v.
func NewNullable[T any](v T) Nullable[T] { return Nullable[T]{Value: v, Valid: true} }

// Null returns a Nullable that is explicitly null.
func Null[T any]() Nullable[T] { return Nullable[T]{Null: true} }

// MarshalJSON implements json.Marshaler: the value, or null.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(n.Value)
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = NewNullable(v)
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
