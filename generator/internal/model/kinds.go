package model

// ParamIn is where a parameter is sent.
type ParamIn uint8

const (
	InPath ParamIn = iota
	InQuery
	InHeader
	InCookie
)

var inNames = [...]string{InPath: "path", InQuery: "query", InHeader: "header", InCookie: "cookie"}

// String is where the parameter is as OpenAPI's in writes it.
func (in ParamIn) String() string { return nameOf(inNames[:], in) }

// ParseIn is the ParamIn of OpenAPI's in; false for any other.
func ParseIn(s string) (ParamIn, bool) { return parseName[ParamIn](inNames[:], s) }

// ParamStyle is how a parameter is serialised (OpenAPI's style): the
// emitter writes it as the runtime's constant of the same name.
type ParamStyle uint8

const (
	StyleSimple ParamStyle = iota // the default of path parameters and headers; not written in tables
	StyleForm
	StyleLabel
	StyleMatrix
	StyleSpaceDelimited
	StylePipeDelimited
	StyleDeepObject
)

// SchemeKind is the kind of a security scheme: the emitter writes it as
// the runtime's SchemeKind constant of the same name.
type SchemeKind uint8

const (
	SchemeUnsupported SchemeKind = iota // a scheme the runtime cannot send (or not known)
	SchemeOAuth2                        // oauth2 and openIdConnect: the grant's token
	SchemeAPIKey
	SchemeBasic
	SchemeBearer
	SchemeMutualTLS
)
