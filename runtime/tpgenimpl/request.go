package tpgenimpl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/link"
)

// encode fills r from the method's arguments.
func (op *Operation) encode(r *link.Request, path []string, params, body any) error {
	nPath := 0
	for nPath < len(op.Params) && op.Params[nPath].In == InPath {
		nPath++
	}
	if len(path) != nPath {
		return fmt.Errorf("%d path parameters given, the operation has %d (a bug in the generated code)", len(path), nPath)
	}
	p, err := expandPath(op.Path, op.Params[:nPath], path)
	if err != nil {
		return err
	}
	r.Path = p
	if rest := op.Params[nPath:]; len(rest) > 0 {
		if err := encodeParams(r, rest, params); err != nil {
			return err
		}
	}
	if op.Query != "" {
		// One query: the path's first, then the parameters'.
		if r.RawQuery == "" {
			r.RawQuery = op.Query
		} else {
			r.RawQuery = op.Query + "&" + r.RawQuery
		}
	}
	if op.RequestBody != BodyNone {
		return encodeBody(r, op.RequestBody, op.ContentType, body)
	}
	return nil
}

// expandPath replaces each {name} of the template with its parameter: the
// text of a single value, escaped and styled here, or the segment of a list
// or object that PathValues made. A parameter is data, never path structure:
// escaping keeps '/' out of it, a segment that a parameter made "." or ".."
// has its dots encoded (%2E), so that no normaliser resolves it as a dot
// segment and moves the call to another endpoint, and a parameter that would
// leave a segment empty ("/items//stock", which servers may merge into
// "/items/stock") is refused.
func expandPath(tmpl string, params []Param, values []string) (string, error) {
	var b strings.Builder
	var buf [8]pathSpan
	spans := buf[:0]
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		name := strings.TrimSuffix(strings.TrimLeft(tmpl[i+1:i+j], ".;?&+#/"), "*")
		k := 0
		for k < len(params) && params[k].Name != name {
			k++
		}
		if k == len(params) {
			return "", fmt.Errorf("path variable {%s} has no parameter (a bug in the generated code)", name)
		}
		start := b.Len()
		switch p := params[k]; p.Shape {
		case ShapeList, ShapeObject:
			b.WriteString(values[k])
		case ShapeJSON:
			b.WriteString(pathParam(StyleSimple, p.Name, values[k]))
		default:
			b.WriteString(pathParam(p.Style, p.Name, values[k]))
		}
		spans = append(spans, pathSpan{start, b.Len(), k})
		tmpl = tmpl[i+j+1:]
	}
	return dataSegments(b.String(), spans, params)
}

// pathSpan is where parameter param was written in an expanded path.
type pathSpan struct{ start, end, param int }

// dataSegments encodes the dots of each segment of path that a parameter
// made "." or "..", and refuses a segment that a parameter left empty.
// Expansions hold no '/' (it is escaped), so each lies within one segment.
func dataSegments(path string, spans []pathSpan, params []Param) (string, error) {
	var out []byte // made only when a segment is encoded
	done := 0      // path[:done] is in out
	last := -1     // the segment start handled last
	for _, sp := range spans {
		s, e := strings.LastIndexByte(path[:sp.start], '/')+1, len(path)
		if k := strings.IndexByte(path[sp.end:], '/'); k >= 0 {
			e = sp.end + k
		}
		if s == last {
			continue // two parameters in one segment
		}
		last = s
		switch seg := path[s:e]; seg {
		case "":
			p := params[sp.param]
			return "", &runtime.ParamError{Name: p.Name, In: InPath.String(), Reason: "is empty, which would leave an empty path segment"}
		case ".", "..":
			out = append(append(out, path[done:s]...), strings.Repeat("%2E", len(seg))...)
			done = e
		}
	}
	if out == nil {
		return path, nil
	}
	return string(append(out, path[done:]...)), nil
}

// present returns v, through a pointer, and whether it is to be sent: nil
// pointers, slices, maps and interfaces are not.
func present(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		return v.Elem(), true
	case reflect.Slice, reflect.Map, reflect.Interface:
		return v, !v.IsNil()
	}
	return v, true
}

