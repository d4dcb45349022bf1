package model

// ClientAuth is how a client authenticates itself at the token endpoint,
// named as services.yaml's auth.client_auth names it: the emitter writes it
// as the token package's constant.
type ClientAuth uint8

const (
	ClientAuthUnset ClientAuth = iota // not written: the runtime's default (the issuer's metadata decides, else HTTP Basic)
	ClientAuthBasic                   // the client id and secret with HTTP Basic
	ClientAuthPost                    // the client id and secret as form fields
)

// clientAuthNames are the client authentications as services.yaml writes them.
var clientAuthNames = [...]string{"", "basic", "post"}

// String is the client authentication as services.yaml writes it; "" for ClientAuthUnset.
func (c ClientAuth) String() string { return nameOf(clientAuthNames[:], c) }

// ParseClientAuth is the client authentication services.yaml's
// auth.client_auth names; "" is ClientAuthUnset, and false says name is none.
func ParseClientAuth(name string) (ClientAuth, bool) {
	return parseName[ClientAuth](clientAuthNames[:], name)
}
