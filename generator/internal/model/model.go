package model

import "strings"

// Import paths the generated code uses: the one place the generator names
// the runtime's packages.
const (
	RuntimePkg = "github.com/tpgen/tpgen/runtime"           // what applications use too: Service, Option, Grant, Date, File
	ImplPkg    = "github.com/tpgen/tpgen/runtime/tpgenimpl" // what only generated code uses: tables, Invoke, helpers
	TokenPkg   = "github.com/tpgen/tpgen/runtime/token"     // token.ClientSecretPost, in a service's defaults
	JSONPkg    = "encoding/json"
)

// The model is what the emitter works from: every Go name settled, every
// type resolved, in a deterministic order. The emitter never sees the spec.

// Package is one generated client package: one service.
type Package struct {
	Name        string // Go package name
	Service     string // services.yaml key
	Source      string // the spec's path as written in services.yaml (for the source: line)
	Title       string
	Version     string
	Description string
	Runtime     RuntimeDefaults
	// Schemes are the security schemes the requirements name, sorted by
	// name; Security the spec's global requirements when an operation
	// inherits them (see generator/security.go).
	Schemes  []SecurityScheme
	Security [][]string
	// AuthFrom says, by README row ("grant", "token URL", "issuer"), which
	// of the spec's schemes a setting services.yaml left out was taken from.
	AuthFrom map[string]string
	// Alerts are for every run: settings taken from the spec that decide
	// where secrets go or whom calls are made as, and operations left
	// without credentials.
	Alerts      []string
	Methods     []*Method     // one per operation, sorted by Go name
	Types       []*Decl       // sorted by Go name
	ErrorModels []*ErrorModel // constructors of declared error bodies, sorted by name
	Notes       []Note        // what could not be typed exactly, was ignored or chosen, for -v
	Repairs     []string      // what lenient mode repaired, each at its place (see load/lenient.go)
	// UnusedSchemas counts the component schemas not generated because no
	// generated operation uses them (models: used).
	UnusedSchemas int
}

// ErrorModel is an unexported function that makes the value a declared error
// body decodes into: func newProblem() any { return new(Problem) }.
type ErrorModel struct {
	Func string
	Type *Type
}

// RuntimeDefaults are the non-secret settings the package hands the runtime.
type RuntimeDefaults struct {
	BaseURL            string
	TokenURL           string
	Issuer             string
	ClientID           string
	ClientIDEnv        string
	ClientSecretEnv    string
	Grant              Grant
	Scopes             []string
	Audiences          []string
	Resources          []string
	SubjectTokenType   string
	RequestedTokenType string
	ActorTokenEnv      string
	ActorTokenType     string
	APIKeyEnv          string // the key of every apiKey scheme; set when the spec has one
	ClientAuth         ClientAuth
	MessageIDHeader    string
	TimeoutNanos       int64
	ValidateResponses  bool               // check decoded success bodies (runtime.WithResponseValidation)
	TokenStore         TokenStoreDefaults // defaults.token_store; zero when not written
}

// TokenStoreDefaults is services.yaml's token_store as the runtime takes it
// (runtime.TokenStoreConfig): secrets by the names of their variables.
type TokenStoreDefaults struct {
	Kind                        TokenStoreKind
	Addr, Username, PasswordEnv string
	TLS                         bool
	KeyPrefix, EncryptionKeyEnv string
}

// TypeKind is the shape of a type expression.
type TypeKind uint8

const (
	KindBuiltin  TypeKind = iota // string, int64, bool, float64, any, []byte
	KindNamed                    // a type declared in the package
	KindSlice                    // []Elem
	KindMap                      // map[string]Elem
	KindPointer                  // *Elem
	KindNullable                 // Decl's name: a DeclNullable holding Elem
	KindExternal                 // a type from another package: Pkg.Name (time.Time, runtime.Date, json.RawMessage, io.Reader)
)

// Type is a Go type expression.
type Type struct {
	Kind TypeKind
	Name string // builtin or declared name, or the external type's name
	Pkg  string // import path for KindExternal
	Elem *Type
	// Decl is the declaration of a KindNamed or KindNullable type.
	Decl *Decl
}

