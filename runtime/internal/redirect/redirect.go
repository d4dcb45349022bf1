// Package redirect holds the redirect policies of requests that carry or
// fetch what must come from one place only: token requests follow no
// redirect (a 307 would post the client secret wherever it points), metadata
// and key sets are followed within the origin they were asked of.
package redirect

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SameOrigin returns a copy of c that follows redirects only within the
// origin (scheme, host and port) of the first request: what a discovery
// document or key set says is trusted only from the issuer's own origin.
func SameOrigin(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if o := Origin(req.URL); o != Origin(via[0].URL) {
			return fmt.Errorf("redirect to another origin (%s) refused", o)
		}
		return nil
	}
	return &cp
}

// Never returns a copy of c that follows no redirect: the caller gets the 3xx
// response itself. Token requests carry client secrets and subject tokens,
// which a 307 or 308 would post again to wherever it points.
func Never(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// Origin returns scheme://host[:port] of u, lower-cased, for messages and comparisons.
func Origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}
