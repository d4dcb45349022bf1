// Package loopback tells whether a host name is this machine's, for the rules
// that let plain http through only to loopback (token endpoints at run time,
// base URLs at generation).
package loopback

import (
	"net"
	"strings"
)

// Is reports whether host (a URL's Hostname, without port or brackets) is
// localhost, a name under .localhost (RFC 6761 §6.3) or a loopback address.
func Is(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