// Common types.
var (
	TString     = &Type{Kind: KindBuiltin, Name: "string"}
	TBool       = &Type{Kind: KindBuiltin, Name: "bool"}
	TInt        = &Type{Kind: KindBuiltin, Name: "int"}
	TInt32      = &Type{Kind: KindBuiltin, Name: "int32"}
	TInt64      = &Type{Kind: KindBuiltin, Name: "int64"}
	TFloat32    = &Type{Kind: KindBuiltin, Name: "float32"}
	TFloat64    = &Type{Kind: KindBuiltin, Name: "float64"}
	TAny        = &Type{Kind: KindBuiltin, Name: "any"}
	TBytes      = &Type{Kind: KindSlice, Elem: &Type{Kind: KindBuiltin, Name: "byte"}}
	TTime       = &Type{Kind: KindExternal, Pkg: "time", Name: "Time"}
	TDate       = &Type{Kind: KindExternal, Pkg: RuntimePkg, Name: "Date"}
	TReader     = &Type{Kind: KindExternal, Pkg: "io", Name: "Reader"}
	TReadCloser = &Type{Kind: KindExternal, Pkg: "io", Name: "ReadCloser"}
	TFile       = &Type{Kind: KindExternal, Pkg: RuntimePkg, Name: "File"}
	// TRaw is raw JSON: what lenient mode cannot type.
	TRaw = &Type{Kind: KindExternal, Pkg: JSONPkg, Name: "RawMessage"}
)

// Type constructors: []t, map[string]t, *t, and the type d declares.
func SliceOf(t *Type) *Type   { return &Type{Kind: KindSlice, Elem: t} }
func MapOf(t *Type) *Type     { return &Type{Kind: KindMap, Elem: t} }
func PointerTo(t *Type) *Type { return &Type{Kind: KindPointer, Elem: t} }
func Named(d *Decl) *Type     { return &Type{Kind: KindNamed, Name: d.Name, Decl: d} }

// Nilable reports whether the zero value of t is nil (no pointer needed to tell absent from zero).
func (t *Type) Nilable() bool {
	for range MaxNameChain {
		switch t.Kind {
		case KindSlice, KindMap, KindPointer:
			return true
		case KindBuiltin:
			return t.Name == "any"
		case KindNamed:
			if t.Decl.Kind != DeclDefined {
				return t.Decl.Kind == DeclUnion
			}
			t = t.Decl.Underlying
			continue
		case KindExternal:
			return t.Pkg == "encoding/json" || t.Pkg == "io"
		}
		return false
	}
	return false
}

// IsStruct reports whether t is a declared struct (passed and returned by pointer).
func (t *Type) IsStruct() bool {
	for range MaxNameChain {
		if t.Kind != KindNamed {
			return false
		}
		if t.Decl.Kind != DeclDefined || !t.Decl.Alias {
			return t.Decl.Kind == DeclStruct
		}
		t = t.Decl.Underlying
	}
	return false
}

// MaxNameChain bounds the walks down declared types that are other names
// (type A B): the typer never makes a circle of them (see namesOnly), and
// should it, the walks end rather than go round for ever. A chain is no
// longer than the typer's depth.
const MaxNameChain = MaxSchemaDepth + 1

// DeclKind is the kind of a type declaration.
type DeclKind uint8

const (
	DeclStruct  DeclKind = iota // type X struct{...}
	DeclEnum                    // type X string (or int) with constants
	DeclDefined                 // type X Underlying
	DeclUnion                   // oneOf/anyOf: raw JSON with typed accessors
	// DeclNullable is struct{value Underlying; state tpgenimpl.NullState}
	// with constructors (NewFunc, NullFunc), accessors and JSON methods: an
	// optional property that may also be null, whose state only the
	// constructors and decoding set (a value can never be sent as null by
	// mistake, nor null by a value that forgot to say so). One is declared per
	// value type, in the package, rather than one generic runtime type: Go
	// compiles the methods of a generic type's instantiations again in every
	// package that uses a type containing them, so every importer of a client
	// would pay for them.
	DeclNullable
)

