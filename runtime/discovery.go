package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"golang.org/x/sync/singleflight"
)

// discovery finds the token endpoint from the issuer's metadata, once per
// issuer and process: a success is kept, shared by every Service with that
// issuer; a failure is tried again on next need.
type discovery struct {
	mu       sync.Mutex
	tokenURL string
	flight   singleflight.Group
}

// discoveries holds one discovery per issuer URL.
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
	d := discoveryFor(s.issuer)
	d.mu.Lock()
	u := d.tokenURL
	d.mu.Unlock()
	if u != "" {
		return u, nil
	}
	ch := d.flight.DoChan("discover", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.tokens.timeout)
		defer cancel()
		u, err := s.fetchDiscovery(ctx, mid)
		if err == nil {
			d.mu.Lock()
			d.tokenURL = u
			d.mu.Unlock()
		}
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

// fetchDiscovery reads OIDC discovery, falling back to OAuth 2.0 authorization
// server metadata (RFC 8414) when the issuer has no OIDC document.
func (s *Service) fetchDiscovery(ctx context.Context, mid string) (string, error) {
	var lastErr error
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		u, status, err := s.getMetadata(ctx, s.issuer+path, mid)
		if err == nil {
			if err := s.checkTokenURL(u); err != nil {
				return "", fmt.Errorf("discovery at %s: %w", s.issuer+path, err)
			}
			return u, nil
		}
		lastErr = err
		if status != http.StatusNotFound {
			break
		}
	}
	return "", lastErr
}

func (s *Service) getMetadata(ctx context.Context, u, mid string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set(s.midHeader, mid)
	resp, err := s.tokenClient.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", resp.StatusCode, fmt.Errorf("discovery at %s: %d %s", u, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, defaultMaxTokenBody)).Decode(&doc); err != nil {
		return "", resp.StatusCode, fmt.Errorf("discovery at %s: not a metadata document: %w", u, err)
	}
	if doc.TokenEndpoint == "" {
		return "", resp.StatusCode, fmt.Errorf("discovery at %s: no token_endpoint", u)
	}
	return doc.TokenEndpoint, resp.StatusCode, nil
}
