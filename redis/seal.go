package redis

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
)

// MinKeyLen is the least key material Config.EncryptionKey may hold.
const MinKeyLen = 32

// sealer encrypts tokens for Redis and names the keys they are kept under:
// from the operator's key material it derives, with HKDF-SHA256, an
// AES-256-GCM key for the values and an HMAC-SHA256 key for the names. A
// name is the HMAC of the cache key, so that someone who can read Redis
// cannot tell the service, client, scopes or user of an entry, nor confirm a
// guess (hashing a subject token they hold and looking for it).
type sealer struct {
	aead cipher.AEAD
	mac  []byte
}

func newSealer(material []byte) (*sealer, error) {
	if len(material) < MinKeyLen {
		return nil, fmt.Errorf("the encryption key has %d bytes; it needs at least %d of random key material (openssl rand -base64 32)", len(material), MinKeyLen)
	}
	encKey, err := hkdf.Key(sha256.New, material, nil, "tpgen token store v1: AES-256-GCM", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Key(sha256.New, material, nil, "tpgen token store v1: HMAC-SHA256 names", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, mac: macKey}, nil
}

// ParseKey decodes an encryption key as an operator writes it into an
// environment variable: base64 (standard or URL alphabet, padded or not) of
// at least MinKeyLen bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < MinKeyLen {
				return nil, fmt.Errorf("the encryption key decodes to %d bytes; it needs at least %d (openssl rand -base64 32)", len(b), MinKeyLen)
			}
			return b, nil
		}
	}
	// Not quoted: it is a secret.
	return nil, errors.New("the encryption key is not base64 (make one with openssl rand -base64 32)")
}

// names are the Redis keys of one cache key: its token and its lease.
type names struct{ token, lease string }

// name derives the Redis keys of cache key k under prefix.
func (s *sealer) names(prefix, k string) names {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(k))
	id := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return names{token: prefix + "t:" + id, lease: prefix + "l:" + id}
}

// Values are: version (1 byte), fingerprint (fpLen), nonce, ciphertext.
// The fingerprint tells one token from another without decrypting (for a
// compare-and-delete in Redis); it is an HMAC of the access token, so it
// confirms no guess either. Name and fingerprint are bound to the
// ciphertext as associated data: a value copied to another key does not
// open there.
const (
	valueVersion = 1
	fpLen        = 16
	headerLen    = 1 + fpLen
)

// sealed is a token as it is kept: JSON of the fields that matter.
type sealed struct {
	AccessToken     string    `json:"a"`
	TokenType       string    `json:"t,omitempty"`
	IssuedTokenType string    `json:"i,omitempty"`
	Scope           string    `json:"s,omitempty"`
	Obtained        time.Time `json:"o"`
	Expiry          time.Time `json:"e"`
}

// fingerprint returns the header of the value that holds t.
func (s *sealer) header(t *token.Token) []byte {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte("fingerprint\x00"))
	m.Write([]byte(t.AccessToken))
	h := make([]byte, 1, headerLen)
	h[0] = valueVersion
	return m.Sum(h)[:headerLen]
}

// seal returns the value that keeps t under name.
func (s *sealer) seal(name string, t *token.Token) ([]byte, error) {
	plain, err := json.Marshal(sealed{t.AccessToken, t.TokenType, t.IssuedTokenType, t.Scope, t.Obtained, t.Expiry})
	if err != nil {
		return nil, err
	}
	hdr := s.header(t)
	out := make([]byte, headerLen, headerLen+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	copy(out, hdr)
	nonce := out[headerLen : headerLen+s.aead.NonceSize()]
	out = out[:headerLen+s.aead.NonceSize()]
	rand.Read(nonce)
	return s.aead.Seal(out, nonce, plain, s.ad(name, hdr)), nil
}

// errOpen is any value that does not open: another key, tampered, truncated,
// another version. Which of them is not told apart, by design of the AEAD.
var errOpen = errors.New("the value does not decrypt with this store's key (another key, or changed)")

// open returns the token a value under name holds.
func (s *sealer) open(name string, v []byte) (*token.Token, error) {
	ns := s.aead.NonceSize()
	if len(v) < headerLen+ns+s.aead.Overhead() || v[0] != valueVersion {
		return nil, errOpen
	}
	plain, err := s.aead.Open(nil, v[headerLen:headerLen+ns], v[headerLen+ns:], s.ad(name, v[:headerLen]))
	if err != nil {
		return nil, errOpen
	}
	var f sealed
	if err := json.Unmarshal(plain, &f); err != nil || f.AccessToken == "" {
		return nil, errOpen
	}
	return &token.Token{AccessToken: f.AccessToken, TokenType: f.TokenType, IssuedTokenType: f.IssuedTokenType,
		Scope: f.Scope, Obtained: f.Obtained, Expiry: f.Expiry}, nil
}

// ad is the associated data of a value: the key it is kept under and its header.
func (s *sealer) ad(name string, hdr []byte) []byte {
	ad := make([]byte, 0, len(name)+1+len(hdr))
	ad = append(ad, name...)
	ad = append(ad, 0)
	return append(ad, hdr...)
}
