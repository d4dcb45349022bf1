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
