package token

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redirect"
	"golang.org/x/sync/singleflight"
)

// Metadata is what the runtime uses of an issuer's metadata document.
type Metadata struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
	// AuthMethods are its token_endpoint_auth_methods_supported:
	// client_secret_basic, client_secret_post, private_key_jwt, ...
	AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
}

// ClientAuth returns how a client with a secret should authenticate at the
// token endpoint by what the metadata says: ClientSecretPost when it lists
// client_secret_post and not client_secret_basic, ClientSecretBasic otherwise
// (RFC 8414 §2: client_secret_basic is the default when nothing is listed).
func (m *Metadata) ClientAuth() ClientAuth {
	basic, post := false, false
	for _, a := range m.AuthMethods {
		basic = basic || a == "client_secret_basic"
		post = post || a == "client_secret_post"
	}
	if post && !basic {
		return ClientSecretPost
	}
	return ClientSecretBasic
}

// Discover returns the token endpoint that issuer's metadata names; see
// DiscoverMetadata.
func Discover(ctx context.Context, hc *http.Client, issuer string, timeout time.Duration, header http.Header) (string, error) {
	m, err := DiscoverMetadata(ctx, hc, issuer, timeout, header)
	if err != nil {
		return "", err
	}
	return m.TokenEndpoint, nil
}

// DiscoverMetadata returns issuer's metadata: its OIDC discovery document
// ({issuer}/.well-known/openid-configuration), or, when it has none, its
// OAuth 2.0 authorization server metadata (RFC 8414). A document is used
// only when its issuer is issuer exactly (trailing slash included), and only
// from issuer's origin: redirects elsewhere are refused.
//
// Each issuer's metadata is fetched once per process and shared by every
// caller; a failure is remembered as a failed token request is (1 s, doubling
// with each failure in a row up to 30 s), and callers meanwhile get an error
// wrapping ErrBackoff at once instead of each asking the issuer again. The
// request is made with hc, carries header (a message id, say) and is bounded
// by timeout, however long ctx lets the caller wait. Whether a plain http
// endpoint may be used is the caller's rule to apply to the result. The
// Metadata returned is shared: do not change it.
func DiscoverMetadata(ctx context.Context, hc *http.Client, issuer string, timeout time.Duration, header http.Header) (*Metadata, error) {
	d := discoveryFor(issuer)
	d.mu.Lock()
	m, failed := d.doc, d.remembered(time.Now())
	d.mu.Unlock()
	if m != nil {
		return m, nil
	}
	if failed != nil {
		return nil, failed
	}
	ch := d.flight.DoChan("discover", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		m, err := fetchDiscovery(ctx, redirect.SameOrigin(hc), issuer, header)
		d.mu.Lock()
		d.settle(m, err, time.Now())
		d.mu.Unlock()
		return m, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Metadata), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// discovery is what is known of one issuer's token endpoint: found once per
// issuer and process, a success kept, a failure remembered for a while.
type discovery struct {
	mu       sync.Mutex
	doc      *Metadata
	failed   error // the last failure, remembered until retryAt
	failedAt time.Time
	retryAt  time.Time
	failures int // in a row
	flight   singleflight.Group
}

// remembered returns the error for a discovery while the last failure is
// remembered, nil otherwise. Called with d.mu held.
func (d *discovery) remembered(now time.Time) error {
	if d.failed == nil || !now.Before(d.retryAt) {
		return nil
	}
	return fmt.Errorf("%w: discovery failed %s ago (%d in a row), the next attempt is made in %s: %w", ErrBackoff,
		now.Sub(d.failedAt).Round(time.Millisecond), d.failures, d.retryAt.Sub(now).Round(time.Millisecond), d.failed)
}

// settle records the outcome of a discovery. Called with d.mu held.
func (d *discovery) settle(m *Metadata, err error, now time.Time) {
	if err == nil {
		d.doc, d.failed, d.failures = m, nil, 0
		return
	}
	d.failures++
	wait := maxFailureMemory
	if d.failures <= 5 {
		wait = min(failureMemory<<(d.failures-1), maxFailureMemory)
	}
	d.failed, d.failedAt, d.retryAt = err, now, now.Add(wait)
}

// discoveries holds one discovery per issuer, as configured (byte for byte:
// the issuer a document must name).
var discoveries sync.Map // string -> *discovery

func discoveryFor(issuer string) *discovery {
	d, _ := discoveries.LoadOrStore(issuer, &discovery{})
	return d.(*discovery)
}

// metadataURLs are where the issuer's metadata may be: OIDC discovery
// (appended to the issuer, OIDC Discovery §4), then OAuth 2.0 authorization
// server metadata (RFC 8414 §3.1: inserted between host and path).
func metadataURLs(issuer string) []string {
	issuer = strings.TrimSuffix(issuer, "/")
	oidc := issuer + "/.well-known/openid-configuration"
	u, err := url.Parse(issuer)
	if err != nil {
		return []string{oidc}
	}
	return []string{oidc, u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + u.EscapedPath()}
}

// fetchDiscovery reads OIDC discovery, falling back to OAuth 2.0 authorization
// server metadata when the issuer has no OIDC document.
func fetchDiscovery(ctx context.Context, hc *http.Client, issuer string, header http.Header) (*Metadata, error) {
	var lastErr error
	for _, u := range metadataURLs(issuer) {
		doc, status, err := getMetadata(ctx, hc, u, header)
		if err == nil {
			// OIDC Discovery §4.3, RFC 8414 §3.3: a document naming another
			// issuer must not be used (a proxy, a mix-up, a tenant confusion).
			if doc.Issuer != issuer {
				return nil, fmt.Errorf("discovery at %s: the document names issuer %q, not the configured %q, and is not used (they must be identical, trailing slash included)", u, quote.Truncate(doc.Issuer, 200), issuer)
			}
			return doc, nil
		}
		lastErr = err
		if status != http.StatusNotFound {
			break
		}
	}
	return nil, lastErr
}

// maxAuthMethods bounds the auth methods kept from a document.
const maxAuthMethods = 32

func getMetadata(ctx context.Context, hc *http.Client, u string, header http.Header) (*Metadata, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, &statusError{status: resp.StatusCode,
			msg: fmt.Sprintf("discovery at %s: %d %s", u, resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	var doc Metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&doc); err != nil {
		return nil, resp.StatusCode, fmt.Errorf("discovery at %s: not a metadata document: %w", u, err)
	}
	if doc.TokenEndpoint == "" {
		return nil, resp.StatusCode, fmt.Errorf("discovery at %s: no token_endpoint", u)
	}
	doc.AuthMethods = doc.AuthMethods[:min(len(doc.AuthMethods), maxAuthMethods)]
	return &doc, resp.StatusCode, nil
}
