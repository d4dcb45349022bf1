// Package jwt verifies the JWT bearer tokens of incoming requests against the
// keys their issuer publishes, for runtime.Middleware: a Verifier's
// VerifyCaller is a MiddlewareConfig.VerifyCaller. It uses the standard
// library only and accepts RS256 (2048-bit keys or more) and ES256 signatures,
// never "none" or HMAC.
//
//	callers := &jwt.Verifier{Issuer: "https://auth.example.com", Audience: "shop-api",
//		System: jwt.ClaimIs("userType", "system")}
//	http.ListenAndServe(":8080", runtime.Middleware(mux, runtime.MiddlewareConfig{VerifyCaller: callers.VerifyCaller}))
package jwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/internal/loopback"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redirect"
	"golang.org/x/sync/singleflight"
)

// Verifier checks JWT bearer tokens with the keys their issuer publishes
// (its JWKS, found by OIDC discovery): the signature (RS256 or ES256; nothing
// else, "none" least of all), the issuer, the audience, expiry and not-before.
// VerifyCaller makes it a verifier for runtime.MiddlewareConfig.VerifyCaller.
// Set Issuer and Audience; the rest has defaults. Safe for concurrent use:
// keep one per issuer and audience.
type Verifier struct {
	// Issuer is what tokens must name in iss, exactly, and the issuer whose
	// discovery document (Issuer/.well-known/openid-configuration, which must
	// name the same issuer) gives the key set's URL.
	Issuer string
	// Audience must be among the token's aud values: a token meant for another
	// service proves nothing here.
	Audience string
	// System tells, from a verified token's claims, whether its caller is a
	// system (see runtime.Caller); nil: every caller is a user. ClaimIs makes one.
	System func(claims map[string]any) bool
	// JWKSURL is the key set's URL; found by discovery when empty. It must be
	// https, or plain http on loopback.
	JWKSURL string
	// HTTPClient fetches discovery and keys (following redirects within an
	// origin only); http.DefaultClient when nil.
	HTTPClient *http.Client
	// Leeway is the clock skew allowed on exp and nbf; 30 seconds when zero.
	Leeway time.Duration
	// Now is the clock tokens are judged by; time.Now when nil.
	Now func() time.Time

	mu      sync.Mutex
	keys    []jwk
	fetched time.Time // when keys were fetched; zero: never
	flight  singleflight.Group
}

// Bounds on what callers and the key set may make the verifier do.
const (
	maxJWT        = 16 << 10    // bytes of a token
	maxJWKS       = 100         // keys kept from a key set
	jwksRefetch   = time.Minute // an unknown kid fetches the key set at most this often
	jwksMaxAge    = time.Hour   // keys older than this are fetched again on next need
	defaultLeeway = 30 * time.Second
	fetchTimeout  = 15 * time.Second // for discovery and the key set, however long the caller waits
	maxDoc        = 1 << 20          // bytes of a discovery document or key set
)

type jwk struct {
	kid string
	alg string // RS256 or ES256
	pub crypto.PublicKey
}

// ClaimIs returns a test for Verifier.System that holds when the verified
// claim name is value, or is a list holding value (roles: ["system"]).
func ClaimIs(name, value string) func(claims map[string]any) bool {
	return func(claims map[string]any) bool {
		switch v := claims[name].(type) {
		case string:
			return v == value
		case []any:
			return slices.Contains(v, any(value))
		}
		return false
	}
}

// VerifyCaller verifies token and tells who the caller is, for
// runtime.MiddlewareConfig.VerifyCaller: no token is an anonymous caller
// (runtime.Caller{}, no error), a token that does not verify an error
// (Middleware answers 401).
func (v *Verifier) VerifyCaller(r *http.Request, token string) (runtime.Caller, error) {
	if token == "" {
		return runtime.Caller{}, nil
	}
	claims, err := v.Verify(r.Context(), token)
	if err != nil {
		return runtime.Caller{}, err
	}
	return runtime.Caller{System: v.System != nil && v.System(claims)}, nil
}