// DeclRole is what a declaration was made for, beside the spec's schemas.
type DeclRole uint8

const (
	RoleSchema     DeclRole = iota // a schema of the spec (Source), or a type inside one
	RoleMultipart                  // a multipart/form-data request body: files streamed, not buffered
	RoleResult                     // the result struct of operation ResultOf
	RoleNullable                   // a DeclNullable: an optional value that may also be null
	RoleSharedEnum                 // an inline enum that SharedBy schemas share
)

// Source is where in the spec a declaration comes from.
type Source struct {
	// Place names it as comments and messages do: "components/schemas/Pet",
	// "paths/~1pets/get/requestBody/content/application~1json/schema", a
	// schema of another file as "models/pet.yaml#/properties/id"; "" for a
	// type tpgen made.
	Place string
	// Schema says Place is a component schema or inside one
	// (components/schemas/...) rather than the place of an inline schema.
	Schema bool
	// Component says the declaration is a component schema itself.
	Component bool
}

// Decl is a named type declared in the generated package.
type Decl struct {
	Name       string
	Kind       DeclKind
	Doc        string // the spec's description
	Deprecated bool
	Source     Source
	// Role is what tpgen made the declaration for, which its doc comment
	// says (RoleSchema: what Source and Doc say).
	Role DeclRole
	// ResultOf is a RoleResult's operation (its Go method name); SharedBy
	// the number of inline schemas a RoleSharedEnum stands for.
	ResultOf string
	SharedBy int

	Fields     []*Field // DeclStruct
	Additional *Type    // DeclStruct: typed additionalProperties beside fixed fields, nil if none

	EnumBase   *Type // DeclEnum: string, int64, float64, bool
	EnumValues []*EnumValue

	Underlying *Type // DeclDefined; DeclNullable: the value's type
	// NewFunc and NullFunc are a DeclNullable's constructors: a value, null.
	NewFunc, NullFunc string
	Alias             bool // DeclDefined: written type X = Underlying
	// Placeholder marks a DeclDefined made for a schema met again while it
	// was being built (recursion): what it stands for was not known yet.
	Placeholder bool
	// Parts is the chain of names the name is derived from (see generator/names_derived.go).
	Parts []string

	Variants      []*Variant // DeclUnion
	Discriminator string     // DeclUnion: property name, "" if none
	AnyOf         bool       // DeclUnion: anyOf rather than oneOf
}

// Field is a struct field.
type Field struct {
	Name     string // Go name
	JSONName string
	Type     *Type // already pointer/Nullable-wrapped as needed
	Required bool
	// RequiredReceived marks a read-only property the spec requires: optional
	// in what is sent (Required is false), required in what is received.
	RequiredReceived bool
	Nullable         bool
	OmitEmpty        bool // ",omitempty" or ",omitzero" in the tag
	OmitZero         bool
	Doc              string // the spec's description (a header's, for PartHeader)
	Format           string // the schema's format when the Go type does not show it ("uuid", "email")
	Default          string // the schema's default as JSON; "" when it has none
	Deprecated       bool
	ReadOnly         bool
	WriteOnly        bool
	// Part is what a result struct's field holds of the response; PartNone
	// for a property. Status is a PartBody's response status ("200", "4XX"),
	// Header a PartHeader's header as sent.
	Part   ResultPart
	Status string
	Header string
}

// ResultPart is the part of a response a field of a result struct holds.
type ResultPart uint8

const (
	PartNone   ResultPart = iota // a property of a schema
	PartStatus                   // the HTTP status
	PartBody                     // the body of the response with Status
	PartHeader                   // the response header Header
)

// EnumValue is one constant of an enum.
type EnumValue struct {
	Name  string // Go constant name
	Value any    // string, int64, float64 or bool
	Label string // the value as text, for naming
}

