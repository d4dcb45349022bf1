package tpgenimpl

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/link"
)

type (
	level  string
	count  int16
	stamp  time.Time
	day    runtime.Date
	ratio  float32
	toggle bool
)

// TestText: every scalar kind a generated parameter can have, named or not,
// and JSON for the rest.
func TestText(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 5, time.UTC)
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"a b", "a b"},
		{level("high"), "high"},
		{int64(-42), "-42"},
		{count(7), "7"},
		{uint8(200), "200"},
		{1.5, "1.5"},
		{ratio(0.5), "0.5"},
		{true, "true"},
		{toggle(false), "false"},
		{at, "2026-11-26T09:30:00.000000005Z"},
		{stamp(at), "2026-11-26T09:30:00.000000005Z"},
		{runtime.Date{Year: 2026, Month: 2, Day: 3}, "2026-02-03"},
		{day{2026, 2, 3}, "2026-02-03"},
		{map[string]int{"a": 1}, `{"a":1}`},
		{[]byte("hi"), `"aGk="`},
	} {
		if got := text(reflect.ValueOf(tt.v)); got != tt.want {
			t.Errorf("text(%T %v) = %q, want %q", tt.v, tt.v, got, tt.want)
		}
	}
}

// TestReadHeader: single and list headers into every scalar kind, absent
// headers left nil, and bad values reported with the header's name.
func TestReadHeader(t *testing.T) {
	var out struct {
		Count *count
		Ratio *ratio
		When  *stamp
		Day   *day
		Tags  []level
		Sizes []int
		Gone  *string
	}
	h := http.Header{}
	h.Set("X-Count", " 12 ")
	h.Set("X-Ratio", "0.25")
	h.Set("X-When", "Thu, 26 Nov 2026 09:30:00 GMT")
	h.Set("X-Day", "2026-11-26")
	h.Add("X-Tags", "a, b")
	h.Add("X-Tags", "c")
	h.Set("X-Sizes", "1,2")
	rv := reflect.ValueOf(&out).Elem()
	for _, s := range []HeaderSpec{
		{Name: "X-Count", Field: "Count"}, {Name: "X-Ratio", Field: "Ratio"}, {Name: "X-When", Field: "When"},
		{Name: "X-Day", Field: "Day"}, {Name: "X-Tags", Field: "Tags", List: true},
		{Name: "X-Sizes", Field: "Sizes", List: true}, {Name: "X-Gone", Field: "Gone"},
	} {
		if err := readHeader(h, s, rv.FieldByName(s.Field)); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
	}
	when := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	switch {
	case out.Count == nil || *out.Count != 12, out.Ratio == nil || *out.Ratio != 0.25,
		out.When == nil || !time.Time(*out.When).Equal(when), out.Day == nil || *out.Day != (day{2026, 11, 26}),
		!reflect.DeepEqual(out.Tags, []level{"a", "b", "c"}), !reflect.DeepEqual(out.Sizes, []int{1, 2}), out.Gone != nil:
		t.Errorf("read %+v", out)
	}
	h.Set("X-Count", "70000") // does not fit an int16
	err := readHeader(h, HeaderSpec{Name: "X-Count", Field: "Count"}, rv.FieldByName("Count"))
	if err == nil || !strings.Contains(err.Error(), "response header X-Count") {
		t.Errorf("an int16 header of 70000: want an error naming it, got %v", err)
	}
}

type listParams struct {
	Q      *string
	Tags   []string
	Filter map[string]string
	ID     int
	Trace  *string
	Cookie *string
}