// Verify checks token and returns its claims. Errors never quote the token.
func (v *Verifier) Verify(ctx context.Context, token string) (map[string]any, error) {
	if v.Issuer == "" || v.Audience == "" {
		return nil, errors.New("jwt.Verifier: set Issuer and Audience")
	}
	if len(token) > maxJWT {
		return nil, fmt.Errorf("jwt: token longer than %d bytes", maxJWT)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("jwt: not a compact JWS (three dot-separated parts)")
	}
	enc := base64.RawURLEncoding.Strict()
	rawHead, err1 := enc.DecodeString(parts[0])
	payload, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, errors.New("jwt: a part is not unpadded base64url")
	}
	var head struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	if json.Unmarshal(rawHead, &head) != nil {
		return nil, errors.New("jwt: the header is not a JSON object")
	}
	if head.Alg != "RS256" && head.Alg != "ES256" {
		return nil, fmt.Errorf("jwt: alg %q is not accepted (RS256 and ES256 are)", quote.Truncate(head.Alg, 20))
	}
	if head.Crit != nil {
		return nil, errors.New("jwt: critical header extensions are not understood")
	}
	key, err := v.key(ctx, head.Kid, head.Alg)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !verifySignature(key, sum[:], sig) {
		return nil, errors.New("jwt: the signature does not verify")
	}
	return v.checkClaims(payload)
}

func verifySignature(key jwk, sum, sig []byte) bool {
	switch pub := key.pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum, sig) == nil
	case *ecdsa.PublicKey:
		if len(sig) != 64 { // JWS ES256: r and s, 32 bytes each (RFC 7518 §3.4)
			return false
		}
		return ecdsa.Verify(pub, sum, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	}
	return false
}

// checkClaims checks issuer, audience and time of a payload whose signature verified.
func (v *Verifier) checkClaims(payload []byte) (map[string]any, error) {
	var claims map[string]any
	var reg struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
		Exp *json.Number    `json:"exp"`
		Nbf *json.Number    `json:"nbf"`
	}
	if json.Unmarshal(payload, &claims) != nil || json.Unmarshal(payload, &reg) != nil {
		return nil, errors.New("jwt: the claims are not a JSON object with the registered claims' types")
	}
	if reg.Iss != v.Issuer {
		return nil, fmt.Errorf("jwt: issuer %q is not %q", quote.Truncate(reg.Iss, 100), v.Issuer)
	}
	var aud []string
	if json.Unmarshal(reg.Aud, &aud) != nil {
		var one string
		if json.Unmarshal(reg.Aud, &one) != nil {
			return nil, errors.New("jwt: aud is neither a string nor a list of strings")
		}
		aud = []string{one}
	}
	if !slices.Contains(aud, v.Audience) {
		return nil, fmt.Errorf("jwt: the token is not meant for audience %q", v.Audience)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	leeway := v.Leeway
	if leeway == 0 {
		leeway = defaultLeeway
	}
	t := float64(now().Unix())
	exp, ok := seconds(reg.Exp)
	if !ok {
		return nil, errors.New("jwt: no valid exp")
	}
	if t > exp+leeway.Seconds() {
		return nil, errors.New("jwt: the token has expired")
	}
	if reg.Nbf != nil {
		nbf, ok := seconds(reg.Nbf)
		if !ok || t < nbf-leeway.Seconds() {
			return nil, errors.New("jwt: the token is not valid yet")
		}
	}
	return claims, nil
}

