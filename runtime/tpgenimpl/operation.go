package tpgenimpl

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/link"
)

// Operation is what generated code knows about one operation: its name, its
// HTTP shape, the auth that services.yaml and the spec's security give it,
// and what Invoke needs to build the request and fill the result.
type Operation struct {
	ID     string // the operationId, e.g. "getOrder"
	Method string
	Path   string // the path template, e.g. "/orders/{id}"
	// Query is a query the spec wrote into the path (/responses/compact?beta=true:
	// beta=true), URL-encoded; it is sent before the parameters' query.
	Query string
	// Grant is the operation's own grant; GrantInherit uses the service's. The
	// generator sets GrantNone for an operation whose security is explicitly empty.
	Grant runtime.Grant
	// Scopes, Audiences and Resources replace the service's when not nil.
	Scopes    []string
	Audiences []string
	Resources []string
	// Security is the operation's own security requirements when the spec
	// gives it some: alternatives, the first whose schemes all have
	// credentials is sent, each a list of names of
	// runtime.ServiceConfig.Schemes. Nil uses the service's
	// (ServiceConfig.Security); empty, none.
	Security [][]string

	// Params are the path parameters in the order of the method's arguments,
	// then the fields of its params struct in order.
	Params []Param
	// RequestBody is how the body is sent, with ContentType; BodyNone: none.
	RequestBody BodyKind
	ContentType string
	// Accept lists the media types of the declared responses.
	Accept string
	// Responses are the declared responses.
	Responses []ResponseSpec
	// Result describes the result struct; nil when the method returns one
	// value or none.
	Result *ResultSpec
	// Paging says how the operation's pages follow each other, for the
	// method that iterates over them (Pages); nil when it has none.
	Paging *Paging
}

// link is the engine's view of op.
func (op *Operation) link() link.Op {
	return link.Op{Key: op, ID: op.ID, Method: op.Method, Path: op.Path, Grant: uint8(op.Grant),
		Scopes: op.Scopes, Audiences: op.Audiences, Resources: op.Resources, Security: op.Security}
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

// String returns where a parameter goes, as OpenAPI's "in" says it.
func (in ParamIn) String() string {
	switch in {
	case InPath:
		return "path"
	case InQuery:
		return "query"
	case InHeader:
		return "header"
	case InCookie:
		return "cookie"
	}
	return fmt.Sprintf("ParamIn(%d)", in)
}

// Style is an OpenAPI parameter serialisation style.
type Style uint8

// Styles of OpenAPI 3 §4.8.12.4.
const (
	StyleSimple Style = iota
	StyleLabel
	StyleMatrix
	StyleForm
	StyleSpaceDelimited
	StylePipeDelimited
	StyleDeepObject
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

// BodyKind is how a body is read or sent.
type BodyKind uint8

// Body kinds.
const (
	BodyNone      BodyKind = iota
	BodyJSON               // decoded into a pointer target; sent as JSON
	BodyText               // read into a *string target; sent from a string
	BodyBinary             // handed over as an io.ReadCloser (*io.ReadCloser target), streamed; sent from an io.Reader
	BodyForm               // sent as application/x-www-form-urlencoded: top-level properties as key=value, nested as key[a][b]
	BodyMultipart          // sent as multipart/form-data, one part per field of a struct
)

// ResponseSpec is one response an operation declares: which statuses it
// covers, whether they are a success, and how the body decodes.
type ResponseSpec struct {
	// Code is an exact status; Class a range (2 for "2XX"). Both zero: default.
	Code  int
	Class int
	// Success says the response is a result, not an error.
	Success bool
	// Body is how the body is read: BodyNone, BodyJSON, BodyText or BodyBinary.
	Body BodyKind
	// Target is the index, among the result's Bodies, that a success body goes into.
	Target int
	// Model makes the value a declared error body decodes into (runtime.ResponseError.Model).
	Model func() any
}

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
