// Package envname names the environment variables that override a service's
// configuration at run time. The runtime reads them; the generator and the
// services.yaml loader name them in messages and READMEs: one definition for all.
package envname

import "strings"

// Prefix returns TPGEN_ and the service name in upper case with every
// character other than A-Z and 0-9 replaced by '_', and a final '_':
// orders-v2 -> TPGEN_ORDERS_V2_.
func Prefix(service string) string {
	var b strings.Builder
	b.WriteString("TPGEN_")
	for _, r := range strings.ToUpper(service) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	b.WriteByte('_')
	return b.String()
}

// Vars lists the suffixes of the variables Prefix introduces.
var Vars = []string{"BASE_URL", "TOKEN_URL", "ISSUER", "CLIENT_ID", "CLIENT_SECRET", "GRANT", "SCOPES", "AUDIENCE", "RESOURCE", "TIMEOUT", "MAX_RESPONSE_BYTES", "VALIDATE_RESPONSES"}

// TokenStore is the variable that names the kind of token store every
// service of a process uses (services.yaml's defaults.token_store.kind:
// memory or redis); TokenStore + "_" + each of TokenStoreVars sets the
// store's other settings. They are the process's, not one service's: a
// fleet shares one store.
const TokenStore = "TPGEN_TOKEN_STORE"

// TokenStoreVars lists the suffixes of the token store's variables.
var TokenStoreVars = []string{"ADDR", "USERNAME", "PASSWORD", "TLS", "KEY_PREFIX", "ENCRYPTION_KEY"}