func seconds(n *json.Number) (float64, bool) {
	if n == nil {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// key returns the key for kid and alg, fetching the key set when it has none
// (at most once per jwksRefetch) or when it is old.
func (v *Verifier) key(ctx context.Context, kid, alg string) (jwk, error) {
	v.mu.Lock()
	k, found := findKey(v.keys, kid, alg)
	age := time.Since(v.fetched)
	never := v.fetched.IsZero()
	v.mu.Unlock()
	if found && age < jwksMaxAge {
		return k, nil
	}
	if !found && !never && age < jwksRefetch {
		return jwk{}, fmt.Errorf("jwt: no %s key with kid %q in the issuer's key set", alg, quote.Truncate(kid, 64))
	}
	ch := v.flight.DoChan("jwks", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		keys, err := v.fetchKeys(ctx)
		v.mu.Lock()
		defer v.mu.Unlock()
		v.fetched = time.Now() // a failure waits jwksRefetch too: callers cannot make it a request storm
		if err == nil {
			v.keys = keys
		}
		return nil, err
	})
	select {
	case r := <-ch:
		v.mu.Lock()
		k, found = findKey(v.keys, kid, alg)
		v.mu.Unlock()
		if found {
			return k, nil // an old key set still serves when refreshing it failed
		}
		if r.Err != nil {
			return jwk{}, r.Err
		}
		return jwk{}, fmt.Errorf("jwt: no %s key with kid %q in the issuer's key set", alg, quote.Truncate(kid, 64))
	case <-ctx.Done():
		return jwk{}, ctx.Err()
	}
}

// findKey finds the key named kid for alg; a token without kid takes the
// only key for alg.
func findKey(keys []jwk, kid, alg string) (jwk, bool) {
	var match []jwk
	for _, k := range keys {
		if k.alg == alg && (kid == "" || k.kid == kid) {
			match = append(match, k)
		}
	}
	if len(match) == 1 || (len(match) > 1 && kid != "") {
		return match[0], true
	}
	return jwk{}, false
}

func (v *Verifier) client() *http.Client {
	c := v.HTTPClient
	if c == nil {
		c = http.DefaultClient
	}
	return redirect.SameOrigin(c)
}

// fetchKeys reads the key set, finding its URL by discovery first when needed.
func (v *Verifier) fetchKeys(ctx context.Context) ([]jwk, error) {
	u := v.JWKSURL
	if u == "" {
		var doc struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		at := strings.TrimSuffix(v.Issuer, "/") + "/.well-known/openid-configuration"
		if err := v.getJSON(ctx, at, &doc); err != nil {
			return nil, err
		}
		if doc.Issuer != v.Issuer {
			return nil, fmt.Errorf("jwt: discovery at %s names issuer %q, not %q, and is not used", at, quote.Truncate(doc.Issuer, 200), v.Issuer)
		}
		u = doc.JWKSURI
	}
	if err := checkKeysURL(u); err != nil {
		return nil, err
	}
	var set struct {
		Keys []struct {
			Kty, Kid, Use, Alg, Crv, N, E, X, Y string
		} `json:"keys"`
	}
	if err := v.getJSON(ctx, u, &set); err != nil {
		return nil, err
	}
	var keys []jwk
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pub, alg := parseJWK(k.Kty, k.Crv, k.N, k.E, k.X, k.Y)
		if pub == nil || (k.Alg != "" && k.Alg != alg) {
			continue // a key type, size or algorithm this verifier does not accept
		}
		keys = append(keys, jwk{kid: k.Kid, alg: alg, pub: pub})
		if len(keys) == maxJWKS {
			break
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("jwt: the key set at %s has no RS256 (2048 bits or more) or ES256 key", u)
	}
	return keys, nil
}

// parseJWK builds an RSA key of 2048 bits or more, or a P-256 key (RFC 7518 §6).
func parseJWK(kty, crv, n, e, x, y string) (crypto.PublicKey, string) {
	enc := base64.RawURLEncoding
	switch kty {
	case "RSA":
		nb, err1 := enc.DecodeString(n)
		eb, err2 := enc.DecodeString(e)
		if err1 != nil || err2 != nil || len(eb) == 0 || len(eb) > 4 {
			return nil, ""
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}
		if pub.N.BitLen() < 2048 || pub.E < 3 || pub.E%2 == 0 {
			return nil, ""
		}
		return pub, "RS256"
	case "EC":
		xb, err1 := enc.DecodeString(x)
		yb, err2 := enc.DecodeString(y)
		if crv != "P-256" || err1 != nil || err2 != nil || len(xb) != 32 || len(yb) != 32 {
			return nil, ""
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, xb...), yb...))
		if err != nil {
			return nil, "" // not a point on the curve
		}
		return pub, "ES256"
	}
	return nil, ""
}

// checkKeysURL holds the key set to the token endpoint's rule: whoever can
// answer for it over plain http can sign tokens.
func checkKeysURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("jwt: key set URL %q is not an absolute URL", quote.Truncate(raw, 200))
	case u.Scheme == "https", u.Scheme == "http" && loopback.Is(u.Hostname()):
		return nil
	}
	return fmt.Errorf("jwt: key set URL %q is not https (plain http only on loopback)", quote.Truncate(raw, 200))
}

func (v *Verifier) getJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client().Do(req)
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwt: %s: %d %s", u, resp.StatusCode, quote.StatusText(resp.StatusCode))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDoc)).Decode(out); err != nil {
		return fmt.Errorf("jwt: %s: not a JSON document: %w", u, err)
	}
	return nil
}
