package runtime

import (
	"crypto/rand"
	"encoding/base64"
)

// DefaultMessageIDHeader is the header that carries the message id unless
// WithMessageIDHeader says otherwise.
const DefaultMessageIDHeader = "X-Message-Id"

// NewMessageID returns a fresh message id: 128 random bits, base64url without
// padding (22 characters).
func NewMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validMessageID reports whether an incoming id may be adopted: printable ASCII
// without spaces, at most 128 bytes. Anything else is replaced, so that a caller
// cannot inject header or log content.
func validMessageID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