// TestEncodeParams: nil fields are not sent, required parameters need a
// params struct, headers and cookies are set, and the query keeps field order.
func TestEncodeParams(t *testing.T) {
	params := []Param{
		{Name: "q", In: InQuery, Style: StyleForm, Explode: true},
		{Name: "tags", In: InQuery, Style: StyleForm, Shape: ShapeList},
		{Name: "filter", In: InQuery, Style: StyleDeepObject, Explode: true, Shape: ShapeObject},
		{Name: "id", In: InQuery, Style: StyleForm, Explode: true, Required: true},
		{Name: "X-Trace", In: InHeader},
		{Name: "session", In: InCookie, Style: StyleForm},
	}
	var r link.Request
	err := encodeParams(&r, params, (*listParams)(nil))
	if err == nil || err.Error() != "params must not be nil: it holds the required parameters id" {
		t.Errorf("nil params with a required one: %v", err)
	}
	q, trace, sess := "a&b", "t-1", "s 1"
	r = link.Request{}
	if err := encodeParams(&r, params, &listParams{Q: &q, Tags: []string{"x", "y"}, Filter: map[string]string{"k": "v"}, ID: 3, Trace: &trace, Cookie: &sess}); err != nil {
		t.Fatal(err)
	}
	if want := "q=a%26b&tags=x,y&filter[k]=v&id=3"; r.RawQuery != want {
		t.Errorf("query %q, want %q", r.RawQuery, want)
	}
	if r.Header.Get("X-Trace") != "t-1" || !strings.HasPrefix(r.Header.Get("Cookie"), "session=") {
		t.Errorf("headers %v", r.Header)
	}
	r = link.Request{}
	if err := encodeParams(&r, params, &listParams{ID: 0}); err != nil || r.RawQuery != "id=0" || r.Header != nil {
		t.Errorf("only the required value: query %q, header %v, %v", r.RawQuery, r.Header, err)
	}
}

// TestEncodeQueryInPath: a query the spec wrote into the path comes first,
// the parameters' after it, in one query.
func TestEncodeQueryInPath(t *testing.T) {
	type limit struct{ Limit *int }
	n := 5
	for _, tt := range []struct {
		name   string
		params any
		want   string
	}{
		{"no parameters given", &limit{}, "beta=true"},
		{"a parameter", &limit{Limit: &n}, "beta=true&limit=5"},
	} {
		op := &Operation{Path: "/responses/compact", Query: "beta=true", Params: []Param{{Name: "limit", In: InQuery, Style: StyleForm, Explode: true}}}
		var r link.Request
		if err := op.encode(&r, nil, tt.params, nil); err != nil {
			t.Fatal(err)
		}
		if r.Path != "/responses/compact" || r.RawQuery != tt.want {
			t.Errorf("%s: %s?%s, want /responses/compact?%s", tt.name, r.Path, r.RawQuery, tt.want)
		}
	}
}

type upload struct {
	_     [0]func()
	Title string         `json:"title"`
	Note  *string        `json:"note,omitempty"`
	Meta  any            `json:"meta,omitempty"`
	File  *runtime.File  `json:"file,omitempty"`
	More  []runtime.File `json:"more,omitempty"`
	Skip  string         `json:"-"`
}

// TestMultipart: one part per field that is set, files as file parts, other
// values as JSON parts.
func TestMultipart(t *testing.T) {
	var r link.Request
	body := &upload{Title: "t", Meta: map[string]int{"n": 1}, File: &runtime.File{Name: "a.txt", Content: strings.NewReader("A")},
		More: []runtime.File{{Content: strings.NewReader("B")}}, Skip: "no"}
	if err := encodeBody(&r, BodyMultipart, "", body); err != nil {
		t.Fatal(err)
	}
	_, ps, err := mime.ParseMediaType(r.ContentType)
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(r.Stream, ps["boundary"])
	var got []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		got = append(got, p.FormName()+"|"+p.FileName()+"|"+strings.TrimSpace(string(b)))
	}
	want := []string{"title||t", `meta||{"n":1}`, "file|a.txt|A", "more|file|B"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parts %q, want %q", got, want)
	}
}

// TestEncodeBodyNil: a nil body is not sent, whatever its type.
func TestEncodeBodyNil(t *testing.T) {
	for _, b := range []any{nil, (*upload)(nil), []int(nil), map[string]any(nil), io.Reader(nil)} {
		var r link.Request
		if err := encodeBody(&r, BodyJSON, "application/json", b); err != nil || r.Body != nil || r.ContentType != "" {
			t.Errorf("%T: %+v, %v", b, r, err)
		}
	}
	var r link.Request
	if err := encodeBody(&r, BodyText, "text/plain", level("hi")); err != nil || string(r.Body) != "hi" {
		t.Errorf("text body: %q, %v", r.Body, err)
	}
}

