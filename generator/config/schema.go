package config

import _ "embed"

// Schema is a JSON Schema (draft 2020-12) of services.yaml for editors:
// completion and help for every key, and the checks a schema can express.
// Load checks more (that specs exist, ${VAR} syntax in client_id, collisions
// between services), so a file the schema accepts may still be refused.
//
//go:embed services.schema.json
var Schema []byte