// encodeParams writes the query, header and cookie parameters held by the
// params struct: field i is params[i]. Nil pointers, slices and maps are not
// sent.
func encodeParams(r *link.Request, params []Param, ptr any) error {
	sv := reflect.ValueOf(ptr)
	if ptr == nil || (sv.Kind() == reflect.Pointer && sv.IsNil()) {
		var required []string
		for _, p := range params {
			if p.Required {
				required = append(required, p.Name)
			}
		}
		if len(required) > 0 {
			return errors.New("params must not be nil: it holds the required parameters " + strings.Join(required, ", "))
		}
		return nil
	}
	if sv.Kind() == reflect.Pointer {
		sv = sv.Elem()
	}
	if sv.Kind() != reflect.Struct || sv.NumField() != len(params) {
		return fmt.Errorf("params %T does not have the operation's %d parameters as fields (a bug in the generated code)", ptr, len(params))
	}
	var q query
	for i, p := range params {
		v, ok := present(sv.Field(i))
		if !ok {
			continue
		}
		if p.In == InQuery {
			if err := queryParam(&q, p, v); err != nil {
				return err
			}
			continue
		}
		var s string
		switch p.Shape {
		case ShapeList:
			s = headerList(texts(v))
		case ShapeObject:
			var err error
			if s, err = headerObject(p.Explode, v.Interface()); err != nil {
				return err
			}
		case ShapeJSON:
			s = FormatJSON(v.Interface())
		default:
			s = text(v)
		}
		if r.Header == nil {
			r.Header = make(http.Header)
		}
		if p.In == InCookie {
			if err := addCookie(r.Header, p.Name, s); err != nil {
				return err
			}
		} else {
			if err := checkHeader(p.Name, s); err != nil {
				return err
			}
			r.Header.Set(p.Name, s)
		}
	}
	r.RawQuery = q.encode()
	return nil
}

func queryParam(q *query, p Param, v reflect.Value) error {
	switch p.Shape {
	case ShapeList:
		q.addList(p.Style, p.Explode, p.Name, texts(v))
	case ShapeObject:
		return q.addObject(p.Style, p.Explode, p.Name, v.Interface())
	case ShapeJSON:
		return q.addJSON(p.Name, v.Interface())
	default:
		q.add(p.Name, text(v))
	}
	return nil
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[runtime.Date]()
	fileType = reflect.TypeFor[runtime.File]()
)

// isScalar reports whether values of t have a text form of their own.
func isScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Struct:
		return t.ConvertibleTo(timeType) || t.ConvertibleTo(dateType)
	}
	return false
}

// text is a parameter value's text: strings as they are, numbers and
// booleans as Go writes them, times in RFC 3339, dates as 2006-01-02, and
// anything else as JSON.
func text(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return FormatInt(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return FormatFloat(v.Float())
	case reflect.Bool:
		return FormatBool(v.Bool())
	case reflect.Struct:
		switch t := v.Type(); {
		case t.ConvertibleTo(timeType):
			return FormatTime(v.Convert(timeType).Interface().(time.Time))
		case t.ConvertibleTo(dateType):
			return FormatDate(v.Convert(dateType).Interface().(runtime.Date))
		}
	}
	return FormatJSON(v.Interface())
}

// texts is the text of each element of a list.
func texts(v reflect.Value) []string {
	if s, ok := v.Interface().([]string); ok {
		return s
	}
	out := make([]string, v.Len())
	for i := range out {
		out[i] = text(v.Index(i))
	}
	return out
}

// encodeBody sets the request body; a nil body (pointer, slice, map) is not sent.
func encodeBody(r *link.Request, kind BodyKind, contentType string, body any) error {
	if body == nil {
		return nil
	}
	if _, ok := present(reflect.ValueOf(body)); !ok {
		return nil
	}
	v := reflect.ValueOf(body)
	r.ContentType = contentType
	switch kind {
	case BodyJSON:
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request body: %w", err)
		}
		r.Body = b
	case BodyForm:
		b, err := formBody(body)
		if err != nil {
			return err
		}
		r.Body = b
	case BodyText:
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.String {
			return fmt.Errorf("text body %T is not a string (a bug in the generated code)", body)
		}
		r.Body = []byte(v.String())
	case BodyBinary:
		rd, ok := body.(io.Reader)
		if !ok {
			return fmt.Errorf("request body %T is not an io.Reader (a bug in the generated code)", body)
		}
		r.Stream = rd
	case BodyMultipart:
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("multipart body %T is not a pointer to a struct (a bug in the generated code)", body)
		}
		r.Stream, r.ContentType = streamMultipart(func(w *multipart.Writer) error { return writeParts(w, v.Elem()) })
	default:
		return fmt.Errorf("request body kind %d is unknown (a bug in the generated code)", kind)
	}
	return nil
}

// writeParts writes one part per field of a multipart body struct, named by
// its JSON name: files as file parts, scalars as text fields, anything else
// as JSON. Nil pointers, slices and maps are left out.
func writeParts(w *multipart.Writer, sv reflect.Value) error {
	st := sv.Type()
	for i := range st.NumField() {
		sf := st.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		v, ok := present(sv.Field(i))
		if !ok {
			continue
		}
		var err error
		switch {
		case v.Type() == fileType:
			err = writeFilePart(w, name, v.Interface().(runtime.File))
		case v.Kind() == reflect.Slice && v.Type().Elem() == fileType:
			for j := 0; j < v.Len() && err == nil; j++ {
				err = writeFilePart(w, name, v.Index(j).Interface().(runtime.File))
			}
		case isScalar(v.Type()):
			err = w.WriteField(name, text(v))
		default:
			err = writeJSONPart(w, name, v.Interface())
		}
		if err != nil {
			return err
		}
	}
	return nil
}
