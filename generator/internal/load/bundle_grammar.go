package load

import "strings"

// The parts of the OpenAPI 3 grammar the bundler needs: which objects hold
// which, and where a $ref may stand. Values that are data (examples,
// defaults, enums, extensions) are not walked: a $ref in them is text.

// kind is the kind of OpenAPI object a node is read as.
type kind int

const (
	kNone kind = iota
	kDoc
	kComponents
	kPathItem
	kOperation
	kParameter
	kHeader
	kRequestBody
	kResponse
	kMediaType
	kEncoding
	kSchema
	kExample
	kLink
	kCallback
	kSecurityScheme
	kInfo
	kTag
	kExternalDocs
	kServer
	kServerVariable
)

// shape says how a key's value holds objects of its kind.
type shape int

const (
	shapeOne       shape = iota
	shapeMap             // a mapping of objects (extensions, x-..., left alone except in schemas)
	shapeList            // a list of objects
	shapeOneOrList       // items: a schema, or (older JSON Schema) a list of them
)

type child struct {
	kind  kind
	shape shape
}

var (
	operationChild = child{kOperation, shapeOne}
	schemaChild    = child{kSchema, shapeOne}
	schemaMap      = child{kSchema, shapeMap}
	schemaList     = child{kSchema, shapeList}
	headerMap      = child{kHeader, shapeMap}
	mediaMap       = child{kMediaType, shapeMap}
	exampleMap     = child{kExample, shapeMap}
	parameterList  = child{kParameter, shapeList}
	// Objects that only document the API: walked for what documentation.go tolerates.
	externalDocsChild = child{kExternalDocs, shapeOne}
	serverList        = child{kServer, shapeList}
)

// children lists, per kind, the keys whose values are objects to walk.
// Every key of a callback is a path item (see walkObject).
var children = map[kind]map[string]child{
	kDoc: {
		"paths": {kPathItem, shapeMap}, "webhooks": {kPathItem, shapeMap}, "components": {kComponents, shapeOne},
		"info": {kInfo, shapeOne}, "tags": {kTag, shapeList}, "externalDocs": externalDocsChild, "servers": serverList,
	},
	kComponents: {
		"schemas": schemaMap, "responses": {kResponse, shapeMap}, "parameters": {kParameter, shapeMap},
		"examples": exampleMap, "requestBodies": {kRequestBody, shapeMap}, "headers": headerMap,
		"securitySchemes": {kSecurityScheme, shapeMap}, "links": {kLink, shapeMap}, "callbacks": {kCallback, shapeMap},
		"pathItems": {kPathItem, shapeMap},
	},
	kPathItem: {
		"parameters": parameterList, "get": operationChild, "put": operationChild, "post": operationChild,
		"delete": operationChild, "options": operationChild, "head": operationChild, "patch": operationChild,
		"trace": operationChild, "query": operationChild, "additionalOperations": {kOperation, shapeMap},
		"servers": serverList,
	},
	kOperation: {
		"parameters": parameterList, "requestBody": {kRequestBody, shapeOne}, "responses": {kResponse, shapeMap},
		"callbacks": {kCallback, shapeMap}, "externalDocs": externalDocsChild, "servers": serverList,
	},
	kParameter:   {"schema": schemaChild, "content": mediaMap, "examples": exampleMap},
	kHeader:      {"schema": schemaChild, "content": mediaMap, "examples": exampleMap},
	kRequestBody: {"content": mediaMap},
	kResponse:    {"headers": headerMap, "content": mediaMap, "links": {kLink, shapeMap}},
	kMediaType:   {"schema": schemaChild, "itemSchema": schemaChild, "examples": exampleMap, "encoding": {kEncoding, shapeMap}},
	kEncoding:    {"headers": headerMap},
	kLink:        {"server": {kServer, shapeOne}},
	kTag:         {"externalDocs": externalDocsChild},
	kServer:      {"variables": {kServerVariable, shapeMap}},
	kSchema: {
		"properties": schemaMap, "patternProperties": schemaMap, "$defs": schemaMap, "definitions": schemaMap,
		"dependentSchemas": schemaMap, "items": {kSchema, shapeOneOrList}, "additionalProperties": schemaChild,
		"additionalItems": schemaChild, "not": schemaChild, "if": schemaChild, "then": schemaChild,
		"else": schemaChild, "contains": schemaChild, "propertyNames": schemaChild, "unevaluatedItems": schemaChild,
		"unevaluatedProperties": schemaChild, "contentSchema": schemaChild,
		"allOf": schemaList, "anyOf": schemaList, "oneOf": schemaList, "prefixItems": schemaList,
		"externalDocs": externalDocsChild,
	},
}

// sections are the components sections objects referenced from other files
// are gathered in, one object per referenced target. Path items and
// operations are written out where they are referenced instead (see inline).
var sections = map[kind]string{
	kSchema: "schemas", kParameter: "parameters", kHeader: "headers", kRequestBody: "requestBodies",
	kResponse: "responses", kExample: "examples", kLink: "links", kCallback: "callbacks",
	kSecurityScheme: "securitySchemes",
}

// kindOfSection is the kind of the objects of a components section.
func kindOfSection(section string) kind {
	for k, s := range sections {
		if s == section {
			return k
		}
	}
	return kNone
}

// refersHere reports whether a $ref in an object of kind k refers to an
// object of that kind: the grammar allows one there. (Elsewhere it is a key
// the object does not have, which kin-openapi keeps or words.)
func refersHere(k kind) bool {
	_, placed := sections[k]
	return placed || k == kPathItem || k == kOperation
}

// childOf returns how the value at key of an object of kind k is walked.
func childOf(k kind, key string) (child, bool) {
	if k == kCallback {
		// A callback's keys are runtime expressions, each a path item.
		return child{kPathItem, shapeOne}, !strings.HasPrefix(key, "x-")
	}
	c, ok := children[k][key]
	return c, ok
}

// namedMaps are the keys under which a name is the name of the object below
// it: a pointer ending in one (#/components/schemas/Pet, #/definitions/Pet)
// names its target.
var namedMaps = map[string]bool{
	"schemas": true, "definitions": true, "$defs": true, "parameters": true, "responses": true,
	"requestBodies": true, "headers": true, "examples": true, "links": true, "callbacks": true,
	"securitySchemes": true, "pathItems": true,
}

// containerKeys are pointer segments that only say where in a schema or
// document an object is, not what it is called.
var containerKeys = map[string]bool{
	"components": true, "properties": true, "items": true, "allOf": true, "anyOf": true, "oneOf": true,
	"additionalProperties": true, "patternProperties": true, "prefixItems": true, "not": true,
	"content": true, "schema": true,
}
