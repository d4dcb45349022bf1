// Package envname names the environment variables that override a service's
// configuration at run time. The runtime reads them; the generator and the
// services.yaml loader name them in messages and READMEs: one definition for all.
package envname

import "strings"

// Prefix returns TPGEN_ and the service name in upper case with every
// character other than A-Z and 0-9 replaced by '_', and a final '_':
// orders-v2 -> TPGEN_ORDERS_V2_.
func Prefix(service string) string { return "TPGEN_" + Word(service) + "_" }

// Word returns s in upper case with every character other than A-Z and 0-9
// replaced by '_': how a service or security scheme name is written in a
// variable's name.
func Word(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Vars lists the suffixes of the variables Prefix introduces for every service.
var Vars = []string{"BASE_URL", "TOKEN_URL", "ISSUER", "CLIENT_ID", "CLIENT_SECRET", "GRANT", "SCOPES", "AUDIENCE", "RESOURCE",
	"ACTOR_TOKEN", "INSECURE_TOKEN_HOSTS", "TIMEOUT", "MAX_RESPONSE_BYTES", "VALIDATE_RESPONSES"}

// Credential variables of a spec's security schemes: the key of every apiKey
// scheme (APIKey), of one (APIKeyOf), HTTP basic and bearer credentials.
const (
	APIKey      = "API_KEY"
	Username    = "USERNAME"
	Password    = "PASSWORD"
	BearerToken = "BEARER_TOKEN"
)

// APIKeyOf is the suffix of the variable that holds the key of the apiKey
// scheme called scheme: API_KEY_ and the scheme's name as Word writes it.
func APIKeyOf(scheme string) string { return APIKey + "_" + Word(scheme) }

// TokenStore is the variable that names the kind of token store every
// service of a process uses (services.yaml's defaults.token_store.kind:
// memory or redis); TokenStore + "_" + each of TokenStoreVars sets the
// store's other settings. They are the process's, not one service's: a
// fleet shares one store.
const TokenStore = "TPGEN_TOKEN_STORE"

// TokenStoreVars lists the suffixes of the token store's variables.
var TokenStoreVars = []string{"ADDR", "USERNAME", "PASSWORD", "TLS", "KEY_PREFIX", "ENCRYPTION_KEY"}
