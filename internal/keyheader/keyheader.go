// Package keyheader says which headers an apiKey security scheme may carry
// its key in. The runtime refuses the others when a client is built; the
// generator refuses them at the spec's scheme: one list for both.
package keyheader

import (
	"net/http"
	"slices"
)

// reserved are headers that net/http or the runtime set themselves, or that
// would carry a key elsewhere than to the service (a proxy).
var reserved = []string{"Host", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding",
	"Connection", "Keep-Alive", "Te", "Trailer", "Upgrade", "Cookie", "Accept-Encoding", "Proxy-Authorization",
	"Proxy-Connection", "Tp-Diag"}

// Reserved reports whether name (any case) is a header a key cannot be
// sent in: one of HTTP's or the runtime's own, or messageID, the header
// that carries message ids.
func Reserved(name, messageID string) bool {
	h := http.CanonicalHeaderKey(name)
	return slices.Contains(reserved, h) || h == http.CanonicalHeaderKey(messageID)
}
