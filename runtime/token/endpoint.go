package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/httpbody"
	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redact"
	"github.com/tpgen/tpgen/runtime/internal/redirect"
	"github.com/tpgen/tpgen/runtime/internal/retry"
)

// Fetcher obtains tokens. The default is an Endpoint; implement it to change
// how tokens are obtained (a token broker, a custom grant). Errors should be
// *Error where the endpoint answered: one with status 429 or 5xx, or a
// connection error, is tried again within the fetch (honouring
// Error.RetryAfter up to 2 s), and every failure is remembered for a while
// (see ErrBackoff). Token lifetimes are clamped to between 1 s and 24 h.
type Fetcher interface {
	FetchToken(ctx context.Context, r *Request) (*Token, error)
}

// Endpoint is the default Fetcher: a form POST to the request's TokenURL,
// with the client authenticated by HTTP Basic or form fields, or by
// Authenticate when it is set (private_key_jwt, for example, adds
// client_assertion to the form; for mTLS, give it an HTTPClient with a client
// certificate and an Authenticate that adds client_id only). It follows no
// redirect: the client secret and subject token go to the configured
// endpoint only.
type Endpoint struct {
	HTTPClient   *http.Client
	Authenticate func(req *http.Request, form url.Values, r *Request) error
	// MaxBody caps how much of a token response is read; 1 MiB when zero.
	MaxBody int64
	// Now is the clock that Obtained and Expiry are set by; time.Now when nil.
	Now func() time.Time
}

// maxBody is the default Endpoint.MaxBody, and the cap on metadata documents.
const maxBody = 1 << 20

// maxDescription bounds the error_description an Error keeps: its start and
// its end, since providers put their advice last (Hydra: "... You must
// configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to
// accept 'client_secret_post'.").
const maxDescription = 600

// FetchToken implements Fetcher.
func (e *Endpoint) FetchToken(ctx context.Context, r *Request) (*Token, error) {
	form := r.Form()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.TokenURL, nil)
	if err != nil {
		return nil, r.fail(0, fmt.Errorf("bad token URL: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if r.MessageID != "" && r.MessageIDHeader != "" {
		req.Header.Set(r.MessageIDHeader, r.MessageID)
	}
	if e.Authenticate != nil {
		if err := e.Authenticate(req, form, r); err != nil {
			return nil, r.fail(0, fmt.Errorf("client authentication: %w", err))
		}
	} else if r.ClientAuth == ClientSecretPost {
		form.Set("client_id", r.ClientID)
		form.Set("client_secret", r.ClientSecret)
	} else {
		// RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
		cred := url.QueryEscape(r.ClientID) + ":" + url.QueryEscape(r.ClientSecret)
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }

	hc := e.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	gzipAsked := httpbody.AskGzip(req, hc.Transport)
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	// The lifetime is counted from the request, not the answer: the endpoint
	// counts it from when it answered, and an answer that arrives late (a
	// loaded machine, a slow network) must not make the token outlive that.
	sent := now()
	resp, err := redirect.Never(hc).Do(req)
	if err != nil {
		return nil, r.fail(0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		to := "nowhere"
		if loc, err := resp.Location(); err == nil {
			to = redirect.Origin(loc)
		}
		return nil, r.fail(resp.StatusCode, fmt.Errorf("the token endpoint redirected to %s; token requests follow no redirect (the client secret and subject token go to the configured endpoint only): configure the endpoint the redirect names", to))
	}
	limit := e.MaxBody
	if limit <= 0 {
		limit = maxBody
	}
	// Bounded as received and as decoded: a small gzip body can decode to gigabytes.
	raw, tooLarge, err := httpbody.ReadBounded(resp, gzipAsked, limit)
	if tooLarge {
		return nil, r.fail(resp.StatusCode, fmt.Errorf("token response larger than %d bytes", limit))
	}
	if err != nil {
		return nil, r.fail(resp.StatusCode, fmt.Errorf("reading token response: %w", err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		te := r.fail(resp.StatusCode, nil)
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			URI         string `json:"error_uri"`
		}
		if json.Unmarshal(raw, &oe) == nil {
			te.Code, te.Description, te.URI = r.scrub(oe.Error, 100), r.scrub(oe.Description, maxDescription), r.scrub(oe.URI, 300)
		}
		if oe.Error == "invalid_client" && e.Authenticate == nil && r.ClientAuth != ClientSecretPost {
			te.Hint = "the endpoint refused the client's HTTP Basic authentication: if it expects the client id and secret as form fields, set client_auth: post in services.yaml (runtime.Auth{ClientAuth: token.ClientSecretPost))"
		}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			te.RetryAfter = retry.After(ra, now())
		}
		return nil, te
	}
	tok, err := parseTokenResponse(resp.Header.Get("Content-Type"), raw, sent)
	if err != nil {
		return nil, r.fail(resp.StatusCode, err)
	}
	return tok, nil
}

// parseTokenResponse reads a JSON token response (RFC 6749 §5.1), or a
// form-encoded one as some providers send.
func parseTokenResponse(contentType string, raw []byte, now time.Time) (*Token, error) {
	var v struct {
		AccessToken     string      `json:"access_token"`
		TokenType       string      `json:"token_type"`
		ExpiresIn       json.Number `json:"expires_in"`
		IssuedTokenType string      `json:"issued_token_type"`
		Scope           string      `json:"scope"`
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: token response (%s) is not a form: %w", errUnusable, mt, err)
		}
		v.AccessToken, v.TokenType, v.Scope = vals.Get("access_token"), vals.Get("token_type"), vals.Get("scope")
		v.ExpiresIn, v.IssuedTokenType = json.Number(vals.Get("expires_in")), vals.Get("issued_token_type")
	} else if err := json.Unmarshal(raw, &v); err != nil {
		// The body is not quoted: it might hold a token.
		return nil, fmt.Errorf("%w: token response (content type %q, %d bytes) is not a JSON token response", errUnusable, contentType, len(raw))
	}
	if v.AccessToken == "" {
		return nil, fmt.Errorf("%w: token response has no access_token", errUnusable)
	}
	tok := &Token{AccessToken: v.AccessToken, TokenType: v.TokenType, IssuedTokenType: v.IssuedTokenType, Scope: v.Scope, Obtained: now}
	if tok.TokenType == "" || strings.EqualFold(tok.TokenType, "bearer") || strings.EqualFold(tok.TokenType, "N_A") {
		tok.TokenType = "Bearer"
	}
	if v.ExpiresIn != "" {
		secs, err := strconv.ParseFloat(string(v.ExpiresIn), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			// Quoted short and without the token, should the endpoint have put it there.
			bad := strings.ReplaceAll(string(v.ExpiresIn), v.AccessToken, redact.Mark)
			return nil, fmt.Errorf("token response has an invalid expires_in %q", quote.Truncate(bad, 20))
		}
		// A lifetime of zero or less (or NaN) says nothing usable: the default
		// lifetime applies, as when there is none. One too long for a Duration
		// is the longest kept anyway; the cache clamps what is left.
		if secs > 0 {
			tok.Expiry = now.Add(time.Duration(min(secs, MaxLifetime.Seconds()) * float64(time.Second)))
		}
	}
	tok.header = tok.TokenType + " " + tok.AccessToken
	if tok.TokenType == "Bearer" {
		tok.header = "Bearer " + tok.AccessToken
	}
	return tok, nil
}
