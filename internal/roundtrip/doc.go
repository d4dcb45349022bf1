// Package roundtrip holds the round-trip tests of generated clients: one
// client per spec in specs/ (every parameter location, style and explode;
// unions and nullables), generated into gen/ from services.yaml, called
// against servers that validate every request with kin-openapi's
// openapi3filter. Regenerate with go run ./cmd/tpgen -config internal/roundtrip/services.yaml.
package roundtrip