// TestExpandPath: repeated and styled variables, lists and objects through
// PathValues, and a variable without a parameter reported.
func TestExpandPath(t *testing.T) {
	op := &Operation{Params: []Param{{Name: "id"}, {Name: "tags", Style: StyleLabel, Shape: ShapeList}, {Name: "m", Style: StyleMatrix},
		{Name: "pt", Style: StyleMatrix, Explode: true, Shape: ShapeObject}, {Name: "q", In: InQuery}}}
	path, err := PathValues(op, "x/y", []count{1, 2}, toggle(true), struct {
		X int `json:"x"`
		Y int `json:"y"`
	}{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := expandPath("/a/{id}/b{.tags}/c{;m}/{id}{;pt}", op.Params[:4], path)
	if want := "/a/x%2Fy/b.1,2/c;m=true/x%2Fy;x=1;y=2"; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	// What generated methods pass for single values, without PathValues.
	got, err = expandPath("/a/{id}/c{;m}", op.Params[:3], []string{"x/y", "", FormatBool(true)})
	if want := "/a/x%2Fy/c;m=true"; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if _, err := expandPath("/a/{other}", op.Params[:3], []string{"x", "", ""}); err == nil {
		t.Error("a variable without a parameter: no error")
	}
	if _, err := PathValues(op, "a", []int{1}, true, nil, 5); err == nil {
		t.Error("more values than path parameters: no error")
	}
	if _, err := PathValues(op, "a", 2); err == nil {
		t.Error("a number for a list: no error")
	}
	for v, want := range map[string]string{FormatInt(-42): "-42", FormatFloat(0.5): "0.5", FormatFloat(1e21): "1e+21", FormatBool(false): "false"} {
		if v != want {
			t.Errorf("got %q, want %q", v, want)
		}
	}
}

// TestInvokeMismatch: generated code and runtime that disagree give an
// error, never a panic or a silently wrong request.
func TestInvokeMismatch(t *testing.T) {
	params := []Param{{Name: "q", In: InQuery}, {Name: "r", In: InQuery}}
	var r link.Request
	if err := encodeParams(&r, params, &struct{ Q *string }{}); err == nil || !strings.Contains(err.Error(), "a bug in the generated code") {
		t.Errorf("params struct with a field missing: %v", err)
	}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: "http://127.0.0.1:1"}, runtime.WithLookupEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	op := &Operation{ID: "get", Method: "GET", Path: "/x", Result: &ResultSpec{Bodies: []string{"Nope"}}}
	var out struct{ StatusCode int }
	if err := Invoke(t.Context(), svc, op, nil, nil, nil, &out); err == nil || !strings.Contains(err.Error(), "has no field Nope") {
		t.Errorf("result struct without the body field: %v", err)
	}
}

// TestEncodeFailure: a body that cannot be encoded fails the call before
// anything is sent, as a *runtime.CallError that names the operation and a
// message id (the context's, or a new one), and the call is recorded.
func TestEncodeFailure(t *testing.T) {
	var recs []runtime.Record
	obs := runtime.ObserverFunc(func(_ context.Context, r *runtime.Record) { recs = append(recs, *r) })
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: "http://127.0.0.1:1"}, runtime.WithObserver(obs),
		runtime.WithLookupEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	op := &Operation{ID: "createOrder", Method: "POST", Path: "/orders", RequestBody: BodyJSON}
	for _, ctx := range []context.Context{t.Context(), runtime.ContextWithMessageID(t.Context(), "mid-1")} {
		err := Invoke(ctx, svc, op, nil, nil, map[string]any{"f": func() {}}, nil)
		var ce *runtime.CallError
		if !errors.As(err, &ce) || ce.Operation != "createOrder" || !strings.Contains(err.Error(), "encoding the request body") {
			t.Fatalf("error %v", err)
		}
		if want := runtime.MessageIDFrom(ctx); ce.MessageID == "" || want != "" && ce.MessageID != want {
			t.Errorf("message id %q, want %q or a new one", ce.MessageID, want)
		}
	}
	if len(recs) != 2 || recs[0].Err == nil || recs[0].Attempts != 0 {
		t.Errorf("records %+v", recs)
	}
}
