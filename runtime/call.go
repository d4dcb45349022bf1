package runtime

import (
	"context"
	"fmt"
	"io"
)

// ResponseSpec is one response an operation declares, as generated code
// describes it to Call: which statuses it covers, whether they are a success,
// and how the body decodes.
type ResponseSpec struct {
	// Code is an exact status; Class a range (2 for "2XX"). Both zero: default.
	Code  int
	Class int
	// Success says the response is a result, not an error.
	Success bool
	// Body is how the body is read: BodyNone, BodyJSON, BodyText or BodyBinary.
	Body BodyKind
	// Target is the index, among Call's targets, that a success body goes into.
	Target int
	// Model makes the value a declared error body decodes into (ResponseError.Model).
	Model func() any
}

// BodyKind is how a body is read or sent.
type BodyKind uint8

// Body kinds.
const (
	BodyNone      BodyKind = iota
	BodyJSON               // decoded into a pointer target; sent as JSON
	BodyText               // read into a *string target; sent from a string
	BodyBinary             // handed over as an io.ReadCloser (*io.ReadCloser target), streamed; sent from an io.Reader
	BodyForm               // sent as application/x-www-form-urlencoded (see FormBody)
	BodyMultipart          // sent as multipart/form-data, one part per field of a struct
)

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

// Call sends one call of op and reads its response as op.Responses say: a
// success body goes into its target, a declared error becomes a
// *ResponseError with its decoded Model, any other status a *ResponseError.
// The response is closed, unless its body was handed over as a stream.
func (s *Service) Call(ctx context.Context, op *Operation, r *Request, targets ...any) error {
	resp, err := s.CallResponse(ctx, op, r, targets...)
	if err != nil {
		return err
	}
	return resp.Close()
}

// CallResponse is Call for operations with typed response headers: it leaves
// the response open for the caller to read them, and the caller closes it.
func (s *Service) CallResponse(ctx context.Context, op *Operation, r *Request, targets ...any) (*Response, error) {
	resp, err := s.Do(ctx, op, r)
	if err != nil {
		return nil, err
	}
	if err := resp.read(op.Responses, targets); err != nil {
		resp.Close()
		return nil, err
	}
	return resp, nil
}

// read decodes the response per the operation's declared responses.
func (r *Response) read(specs []ResponseSpec, targets []any) error {
	spec := match(specs, r.StatusCode)
	switch {
	case spec == nil:
		return r.Error()
	case !spec.Success && spec.Model != nil && spec.Body == BodyJSON:
		return r.ErrorJSON(spec.Model())
	case !spec.Success:
		return r.Error()
	case spec.Body == BodyNone:
		return nil
	}
	if spec.Target >= len(targets) || targets[spec.Target] == nil {
		return r.fail(fmt.Errorf("response %d has a body but no target (a bug in the generated code)", r.StatusCode))
	}
	target := targets[spec.Target]
	switch spec.Body {
	case BodyJSON:
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
	return r.fail(fmt.Errorf("response %d: target %T does not fit a %d body", r.StatusCode, target, spec.Body))
}
