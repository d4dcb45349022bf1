package tpgenimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/link"
)

// engineOf reaches a Service's call engine (see internal/link).
var engineOf = link.Borrow[*runtime.Service]()

// Invoke is what a generated method does: it builds the request of op from
// the method's arguments as op.Params, op.RequestBody and op.Accept describe
// them, sends it through s, and reads the response into out as op.Responses
// and op.Result say.
//
// opts are the method's call options (runtime.CallOption), nil when none.
// path are the path parameters, in the order of op's path Params: the text of
// each single value (a string as it is; FormatInt, FormatFloat, FormatBool,
// FormatTime or FormatDate of others), which Invoke escapes and styles, or,
// when a list or object is among them, what PathValues made of them; params
// is nil or a pointer to the operation's params struct, whose fields are op's
// other Params in order; body is the request body or nil; out is nil (no
// result), a pointer to the one result value, or, when op.Result is set, a
// pointer to the result struct.
//
// A success body goes into its target, a declared error becomes a
// *runtime.ResponseError with its decoded Model, any other status a
// *runtime.ResponseError; failures before an answer are *runtime.CallError or
// *token.Error.
func Invoke(ctx context.Context, s *runtime.Service, op *Operation, opts []runtime.CallOption, params, body, out any, path ...string) error {
	if len(opts) > 0 {
		ctx = runtime.ContextWithCallOptions(ctx, opts...)
	}
	e := engineOf(s)
	var req link.Request
	if err := op.encode(&req, path, params, body); err != nil {
		return e.Fail(ctx, op.link(), err)
	}
	req.Accept = op.Accept
	if op.Result == nil {
		resp, err := e.Do(ctx, op.link(), req)
		if err != nil {
			return err
		}
		one := [1]any{out}
		targets := one[:0]
		if out != nil {
			targets = one[:]
		}
		if err := read(resp, op.Responses, targets, e.ValidateResponses()); err != nil {
			resp.Close()
			return err
		}
		return resp.Close()
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return e.Fail(ctx, op.link(), fmt.Errorf("result %T is not a pointer to a struct (a bug in the generated code)", out))
	}
	rv = rv.Elem()
	targets := make([]any, len(op.Result.Bodies))
	for i, name := range op.Result.Bodies {
		f, err := field(rv, name)
		if err != nil {
			return e.Fail(ctx, op.link(), err)
		}
		targets[i] = f.Addr().Interface()
	}
	status, err := field(rv, "StatusCode")
	if err != nil {
		return e.Fail(ctx, op.link(), err)
	}
	resp, err := e.Do(ctx, op.link(), req)
	if err != nil {
		return err
	}
	defer resp.Close()
	if err := read(resp, op.Responses, targets, e.ValidateResponses()); err != nil {
		return err
	}
	status.SetInt(int64(resp.StatusCode()))
	for _, h := range op.Result.Headers {
		f, err := field(rv, h.Field)
		if err == nil {
			err = readHeader(resp.Header(), h, f)
		}
		if err != nil {
			return resp.Fail(err)
		}
	}
	return nil
}

func field(v reflect.Value, name string) (reflect.Value, error) {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanSet() {
		return f, fmt.Errorf("result %s has no field %s (a bug in the generated code)", v.Type(), name)
	}
	return f, nil
}

// match finds the spec that covers status: an exact code first, then its
// class, then default.
func match(specs []ResponseSpec, status int) *ResponseSpec {
	var class, dflt *ResponseSpec
	for i := range specs {
		s := &specs[i]
		switch {
		case s.Code == status:
			return s
		case s.Code == 0 && s.Class == status/100:
			class = s
		case s.Code == 0 && s.Class == 0:
			dflt = s
		}
	}
	if class != nil {
		return class
	}
	return dflt
}

// read decodes the response as the operation's declared responses say; with
// validate, a decoded JSON success body is checked against its type too (see
// validate.go).
func read(r link.Response, specs []ResponseSpec, targets []any, validate bool) error {
	status := r.StatusCode()
	spec := match(specs, status)
	switch {
	case spec == nil:
		return r.Error(nil)
	case !spec.Success && spec.Model != nil && spec.Body == BodyJSON:
		return r.Error(spec.Model())
	case !spec.Success:
		return r.Error(nil)
	case spec.Body == BodyNone:
		return nil
	}
	if spec.Target >= len(targets) || targets[spec.Target] == nil {
		return r.Fail(fmt.Errorf("response %d has a body but no target (a bug in the generated code)", status))
	}
	target := targets[spec.Target]
	switch spec.Body {
	case BodyJSON:
		if validate {
			return decodeChecked(r, target)
		}
		return r.DecodeJSON(target)
	case BodyText:
		s, err := r.Text()
		if err != nil {
			return err
		}
		switch p := target.(type) {
		case *string:
			*p = s
			return nil
		case **string:
			*p = &s
			return nil
		}
	case BodyBinary:
		if p, ok := target.(*io.ReadCloser); ok {
			*p = r.Stream()
			return nil
		}
	}
	return r.Fail(fmt.Errorf("response %d: target %T does not fit a %d body", status, target, spec.Body))
}

// decodeChecked decodes a JSON body into target and checks it: a body that
// decodes but lacks required properties or holds unknown enum values fails
// the call with a *runtime.InvalidResponseError.
func decodeChecked(r link.Response, target any) error {
	body, err := r.Text() // bounded, like DecodeJSON's reads
	if err != nil {
		return err
	}
	if err := json.NewDecoder(strings.NewReader(body)).Decode(target); err != nil {
		return r.Fail(fmt.Errorf("decoding %d response: %w", r.StatusCode(), err))
	}
	if problems, more := checkBody(body, reflect.TypeOf(target).Elem()); len(problems) > 0 {
		return r.Fail(&runtime.InvalidResponseError{StatusCode: r.StatusCode(), Problems: problems, More: more, Body: target})
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
			tm, err := parseTime(s)
			v.Set(reflect.ValueOf(tm).Convert(t))
			return err
		case t.ConvertibleTo(dateType):
			d, err := runtime.ParseDate(strings.TrimSpace(s))
			v.Set(reflect.ValueOf(d).Convert(t))
			return err
		}
	}
	return fmt.Errorf("cannot read a header into %s (a bug in the generated code)", v.Type())
}
