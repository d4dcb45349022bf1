package runtime

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
)

// NewMessageID returns a fresh message id: 128 random bits, base64url without
// padding (22 characters). The bits come from math/rand/v2's generator
// (ChaCha8, seeded by the operating system), which is fast enough for every
// call: a message id must be unique, not secret.
func NewMessageID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var out [22]byte
	base64.RawURLEncoding.Encode(out[:], b[:])
	return string(out[:])
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
