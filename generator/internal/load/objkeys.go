package load

// The keys of the OpenAPI objects tpgen reads: the auditor suggests from
// them, lenient mode converts components by them, the inspector finds
// operations by methodKeys.

// Known keys, for suggestions (what kin-openapi reads, Extensions aside).
var (
	OperationKeys = []string{"tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody", "responses", "callbacks", "deprecated", "security", "servers"}
	ParameterKeys = []string{"name", "in", "description", "required", "deprecated", "allowEmptyValue", "style", "explode", "allowReserved", "schema", "example", "examples", "content"}
	HeaderKeys    = []string{"description", "required", "deprecated", "allowEmptyValue", "style", "explode", "allowReserved", "schema", "example", "examples", "content"}
	BodyKeys      = []string{"description", "content", "required"}
	ResponseKeys  = []string{"description", "headers", "content", "links", "summary"}
	MediaKeys     = []string{"schema", "itemSchema", "example", "examples", "encoding"}
	SchemaKeys    = []string{"type", "format", "properties", "required", "items", "additionalProperties", "enum", "const", "nullable", "allOf", "anyOf", "oneOf", "not", "discriminator", "readOnly", "writeOnly", "default", "minimum", "maximum", "pattern", "minLength", "maxLength", "minItems", "maxItems", "description", "title", "example", "deprecated"}
	// Swagger2Types are the Swagger 2.0 fields that type a parameter or header
	// themselves; OpenAPI 3 has them under schema.
	Swagger2Types = []string{"type", "format", "items", "collectionFormat", "enum", "default", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf"}
	// DocKeys beside a $ref only document it: ignoring them changes no code.
	DocKeys = []string{"description", "summary", "title", "example", "examples", "externalDocs", "deprecated", "$comment"}
)

// MethodKeys are the path item keys of operations (OpenAPI 3.2 adds query).
var MethodKeys = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query", "connect"}
