package model

// Grant is how a call obtains credentials: a runtime Grant, named as
// services.yaml's auth.grant names it.
type Grant uint8

const (
	GrantUnset             Grant = iota // not set here: an operation inherits the service's, a service has none
	GrantNone                           // no credentials
	GrantClientCredentials              // the service's own identity
	GrantTokenExchange                  // RFC 8693 exchange of the caller's token
	GrantPassthrough                    // the caller's token, to the service's own host only
	GrantAuto                           // exchange a caller's token, else the service's own identity
)

// grantNames are the grants as services.yaml (and -grant) write them.
var grantNames = [...]string{"", "none", "client_credentials", "token_exchange", "passthrough", "auto"}

// String is the grant as services.yaml writes it; "" for GrantUnset.
func (g Grant) String() string { return nameOf(grantNames[:], g) }

// ParseGrant is the grant services.yaml names name; "" is GrantUnset, and
// false says name is no grant.
func ParseGrant(name string) (Grant, bool) { return parseName[Grant](grantNames[:], name) }

// NeedsEndpoint reports whether calls with g ask a token endpoint.
func (g Grant) NeedsEndpoint() bool {
	return g == GrantClientCredentials || g == GrantTokenExchange || g == GrantAuto
}
