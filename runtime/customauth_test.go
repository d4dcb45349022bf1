package runtime_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// signES256 makes a compact JWS (ES256) of claims: enough of private_key_jwt
// (RFC 7523 §2.2) to test the extension point with the standard library.
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

func verifyES256(pub *ecdsa.PublicKey, jws string) (map[string]any, error) {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWS")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, errors.New("bad signature encoding")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return nil, errors.New("signature does not verify")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(body, &claims)
}

// TestPrivateKeyJWT: a client authenticates with a signed assertion instead
// of a secret, through token.Endpoint.Authenticate; the token endpoint checks
// the signature, issuer, subject and audience, and that no secret was sent.
func TestPrivateKeyJWT(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var tokenURL string
	var issued atomic.Int32
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		fail := func(msg string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":%q}`, msg)
		}
		if _, _, basic := r.BasicAuth(); basic || r.PostForm.Get("client_secret") != "" {
			fail("a secret was sent")
			return
		}
		if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			fail("no assertion")
			return
		}
		claims, err := verifyES256(&key.PublicKey, r.PostForm.Get("client_assertion"))
		if err != nil {
			fail(err.Error())
			return
		}
		if claims["iss"] != "svc-a" || claims["sub"] != "svc-a" || claims["aud"] != tokenURL || r.PostForm.Get("client_id") != "svc-a" {
			fail(fmt.Sprintf("claims %v", claims))
			return
		}
		issued.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":300}`, issued.Load())
	}))
	defer tokens.Close()
	tokenURL = tokens.URL + "/token"

	var gotAuth atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(204)
	}))
	defer api.Close()

	fetcher := &token.Endpoint{
		Authenticate: func(req *http.Request, form url.Values, tr *token.Request) error {
			jws, err := signES256(key, map[string]any{
				"iss": tr.ClientID, "sub": tr.ClientID, "aud": tr.TokenURL,
				"exp": time.Now().Add(time.Minute).Unix(), "jti": fmt.Sprint(time.Now().UnixNano()),
			})
			if err != nil {
				return err
			}
			form.Set("client_id", tr.ClientID)
			form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			form.Set("client_assertion", jws)
			return nil
		},
	}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: api.URL, TokenURL: tokenURL, ClientID: "svc-a"},
		runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: fetcher}}))
	if err != nil {
		t.Fatal(err)
	}
	op := &tpgenimpl.Operation{ID: "ping", Method: "GET", Path: "/ping", Responses: []tpgenimpl.ResponseSpec{{Code: 204, Success: true}}}
	for range 3 {
		if err := tpgenimpl.Invoke(context.Background(), svc, op, nil, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if gotAuth.Load() != "Bearer at-1" || issued.Load() != 1 {
		t.Fatalf("Authorization %v after %d token requests; want Bearer at-1 after 1", gotAuth.Load(), issued.Load())
	}
}

// TestMutualTLSClientAuth: the token endpoint authenticates the client by its
// TLS certificate, given through token.Config.HTTPClient; the service itself is
// called with the ordinary client.
func TestMutualTLSClientAuth(t *testing.T) {
	tokens := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "svc-a" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"mtls-token","token_type":"Bearer","expires_in":300}`)
	}))
	tokens.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	tokens.StartTLS()
	defer tokens.Close()

	cert, err := selfSigned("svc-a")
	if err != nil {
		t.Fatal(err)
	}
	tokenClient := tokens.Client()
	tokenClient.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{cert}

	var gotAuth atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(204)
	}))
	defer api.Close()
	fetcher := &token.Endpoint{
		HTTPClient: tokenClient,
		Authenticate: func(_ *http.Request, form url.Values, tr *token.Request) error {
			form.Set("client_id", tr.ClientID) // tls_client_auth: the certificate authenticates
			return nil
		},
	}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders", BaseURL: api.URL, TokenURL: tokens.URL + "/token", ClientID: "svc-a"},
		runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: fetcher}}))
	if err != nil {
		t.Fatal(err)
	}
	op := &tpgenimpl.Operation{ID: "ping", Method: "GET", Path: "/ping", Responses: []tpgenimpl.ResponseSpec{{Code: 204, Success: true}}}
	if err := tpgenimpl.Invoke(context.Background(), svc, op, nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if gotAuth.Load() != "Bearer mtls-token" {
		t.Fatalf("Authorization = %v", gotAuth.Load())
	}
}

func selfSigned(cn string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	tmpl.Subject.CommonName = cn
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