// Variant is one member of a union.
type Variant struct {
	Name           string // accessor suffix: AsName, FromName
	Type           *Type
	Discriminators []string // discriminator values that select this variant
}

// Method is one method of the client: one operation of the spec, and the
// tpgenimpl.Operation table the method hands the runtime.
type Method struct {
	Name        string // Go method name
	VarName     string // the unexported tpgenimpl.Operation variable
	ID          string // operationId (or the derived name) as the runtime reports it
	HTTPMethod  string
	Path        string // the path template, without the query a spec may write into it
	Query       string // that query, URL-encoded (see splitPathQuery); "" when none
	Summary     string
	Description string
	Deprecated  bool
	Tags        []string

	PathParams []*Param // in path order, positional arguments
	// PathVar is the method's local for the path parameters when one is a
	// list or object (tpgenimpl.PathValues makes them); "" otherwise.
	PathVar    string
	Params     []*Param // query, header, cookie: fields of ParamsType
	ParamsType string   // "" when there are none
	Body       *Body    // nil when none

	Responses []*Response // declared responses, most specific first
	Result    *Result

	Grant     Grant      // GrantUnset inherits the package's
	Scopes    []string   // nil inherits
	Security  [][]string // the spec's requirements of the operation; nil inherits the package's
	Audiences []string   // nil inherits
	Resources []string   // nil inherits

	// Paging is the operation's pagination from services.yaml (see
	// pagination.go); nil when it has none.
	Paging *Paging
}

// Param is one parameter of an operation.
type Param struct {
	Name     string // Go name (argument or field)
	WireName string
	In       ParamIn
	Style    ParamStyle
	Explode  bool
	Required bool
	Type     *Type // the field/argument type (optional ones are pointers or nil-able)
	Shape    ParamShape
	// Elem is the element type for lists, or the primitive type.
	Elem       *Type
	Fields     []*Field // ShapeObject: properties, in order
	Doc        string
	Deprecated bool

	ListType *Type // ShapeList: the declared list type, possibly named
}

// ParamShape is how a parameter value serialises.
type ParamShape uint8

const (
	ShapePrimitive ParamShape = iota
	ShapeList
	ShapeObject
	ShapeJSON // content: application/json in a parameter
)

// BodyKind is how a request or response body is encoded.
type BodyKind uint8

const (
	BodyNone BodyKind = iota
	BodyJSON
	BodyForm
	BodyMultipart
	BodyBinary
	BodyText
)

// Body is an operation's request body.
type Body struct {
	Kind        BodyKind
	ContentType string
	Type        *Type // the argument type
	Required    bool
	Doc         string
}

// Response is one declared response.
type Response struct {
	Status      string // "200", "2XX", "default"
	Code        int    // exact code, 0 for ranges and default
	RangeFrom   int    // for "4XX": 400
	Kind        BodyKind
	ContentType string
	Type        *Type // decoded body type, nil for none
	Headers     []*ResponseHeader
	Success     bool
	Doc         string
	// Field is the result struct field holding this response's body, when Result is a struct.
	Field string
	// Target is the index of the body's target in the runtime call.
	Target int
	// Model names the ErrorModel function of a declared JSON error body.
	Model string
}

// ResponseHeader is a typed response header, a field of the result struct.
type ResponseHeader struct {
	Name     string // Go field name
	WireName string
	Type     *Type
	Elem     *Type // element type of a list header, the type itself otherwise
	List     bool
	Doc      string
}

// ResultKind is what a method returns besides the error.
type ResultKind uint8

const (
	ResultNone   ResultKind = iota // only error
	ResultValue                    // the one success response's body
	ResultStruct                   // a declared result struct: status, body per response, headers
)

// Result is what an operation's method returns.
type Result struct {
	Kind    ResultKind
	Type    *Type // ResultValue: the body type (pointer for structs); ResultStruct: pointer to the struct
	Decl    *Decl // ResultStruct
	Headers []*ResponseHeader
}

