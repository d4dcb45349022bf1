package runtime

import (
	"fmt"
	"io"
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

// File is a file part of a multipart request, streamed from Content.
type File struct {
	Name        string // the file name sent; "file" when empty
	ContentType string // application/octet-stream when empty
	Content     io.Reader
}
