package jwt_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/runtime/jwt"
)

// signJWT makes a compact JWS of header and claims with sign.
func signJWT(t testing.TB, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	return input + "." + enc.EncodeToString(sign([]byte(input)))
}

func rs256(key *rsa.PrivateKey) func([]byte) []byte {
	return func(input []byte) []byte {
		sum := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			panic(err)
		}
		return sig
	}
}

// providerKey returns the kid and modulus of the provider's signing key, as its JWKS publishes them.
func providerKey(t testing.TB, auth *authserver.Server) (kid string, n []byte) {
	t.Helper()
	resp, err := http.Get(auth.Issuer() + authserver.KeysPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct{ Keys []struct{ Kid, N string } }
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("provider JWKS: %v", err)
	}
	n, _ = base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	return set.Keys[0].Kid, n
}

// TestJWTVerifier: tokens the provider signed verify, against its JWKS found
// by discovery; each forgery, and each token for another audience, issuer or
// time, is refused with a reason that does not quote the token.
func TestJWTVerifier(t *testing.T) {
	auth := startProvider(t)
	kid, modulus := providerKey(t, auth)
	v := &jwt.Verifier{Issuer: auth.Issuer(), Audience: "caller", System: jwt.ClaimIs("userType", "system")}
	alice := user(t, auth, "alice", nil)
	system := user(t, auth, "nightly", map[string]any{"userType": "system"})
	ctx := context.Background()
	claims, err := v.Verify(ctx, alice)
	if err != nil || claims["sub"] != "alice" {
		t.Fatalf("a real token: %v %v", claims, err)
	}
	for tok, want := range map[string]bool{alice: false, system: true} {
		c, err := v.VerifyCaller(httptest.NewRequest("GET", "/", nil), tok)
		if err != nil || c.System != want {
			t.Errorf("VerifyCaller: %+v %v, want System %v", c, err, want)
		}
	}
	if c, err := v.VerifyCaller(httptest.NewRequest("GET", "/", nil), ""); err != nil || c.System {
		t.Errorf("no token: %+v %v, want an anonymous caller", c, err)
	}

	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	exp := time.Now().Add(time.Hour).Unix()
	forgedClaims := map[string]any{"iss": auth.Issuer(), "sub": "admin", "aud": "caller", "exp": exp, "userType": "system"}
	parts := strings.Split(system, ".")
	forged := map[string]struct{ token, reason string }{
		"alg none":                      {forgeUnsigned(t, forgedClaims), "alg"},
		"alg none, signature kept":      {strings.TrimSuffix(forgeUnsigned(t, forgedClaims), ".") + "." + parts[2], "alg"},
		"real signature, other payload": {parts[0] + "." + strings.Split(forgeUnsigned(t, forgedClaims), ".")[1] + "." + parts[2], "signature"},
		"HS256 keyed with the public key": {signJWT(t, map[string]any{"alg": "HS256", "kid": kid}, forgedClaims, func(in []byte) []byte {
			m := hmac.New(sha256.New, modulus)
			m.Write(in)
			return m.Sum(nil)
		}), "alg"},
		"another key, the provider's kid": {signJWT(t, map[string]any{"alg": "RS256", "kid": kid}, forgedClaims, rs256(other)), "signature"},
		"another key, no kid":             {signJWT(t, map[string]any{"alg": "RS256"}, forgedClaims, rs256(other)), "signature"},
		"ES256 header on an RSA key":      {signJWT(t, map[string]any{"alg": "ES256", "kid": kid}, forgedClaims, rs256(other)), "key"},
		"critical extension":              {signJWT(t, map[string]any{"alg": "RS256", "kid": kid, "crit": []string{"x"}}, forgedClaims, rs256(other)), "critical"},
		"four parts":                      {system + ".x", "compact"},
		"padded base64":                   {parts[0] + "=." + parts[1] + "." + parts[2], "base64"},
		"too long":                        {strings.Repeat("a", 20000), "longer"},
	}
	for name, f := range forged {
		_, err := v.Verify(ctx, f.token)
		if err == nil || !strings.Contains(err.Error(), f.reason) {
			t.Errorf("%s: %v, want an error about %q", name, err, f.reason)
		}
		if err != nil && len(f.token) > 20 && strings.Contains(err.Error(), f.token[len(f.token)-20:]) {
			t.Errorf("%s: the error quotes the token", name)
		}
	}
	refuse := func(name string, v *jwt.Verifier, tok, reason string) {
		t.Helper()
		if _, err := v.Verify(ctx, tok); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: %v, want an error about %q", name, err, reason)
		}
	}
	refuse("another audience", &jwt.Verifier{Issuer: auth.Issuer(), Audience: "orders-api"}, alice, "audience")
	refuse("expired", &jwt.Verifier{Issuer: auth.Issuer(), Audience: "caller", Now: func() time.Time { return time.Now().Add(time.Hour) }}, alice, "expired")
	refuse("not yet valid", &jwt.Verifier{Issuer: auth.Issuer(), Audience: "caller", Now: func() time.Time { return time.Now().Add(-time.Hour) }}, alice, "not valid yet")
	refuse("issuer written otherwise", &jwt.Verifier{Issuer: auth.Issuer() + "/", Audience: "caller"}, alice, "names issuer")
	refuse("no audience configured", &jwt.Verifier{Issuer: auth.Issuer()}, alice, "Audience")
	refuse("plain-http key set elsewhere", &jwt.Verifier{Issuer: auth.Issuer(), Audience: "caller", JWKSURL: "http://keys.example.test/jwks"}, alice, "not https")

	// Unknown kids cannot make every request a key set request.
	keys := auth.KeysRequests()
	for i := range 50 {
		tok := signJWT(t, map[string]any{"alg": "RS256", "kid": "unknown-" + randomHex(4)}, forgedClaims, rs256(other))
		if _, err := v.Verify(ctx, tok); err == nil {
			t.Fatalf("token %d with an unknown kid verified", i)
		}
	}
	if got := auth.KeysRequests() - keys; got > 1 {
		t.Errorf("50 unknown kids fetched the key set %d times, want at most 1", got)
	}
	t.Logf("key set fetched %d times in all", auth.KeysRequests())
}