// SecurityScheme is one scheme of the spec as the runtime is told about it
// (runtime.SecurityScheme).
type SecurityScheme struct {
	Name string
	Kind SchemeKind
	// In and Param are where a SchemeAPIKey's key goes: InHeader, InQuery
	// or InCookie, and the header, query parameter or cookie name.
	In    ParamIn
	Param string
	// Unsupported says what a SchemeUnsupported scheme is ("http digest"),
	// for the runtime's messages (runtime.SecurityScheme.In) and the README.
	Unsupported           string
	SecretEnv             string
	Username, UsernameEnv string
	Doc                   string // what the scheme is, for the package README
}

// Note is one thing -v reports.
type Note struct {
	// Group says what tpgen did, in the same words for every note of the
	// kind: "union kept as raw JSON with typed accessors (As, From)".
	Group string
	// Place is where in the spec ("components/schemas/Pet", "POST /pets",
	// "spec.yaml:3:5"); "" for the spec as a whole.
	Place string
	// Detail is what is particular to the place, "" when nothing is.
	Detail string
	// Decl is the type the note is about, when it is about one: a note of
	// a type that is not generated (models: used) is not given.
	Decl *Decl
}

// WrittenPath is the operation's path as the spec wrote it, with its query.
func (op *Method) WrittenPath() string {
	if op.Query == "" {
		return op.Path
	}
	return op.Path + "?" + op.Query
}

// BaseType is the parameter's value type before optional wrapping.
func (p *Param) BaseType() *Type {
	if p.ListType != nil {
		return p.ListType
	}
	return p.Elem
}

// MaxSchemaDepth bounds how deeply the typer descends into schemas, each
// level a schema inside another (or its $ref) still being built. Real specs
// nest a few dozen deep.
const MaxSchemaDepth = 2000

// Underlying follows defined types to what they are made of.
func Underlying(t *Type) *Type {
	for i := 0; i < MaxNameChain && t.Kind == KindNamed && t.Decl.Kind == DeclDefined; i++ {
		t = t.Decl.Underlying
	}
	return t
}

// Expr is the type expression as Go writes it, an external type qualified by the
// last element of its import path (time.Time, runtime.Date).
func (t *Type) Expr() string {
	switch t.Kind {
	case KindSlice:
		return "[]" + t.Elem.Expr()
	case KindMap:
		return "map[string]" + t.Elem.Expr()
	case KindPointer:
		return "*" + t.Elem.Expr()
	case KindNullable:
		return t.Decl.Name
	case KindExternal:
		return t.Pkg[strings.LastIndex(t.Pkg, "/")+1:] + "." + t.Name
	case KindNamed:
		return t.Decl.Name
	}
	return t.Name
}

// ScalarKind is the kind of text form the values of a type have, as the
// runtime writes and reads parameters and headers: the emitter writes a
// path parameter of each kind with tpgenimpl's Format function of the kind.
type ScalarKind uint8

const (
	ScalarNone   ScalarKind = iota // no text form: written as JSON
	ScalarString                   // string, or an enum of strings
	ScalarInt                      // int, int32, int64
	ScalarFloat                    // float32, float64
	ScalarBool
	ScalarTime // time.Time
	ScalarDate // runtime.Date
)

// ScalarKind is the kind of text form values of t have; ScalarNone when t
// has none and is written as JSON.
func (t *Type) ScalarKind() ScalarKind {
	u := Underlying(t)
	if u.Kind == KindNamed && u.Decl.Kind == DeclEnum {
		u = u.Decl.EnumBase
	}
	switch {
	case u.Kind == KindBuiltin && u.Name == "string":
		return ScalarString
	case u.Kind == KindBuiltin && strings.HasPrefix(u.Name, "int"):
		return ScalarInt
	case u.Kind == KindBuiltin && strings.HasPrefix(u.Name, "float"):
		return ScalarFloat
	case u.Kind == KindBuiltin && u.Name == "bool":
		return ScalarBool
	case u.Kind == KindExternal && u.Pkg == "time":
		return ScalarTime
	case u.Kind == KindExternal && u.Name == "Date":
		return ScalarDate
	}
	return ScalarNone
}
