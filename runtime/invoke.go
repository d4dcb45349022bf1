package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Invoke is what a generated method does: it builds the request of op from
// the method's arguments as op.Params, op.RequestBody and op.Accept describe
// them, calls the service, and reads the response into out as op.Responses
// and op.Result say.
//
// path are the path parameters, in the order of op's path Params: the text of
// each single value (a string as it is; FormatInt, FormatFloat, FormatBool,
// FormatTime or FormatDate of others), which Invoke escapes and styles, or,
// when a list or object is among them, what PathValues made of them; params is nil or a pointer
// to the operation's params struct, whose fields are op's other Params in
// order; body is the request body or nil; out is nil (no result), a pointer
// to the one result value, or, when op.Result is set, a pointer to the result
// struct.
//
// Doing this here, from tables, rather than in code generated per operation
// keeps generated packages small: a client of a large API compiles about
// twice as fast. Path parameters come as text because boxing them into
// interfaces was a tenth of what a generated method costs to compile.
func (s *Service) Invoke(ctx context.Context, op *Operation, params, body, out any, path ...string) error {
	var req Request
	if err := op.encode(&req, path, params, body); err != nil {
		return s.Fail(ctx, op, err)
	}
	req.Accept = op.Accept
	if op.Result == nil {
		if out == nil {
			return s.Call(ctx, op, &req)
		}
		return s.Call(ctx, op, &req, out)
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return s.Fail(ctx, op, fmt.Errorf("result %T is not a pointer to a struct (a bug in the generated code)", out))
	}
	rv = rv.Elem()
	targets := make([]any, len(op.Result.Bodies))
	for i, name := range op.Result.Bodies {
		f, err := field(rv, name)
		if err != nil {
			return s.Fail(ctx, op, err)
		}
		targets[i] = f.Addr().Interface()
	}
	status, err := field(rv, "StatusCode")
	if err != nil {
		return s.Fail(ctx, op, err)
	}
	resp, err := s.CallResponse(ctx, op, &req, targets...)
	if err != nil {
		return err
	}
	defer resp.Close()
	status.SetInt(int64(resp.StatusCode))
	for _, h := range op.Result.Headers {
		f, err := field(rv, h.Field)
		if err == nil {
			err = readHeader(resp.Header, h, f)
		}
		if err != nil {
			return resp.Fail(err)
		}
	}
	return nil
}

// Param describes one parameter of an operation to Invoke.
type Param struct {
	Name     string // as on the wire
	In       ParamIn
	Style    Style
	Explode  bool
	Shape    Shape
	Required bool
}

// ParamIn is where a parameter goes.
type ParamIn uint8

// Parameter locations.
const (
	InPath ParamIn = iota
	InQuery
	InHeader
	InCookie
)

// Shape is how a parameter value is written.
type Shape uint8

// Parameter shapes.
const (
	ShapeValue  Shape = iota // a primitive
	ShapeList                // an array of primitives
	ShapeObject              // an object (or a union), written in the parameter's style
	ShapeJSON                // any value, written as JSON (content: application/json)
)

// ResultSpec says how Invoke fills a result struct: its StatusCode field,
// the field each body target is (Bodies[ResponseSpec.Target]), and the typed
// response headers.
type ResultSpec struct {
	Bodies  []string
	Headers []HeaderSpec
}

// HeaderSpec is one typed response header: Field is a pointer to a scalar or,
// when List is set, a slice of scalars read from a comma-separated list.
type HeaderSpec struct {
	Name  string // as on the wire
	Field string
	List  bool
}

func field(v reflect.Value, name string) (reflect.Value, error) {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanSet() {
		return f, fmt.Errorf("result %s has no field %s (a bug in the generated code)", v.Type(), name)
	}
	return f, nil
}

