package emit

import (
	"cmp"
	"slices"

	"github.com/dave/jennifer/jen"
)

// The runtime's tables are written in reading order, not in the sorted
// order jennifer gives a jen.Dict: an operation's ID, Method and Path first,
// then the rest in the order the runtime's struct declares its fields
// (TestFieldOrders checks that the lists below are those structs' fields).
// A field missing from a list comes after the listed ones, sorted.
var (
	operationFields      = []string{"ID", "Method", "Path", "Query", "Grant", "Scopes", "Audiences", "Resources", "Security", "Params", "RequestBody", "ContentType", "Accept", "Responses", "Result", "Paging"}
	pagingFields         = []string{"Items", "Next", "Header", "Field", "Param", "Size", "First", "HasMore", "Total"}
	paramFields          = []string{"Name", "In", "Style", "Explode", "Shape", "Required"}
	responseSpecFields   = []string{"Code", "Class", "Success", "Body", "Target", "Model"}
	resultSpecFields     = []string{"Bodies", "Headers"}
	headerSpecFields     = []string{"Name", "Field", "List"}
	serviceConfigFields  = []string{"Name", "BaseURL", "TokenURL", "Issuer", "ClientID", "ClientIDEnv", "ClientSecretEnv", "Grant", "Scopes", "Audiences", "Resources", "SubjectTokenType", "RequestedTokenType", "ActorTokenEnv", "ActorTokenType", "ClientAuth", "APIKeyEnv", "Schemes", "Security", "MessageIDHeader", "Timeout", "TokenStore", "ValidateResponses"}
	securitySchemeFields = []string{"Name", "Kind", "In", "Param", "SecretEnv", "Username", "UsernameEnv"}
	tokenStoreFields     = []string{"Kind", "Addr", "Username", "PasswordEnv", "TLS", "KeyPrefix", "EncryptionKeyEnv"}
)

// fieldValues are the fields of a composite literal by name, for inOrder.
// (A jen.Dict would do, but its keys are code: their names would have to be
// rendered, and gofmt-ed, to be ordered.)
type fieldValues map[string]jen.Code

// inOrder renders d as a composite literal's braces and fields, in the
// order of the field names in order.
func inOrder(d fieldValues, order []string) *jen.Statement {
	names := make([]string, 0, len(d))
	for name := range d {
		names = append(names, name)
	}
	rank := func(name string) int {
		if i := slices.Index(order, name); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
	})
	items := make([]jen.Code, len(names))
	for i, name := range names {
		items[i] = jen.Id(name).Op(":").Add(d[name])
	}
	if len(items) < 2 {
		return jen.Values(items...) // on one line, as jennifer writes a Dict of one
	}
	return jen.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, items...)
}
