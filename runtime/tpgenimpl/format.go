package tpgenimpl

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime"
)

// PathValues is what a generated method passes to Invoke for an operation
// with a list or object among its path parameters: values are the path
// parameters in order, and lists and objects come back serialised in their
// style. Methods whose path parameters are all single values pass their text
// directly, without boxing them.
func PathValues(op *Operation, values ...any) ([]string, error) {
	out := make([]string, len(values))
	for i, v := range values {
		if i >= len(op.Params) || op.Params[i].In != InPath {
			return nil, fmt.Errorf("%d path parameters given, the operation has fewer (a bug in the generated code)", len(values))
		}
		p := op.Params[i]
		rv := reflect.ValueOf(v)
		switch p.Shape {
		case ShapeList:
			if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
				return nil, fmt.Errorf("path parameter %s is a list, got %T (a bug in the generated code)", p.Name, v)
			}
			out[i] = pathList(p.Style, p.Explode, p.Name, texts(rv))
		case ShapeObject:
			s, err := pathObject(p.Style, p.Explode, p.Name, v)
			if err != nil {
				return nil, err
			}
			out[i] = s
		case ShapeJSON:
			out[i] = FormatJSON(v)
		default:
			out[i] = text(rv)
		}
	}
	return out, nil
}

// The text of single path values that are not strings, as generated methods
// write it (and as Invoke writes query, header and cookie values). Functions
// that generated code calls are marked go:noinline (runtime/DESIGN.md says why).

// FormatInt is the text of an integer.
//
//go:noinline
func FormatInt(v int64) string { return strconv.FormatInt(v, 10) }

// FormatFloat is the text of a number.
//
//go:noinline
func FormatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// FormatBool is the text of a boolean.
//
//go:noinline
func FormatBool(v bool) string { return strconv.FormatBool(v) }

// FormatTime formats a time as RFC 3339.
//
//go:noinline
func FormatTime(v time.Time) string { return v.Format(time.RFC3339Nano) }

// FormatDate formats a date as 2006-01-02.
//
//go:noinline
func FormatDate(v runtime.Date) string { return v.String() }

// FormatJSON formats a value that has no text form of its own as JSON.
//
//go:noinline
func FormatJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// parseTime reads an RFC 3339 time, or an HTTP date.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
		return t, nil
	}
	return http.ParseTime(s)
}
