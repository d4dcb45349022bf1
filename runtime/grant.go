package runtime

import (
	"fmt"
	"strings"
)

// Grant says how a call is authenticated.
type Grant uint8

const (
	// GrantInherit is the zero value: use the grant configured one level up
	// (operation -> service -> defaults). A service that resolves to
	// GrantInherit calls without authentication.
	GrantInherit Grant = iota
	// GrantNone sends no Authorization header.
	GrantNone
	// GrantClientCredentials obtains a token for the service's own identity (RFC 6749 §4.4).
	GrantClientCredentials
	// GrantTokenExchange exchanges the caller's token, taken from the context, for one
	// meant for the service (RFC 8693).
	GrantTokenExchange
	// GrantPassthrough forwards the caller's token unchanged, and only to the service's own host.
	GrantPassthrough
	// GrantAuto uses client credentials for work done for no caller (background
	// jobs) and for callers the application verified as systems (Caller), and
	// exchanges the caller's token otherwise; a caller without a token gets
	// ErrAnonymous unless Auth.Anonymous says otherwise. A claim in the caller's
	// token decides nothing: the runtime has not verified it.
	GrantAuto
)

var grantNames = [...]string{
	GrantInherit:           "",
	GrantNone:              "none",
	GrantClientCredentials: "client_credentials",
	GrantTokenExchange:     "token_exchange",
	GrantPassthrough:       "passthrough",
	GrantAuto:              "auto",
}

// grantList lists the spellings parseGrant accepts, in a stable order.
func grantList() []string {
	return []string{"none", "client_credentials", "token_exchange", "passthrough", "auto"}
}

// String returns the name used in services.yaml and environment variables.
func (g Grant) String() string {
	if int(g) < len(grantNames) {
		if g == GrantInherit {
			return "inherit"
		}
		return grantNames[g]
	}
	return fmt.Sprintf("Grant(%d)", g)
}

// parseGrant reads a grant as written in services.yaml or an environment variable.
func parseGrant(s string) (Grant, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for g, n := range grantNames {
		if n != "" && n == name {
			return Grant(g), nil
		}
	}
	return GrantInherit, fmt.Errorf("unknown grant %q (want one of %s)", s, strings.Join(grantList(), ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (g Grant) MarshalText() ([]byte, error) {
	if g == GrantInherit {
		return []byte{}, nil
	}
	if int(g) >= len(grantNames) {
		return nil, fmt.Errorf("invalid grant %d", g)
	}
	return []byte(grantNames[g]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (g *Grant) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*g = GrantInherit
		return nil
	}
	v, err := parseGrant(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// timingName is the short name used for the grant in Server-Timing entries.
func (g Grant) timingName() string {
	switch g {
	case GrantClientCredentials:
		return "auth-cc"
	case GrantTokenExchange:
		return "auth-tx"
	case GrantPassthrough:
		return "auth-pass"
	}
	return "auth"
}
