package generator

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
)

// The runtime's tables are written in reading order, not in the sorted
// order jennifer gives a jen.Dict: an operation's ID, Method and Path first,
// then the rest in the order the runtime's struct declares its fields
// (TestFieldOrders checks that the lists below are those structs' fields).
// A key missing from a list comes after the listed ones, sorted.
var (
	operationFields      = []string{"ID", "Method", "Path", "Query", "Grant", "Scopes", "Audiences", "Resources", "Security", "Params", "RequestBody", "ContentType", "Accept", "Responses", "Result"}
	paramFields          = []string{"Name", "In", "Style", "Explode", "Shape", "Required"}
	responseSpecFields   = []string{"Code", "Class", "Success", "Body", "Target", "Model"}
	resultSpecFields     = []string{"Bodies", "Headers"}
	headerSpecFields     = []string{"Name", "Field", "List"}
	serviceConfigFields  = []string{"Name", "BaseURL", "TokenURL", "Issuer", "ClientID", "ClientIDEnv", "ClientSecretEnv", "Grant", "Scopes", "Audiences", "Resources", "SubjectTokenType", "RequestedTokenType", "ActorTokenEnv", "ActorTokenType", "ClientAuth", "APIKeyEnv", "Schemes", "Security", "MessageIDHeader", "Timeout", "TokenStore", "ValidateResponses"}
	securitySchemeFields = []string{"Name", "Kind", "In", "Param", "SecretEnv", "Username", "UsernameEnv"}
	tokenStoreFields     = []string{"Kind", "Addr", "Username", "PasswordEnv", "TLS", "KeyPrefix", "EncryptionKeyEnv"}
)

// inOrder renders d as a composite literal's braces and fields, in the
// order of the field names in order. Its keys are identifiers (jen.Id).
func inOrder(d jen.Dict, order []string) *jen.Statement {
	type field struct {
		rank int
		name string
		k, v jen.Code
	}
	fields := make([]field, 0, len(d))
	for k, v := range d {
		name := fmt.Sprintf("%#v", k) // the identifier's text
		rank := slices.Index(order, name)
		if rank < 0 {
			rank = len(order)
		}
		fields = append(fields, field{rank, name, k, v})
	}
	slices.SortFunc(fields, func(a, b field) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.name, b.name))
	})
	items := make([]jen.Code, len(fields))
	for i, f := range fields {
		items[i] = jen.Add(f.k).Op(":").Add(f.v)
	}
	if len(items) < 2 {
		return jen.Values(items...) // on one line, as jennifer writes a Dict of one
	}
	return jen.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, items...)
}
