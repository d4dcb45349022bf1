package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// discovery finds the token endpoint from the issuer's metadata, once per
// issuer and process: a success is kept, shared by every Service with that
// issuer; a failure is remembered as a token request's is (1 s, doubling with
// each failure in a row up to 30 s), so that calls fail at once meanwhile
// instead of each asking the issuer again. Only documents whose issuer
// is the configured one are kept, and each Service applies its own https rule
// to what was found (checkTokenURL), so that a Service allowed plain http
// cannot open the way for a strict one with the same issuer.
type discovery struct {
	mu       sync.Mutex
	tokenURL string
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
	return fmt.Errorf("%w: discovery failed %s ago (%d in a row), the next attempt is made in %s: %w", ErrTokenBackoff,
		now.Sub(d.failedAt).Round(time.Millisecond), d.failures, d.retryAt.Sub(now).Round(time.Millisecond), d.failed)
}

// settle records the outcome of a discovery. Called with d.mu held.
func (d *discovery) settle(u string, err error, now time.Time) {
	if err == nil {
		d.tokenURL, d.failed, d.failures = u, nil, 0
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

// tokenEndpoint returns the configured token URL or the discovered one.
func (s *Service) tokenEndpoint(ctx context.Context, mid string) (string, error) {
	if s.tokenURL != "" {
		return s.tokenURL, nil
	}
	u, err := s.discover(ctx, mid)
	if err != nil {
		return "", err
	}
	if err := s.checkTokenURL(u); err != nil {
		return "", fmt.Errorf("discovery of %s: %w", s.issuerID, err)
	}
	return u, nil
}

func (s *Service) discover(ctx context.Context, mid string) (string, error) {
	d := discoveryFor(s.issuerID)
	d.mu.Lock()
	u, failed := d.tokenURL, d.remembered(time.Now())
	d.mu.Unlock()
	if u != "" {
		return u, nil
	}
	if failed != nil {
		return "", failed
	}
	ch := d.flight.DoChan("discover", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.tokens.timeout)
		defer cancel()
		u, err := s.fetchDiscovery(ctx, mid)
		d.mu.Lock()
		d.settle(u, err, time.Now())
		d.mu.Unlock()
		return u, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// metadataURLs are where the issuer's metadata may be: OIDC discovery
// (appended to the issuer, OIDC Discovery §4), then OAuth 2.0 authorization
// server metadata (RFC 8414 §3.1: inserted between host and path).
func (s *Service) metadataURLs() []string {
	oidc := s.issuer + "/.well-known/openid-configuration"
	u, err := url.Parse(s.issuer)
	if err != nil {
		return []string{oidc}
	}
	return []string{oidc, u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + u.EscapedPath()}
}

// fetchDiscovery reads OIDC discovery, falling back to OAuth 2.0 authorization
// server metadata when the issuer has no OIDC document.
func (s *Service) fetchDiscovery(ctx context.Context, mid string) (string, error) {
	var lastErr error
	for _, u := range s.metadataURLs() {
		doc, status, err := s.getMetadata(ctx, u, mid)
		if err == nil {
			// OIDC Discovery §4.3, RFC 8414 §3.3: a document naming another
			// issuer must not be used (a proxy, a mix-up, a tenant confusion).
			if doc.Issuer != s.issuerID {
				return "", fmt.Errorf("discovery at %s: the document names issuer %q, not the configured %q, and is not used (they must be identical, trailing slash included)", u, truncate(doc.Issuer, 200), s.issuerID)
			}
			return doc.TokenEndpoint, nil
		}
		lastErr = err
		if status != http.StatusNotFound {
			break
		}
	}
	return "", lastErr
}

type metadataDoc struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
}

func (s *Service) getMetadata(ctx context.Context, u, mid string) (*metadataDoc, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set(s.midHeader, mid)
	resp, err := s.discoveryClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, fmt.Errorf("discovery at %s: %d %s", u, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	var doc metadataDoc
	if err := json.NewDecoder(io.LimitReader(resp.Body, defaultMaxTokenBody)).Decode(&doc); err != nil {
		return nil, resp.StatusCode, fmt.Errorf("discovery at %s: not a metadata document: %w", u, err)
	}
	if doc.TokenEndpoint == "" {
		return nil, resp.StatusCode, fmt.Errorf("discovery at %s: no token_endpoint", u)
	}
	return &doc, resp.StatusCode, nil
}

// sameOriginClient returns a copy of c that follows redirects only within the
// origin (scheme, host and port) of the first request: what a discovery
// document says is trusted only from the issuer's own origin.
func sameOriginClient(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if o := origin(req.URL); o != origin(via[0].URL) {
			return fmt.Errorf("redirect to another origin (%s) refused", o)
		}
		return nil
	}
	return &cp
}

// noRedirectClient returns a copy of c that follows no redirect: the caller
// gets the 3xx response itself. Token requests carry client secrets and
// subject tokens, which a 307 or 308 would post again to wherever it points.
func noRedirectClient(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// origin returns scheme://host[:port] of u, lower-cased, for messages and comparisons.
func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}
