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

// TokenStoreKind is where the services of a process keep their tokens
// besides its memory, named as services.yaml's token_store.kind names it:
// the emitter writes it as the runtime's word for it.
type TokenStoreKind uint8

const (
	StoreUnset  TokenStoreKind = iota // no token_store written
	StoreMemory                       // each process keeps its own tokens
	StoreRedis                        // a Redis server the fleet shares
)

// tokenStoreNames are the kinds of token store as services.yaml writes them.
var tokenStoreNames = [...]string{"", "memory", "redis"}

// String is the kind as services.yaml writes it; "" for StoreUnset.
func (k TokenStoreKind) String() string { return nameOf(tokenStoreNames[:], k) }

// ParseTokenStoreKind is the kind of token store services.yaml's
// token_store.kind names; "" is StoreUnset, and false says name is none.
func ParseTokenStoreKind(name string) (TokenStoreKind, bool) {
	return parseName[TokenStoreKind](tokenStoreNames[:], name)
}