// TestJWTVerifierES256: an issuer with a P-256 key and tokens without kid.
func TestJWTVerifierES256(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	pub, _ := key.PublicKey.Bytes() // 0x04 || x || y
	enc := base64.RawURLEncoding
	var srv *httptest.Server
	var weakOnly atomic.Bool
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
		case "/jwks":
			if weakOnly.Load() {
				json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]string{"kty": "RSA", "n": enc.EncodeToString(weak.N.Bytes()), "e": "AQAB"}}})
				return
			}
			io.WriteString(w, `{"keys":[{"kty":"EC","crv":"P-256","use":"sig","x":"`+enc.EncodeToString(pub[1:33])+`","y":"`+enc.EncodeToString(pub[33:])+`"},`+
				`{"kty":"EC","crv":"P-256","use":"enc","x":"AAAA","y":"AAAA"}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	claims := map[string]any{"iss": srv.URL, "aud": []string{"x", "shop"}, "exp": time.Now().Add(time.Minute).Unix(), "sub": "job"}
	good, _ := signES256(key, claims)
	bad, _ := signES256(other, claims)
	v := &jwt.Verifier{Issuer: srv.URL, Audience: "shop"}
	if c, err := v.Verify(context.Background(), good); err != nil || c["sub"] != "job" {
		t.Errorf("ES256: %v %v", c, err)
	}
	if _, err := v.Verify(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("ES256 by another key: %v", err)
	}
	weakOnly.Store(true)
	v2 := &jwt.Verifier{Issuer: srv.URL, Audience: "shop"}
	if _, err := v2.Verify(context.Background(), signJWT(t, map[string]any{"alg": "RS256"}, claims, rs256(weak))); err == nil || !strings.Contains(err.Error(), "2048") {
		t.Errorf("a key set with a 1024-bit RSA key only: %v", err)
	}
}

// The tests' own tokens: a real provider's, and forgeries.

func startProvider(t testing.TB) *authserver.Server {
	t.Helper()
	a, err := authserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// user mints a caller's token at the provider.
func user(t testing.TB, auth *authserver.Server, sub string, extra map[string]any) string {
	t.Helper()
	tok, err := auth.IssueToken(sub, extra)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// forgeUnsigned makes a JWT with alg "none" and no signature: anyone can write one.
func forgeUnsigned(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// signES256 makes a compact JWS (ES256) of claims.
func signES256(key *ecdsa.PrivateKey, claims map[string]any) (string, error) {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"JWT"}`))
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := head + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
