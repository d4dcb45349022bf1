package jwt

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// FuzzJWTVerify: whatever the token, Verify neither panics nor accepts a
// token whose signed part is not one the key signed.
func FuzzJWTVerify(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	enc := base64.RawURLEncoding
	sign := func(header, claims string) string {
		input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
		sum := sha256.Sum256([]byte(input))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		return input + "." + enc.EncodeToString(sig)
	}
	valid := sign(`{"alg":"RS256","kid":"k1"}`, `{"iss":"https://issuer.test","aud":"shop","exp":4102444800,"sub":"alice"}`)
	signed := strings.Join(strings.Split(valid, ".")[:2], ".")
	f.Add(valid)
	f.Add(sign(`{"alg":"RS256","kid":"k1"}`, `{"iss":"https://issuer.test","aud":["shop"],"exp":1}`))
	f.Add(sign(`{"alg":"RS256"}`, `{"iss":"https://other.test","aud":"shop","exp":4102444800}`))
	f.Add(enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(`{"iss":"https://issuer.test","aud":"shop","exp":4102444800}`)) + ".")
	f.Add("a.b.c")
	f.Add("..")
	v := &Verifier{Issuer: "https://issuer.test", Audience: "shop",
		keys: []jwk{{kid: "k1", alg: "RS256", pub: &key.PublicKey}}, fetched: time.Now().Add(time.Hour)} // never fetched again
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := v.Verify(context.Background(), token)
		if err != nil {
			return
		}
		parts := strings.Split(token, ".")
		if parts[0]+"."+parts[1] != signed || claims["sub"] != "alice" {
			t.Fatalf("accepted %q (claims %v): not what the key signed", token, claims)
		}
	})
}
