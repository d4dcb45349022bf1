package generator

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
	// inherits them (see security.go).
	Schemes  []SecurityScheme
	Security [][]string
	// AuthFrom says, by README row ("grant", "token URL", "issuer"), which
	// of the spec's schemes a setting services.yaml left out was taken from.
	AuthFrom map[string]string
	// Alerts are for every run: settings taken from the spec that decide
	// where secrets go or whom calls are made as, and operations left
	// without credentials.
	Alerts      []string
	Operations  []*Operation  // sorted by Go name
	Types       []*Decl       // sorted by Go name
	ErrorModels []*ErrorModel // constructors of declared error bodies, sorted by name
	Notes       []Note        // what could not be typed exactly, was ignored or chosen, for -v
	Repairs     []string      // what lenient mode repaired, each at its place (see lenient.go)
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
	Grant              string // a runtime Grant name: "", "none", "client_credentials", ...
	Scopes             []string
	Audiences          []string
	Resources          []string
	SubjectTokenType   string
	RequestedTokenType string
	ActorTokenEnv      string
	ActorTokenType     string
	APIKeyEnv          string // the key of every apiKey scheme; set when the spec has one
	ClientAuth         string // "", "basic", "post"
	MessageIDHeader    string
	TimeoutNanos       int64
	ValidateResponses  bool               // check decoded success bodies (runtime.WithResponseValidation)
	TokenStore         TokenStoreDefaults // defaults.token_store; zero when not written
}

// TokenStoreDefaults is services.yaml's token_store as the runtime takes it
// (runtime.TokenStoreConfig): secrets by the names of their variables.
type TokenStoreDefaults struct {
	Kind, Addr, Username, PasswordEnv string
	TLS                               bool
	KeyPrefix, EncryptionKeyEnv       string
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
	tString  = &Type{Kind: KindBuiltin, Name: "string"}
	tBool    = &Type{Kind: KindBuiltin, Name: "bool"}
	tInt     = &Type{Kind: KindBuiltin, Name: "int"}
	tInt32   = &Type{Kind: KindBuiltin, Name: "int32"}
	tInt64   = &Type{Kind: KindBuiltin, Name: "int64"}
	tFloat32 = &Type{Kind: KindBuiltin, Name: "float32"}
	tFloat64 = &Type{Kind: KindBuiltin, Name: "float64"}
	tAny     = &Type{Kind: KindBuiltin, Name: "any"}
	tBytes   = &Type{Kind: KindSlice, Elem: &Type{Kind: KindBuiltin, Name: "byte"}}
	tTime    = &Type{Kind: KindExternal, Pkg: "time", Name: "Time"}
	tDate    = &Type{Kind: KindExternal, Pkg: runtimePkg, Name: "Date"}
	tReader  = &Type{Kind: KindExternal, Pkg: "io", Name: "Reader"}
	tRC      = &Type{Kind: KindExternal, Pkg: "io", Name: "ReadCloser"}
	tFile    = &Type{Kind: KindExternal, Pkg: runtimePkg, Name: "File"}
)

func sliceOf(t *Type) *Type   { return &Type{Kind: KindSlice, Elem: t} }
func mapOf(t *Type) *Type     { return &Type{Kind: KindMap, Elem: t} }
func pointerTo(t *Type) *Type { return &Type{Kind: KindPointer, Elem: t} }
func named(d *Decl) *Type     { return &Type{Kind: KindNamed, Name: d.Name, Decl: d} }

// nilable reports whether the zero value of t is nil (no pointer needed to tell absent from zero).
func (t *Type) nilable() bool {
	for range maxNameChain {
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

// isStruct reports whether t is a declared struct (passed and returned by pointer).
func (t *Type) isStruct() bool {
	for range maxNameChain {
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

// maxNameChain bounds the walks down declared types that are other names
// (type A B): the typer never makes a circle of them (see namesOnly), and
// should it, the walks end rather than go round for ever. A chain is no
// longer than the typer's depth.
const maxNameChain = maxSchemaDepth + 1

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

// Decl is a named type declared in the generated package.
type Decl struct {
	Name       string
	Kind       DeclKind
	Doc        string
	Deprecated bool
	Source     string // where it comes from, e.g. "components/schemas/Pet"

	Fields     []*Field // DeclStruct
	Additional *Type    // DeclStruct: typed additionalProperties beside fixed fields, nil if none

	EnumBase   *Type // DeclEnum: string, int64, float64, bool
	EnumValues []*EnumValue

	Underlying *Type // DeclDefined; DeclNullable: the value's type
	// NewFunc and NullFunc are a DeclNullable's constructors: a value, null.
	NewFunc, NullFunc string
	Alias             bool // DeclDefined: written type X = Underlying
	// placeholder marks a DeclDefined made for a schema met again while it
	// was being built (recursion): what it stands for was not known yet.
	placeholder bool
	// parts is the chain of names the name is derived from (see names_derived.go).
	parts []string

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
	Doc              string
	Format           string // the schema's format when the Go type does not show it ("uuid", "email")
	Default          string // the schema's default as JSON; "" when it has none
	Deprecated       bool
	ReadOnly         bool
	WriteOnly        bool
}

// EnumValue is one constant of an enum.
type EnumValue struct {
	Name  string // Go constant name
	Value any    // string, int64, float64 or bool
	label string // the value as text, for naming
}

// Variant is one member of a union.
type Variant struct {
	Name           string // accessor suffix: AsName, FromName
	Type           *Type
	Discriminators []string // discriminator values that select this variant
}

// Operation is one API operation, one method of the client.
type Operation struct {
	Name        string // Go method name
	VarName     string // the unexported tpgenimpl.Operation variable
	ID          string // operationId (or the derived name) as the runtime reports it
	Method      string
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

	Grant     string     // runtime grant name set for this operation; "" inherits
	Scopes    []string   // nil inherits
	Security  [][]string // the spec's requirements of the operation; nil inherits the package's
	Audiences []string   // nil inherits
	Resources []string   // nil inherits

	// Paging is the operation's pagination from services.yaml (see
	// pagination.go); nil when it has none.
	Paging *Paging
}

// ParamStyle values are the runtime's Style constant names.
type Param struct {
	Name     string // Go name (argument or field)
	WireName string
	In       string // path, query, header, cookie
	Style    string // runtime Style constant: StyleSimple, StyleForm, ...
	Explode  bool
	Required bool
	Type     *Type // the field/argument type (optional ones are pointers or nil-able)
	Shape    ParamShape
	// Elem is the element type for lists, or the primitive type.
	Elem       *Type
	Fields     []*Field // ShapeObject: properties, in order
	Doc        string
	Deprecated bool

	listType *Type // ShapeList: the declared list type, possibly named
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