// encode fills r from the method's arguments.
func (op *Operation) encode(r *Request, path []string, params, body any) error {
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
			b.WriteString(PathParam(StyleSimple, p.Name, values[k]))
		default:
			b.WriteString(PathParam(p.Style, p.Name, values[k]))
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
			return "", &ParamError{Name: p.Name, In: InPath, Reason: "is empty, which would leave an empty path segment"}
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
			out[i] = PathList(p.Style, p.Explode, p.Name, texts(rv))
		case ShapeObject:
			s, err := PathObject(p.Style, p.Explode, p.Name, v)
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
// write it (and as Invoke writes query, header and cookie values). They are
// not inlined: each call stays one call in every generated method.

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
func encodeParams(r *Request, params []Param, ptr any) error {
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
	var q Query
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
			s = HeaderList(texts(v))
		case ShapeObject:
			var err error
			if s, err = HeaderObject(p.Explode, v.Interface()); err != nil {
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
			if err := AddCookie(r.Header, p.Name, s); err != nil {
				return err
			}
		} else {
			if err := checkHeader(p.Name, s); err != nil {
				return err
			}
			r.Header.Set(p.Name, s)
		}
	}
	r.RawQuery = q.Encode()
	return nil
}

func queryParam(q *Query, p Param, v reflect.Value) error {
	switch p.Shape {
	case ShapeList:
		q.AddList(p.Style, p.Explode, p.Name, texts(v))
	case ShapeObject:
		return q.AddObject(p.Style, p.Explode, p.Name, v.Interface())
	case ShapeJSON:
		return q.AddJSON(p.Name, v.Interface())
	default:
		q.Add(p.Name, text(v))
	}
	return nil
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[Date]()
	fileType = reflect.TypeFor[File]()
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
			return FormatDate(v.Convert(dateType).Interface().(Date))
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
func encodeBody(r *Request, kind BodyKind, contentType string, body any) error {
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
		r.JSON = body
	case BodyForm:
		r.Form = body
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
		r.BodyStream = rd
	case BodyMultipart:
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("multipart body %T is not a pointer to a struct (a bug in the generated code)", body)
		}
		r.BodyStream, r.ContentType = Multipart(func(w *multipart.Writer) error { return writeParts(w, v.Elem()) })
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
			err = WriteFilePart(w, name, v.Interface().(File))
		case v.Kind() == reflect.Slice && v.Type().Elem() == fileType:
			for j := 0; j < v.Len() && err == nil; j++ {
				err = WriteFilePart(w, name, v.Index(j).Interface().(File))
			}
		case isScalar(v.Type()):
			err = w.WriteField(name, text(v))
		default:
			err = WriteJSONPart(w, name, v.Interface())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readHeader sets a result field from a response header; an absent header
// leaves it nil.
func readHeader(h http.Header, spec HeaderSpec, f reflect.Value) error {
	if !spec.List {
		s := h.Get(spec.Name)
		if s == "" {
			return nil
		}
		p := reflect.New(f.Type().Elem())
		if err := parseText(s, p.Elem()); err != nil {
			return fmt.Errorf("response header %s: %w", spec.Name, err)
		}
		f.Set(p)
		return nil
	}
	vals := h.Values(spec.Name)
	if len(vals) == 0 {
		return nil
	}
	list := reflect.MakeSlice(f.Type(), 0, len(vals))
	for _, line := range vals {
		for _, s := range strings.Split(line, ",") {
			e := reflect.New(f.Type().Elem()).Elem()
			if err := parseText(strings.TrimSpace(s), e); err != nil {
				return fmt.Errorf("response header %s: %w", spec.Name, err)
			}
			list = reflect.Append(list, e)
		}
	}
	f.Set(list)
	return nil
}

// parseText reads s into v, a scalar of any string, number, boolean, time
// or date type.
func parseText(s string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		v.SetInt(n)
		return err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, v.Type().Bits())
		v.SetUint(n)
		return err
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		v.SetFloat(f)
		return err
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		v.SetBool(b)
		return err
	case reflect.Struct:
		switch t := v.Type(); {
		case t.ConvertibleTo(timeType):
			tm, err := ParseTime(s)
			v.Set(reflect.ValueOf(tm).Convert(t))
			return err
		case t.ConvertibleTo(dateType):
			d, err := ParseDate(strings.TrimSpace(s))
			v.Set(reflect.ValueOf(d).Convert(t))
			return err
		}
	}
	return fmt.Errorf("cannot read a header into %s (a bug in the generated code)", v.Type())
}
