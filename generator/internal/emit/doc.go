// Package emit writes a generated client from the model: the client
// package's files (client.go, operations.go, types.go) and its model
// package's (models.go) with jennifer, rendered and formatted in parts on
// all cores, and the package README from the templates. It is a function of
// the model and of nothing else: it imports neither kin-openapi nor the
// loader (the layout test in package generator fails if it does), so no
// spec text reaches Go but through the model's fields.
package emit
