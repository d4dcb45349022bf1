package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Token is an access token obtained for a service. Every fmt verb (%v, %+v,
// %#v, %s, on a Token and a *Token) and slog print a description without the
// token itself. encoding/json keeps every field, so that a TokenStore can
// persist tokens: marshal a Token only to store it.
type Token struct {
	AccessToken     string
	TokenType       string // "Bearer" when the endpoint says nothing else
	IssuedTokenType string // RFC 8693 issued_token_type
	Scope           string
	// Obtained is when the token was received, by the service's clock.
	Obtained time.Time
	// Expiry is when the token stops being valid.
	Expiry time.Time

	header string // "Bearer <token>", built once
}

// String returns a description without the token value.
func (t Token) String() string {
	return fmt.Sprintf("Token(type=%s, expires=%s, redacted)", t.TokenType, t.Expiry.Format(time.RFC3339))
}

// Format prints String for every verb, so that no verb shows the token.
func (t Token) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String()) }

// LogValue keeps the token out of slog output.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// formatRedacted writes s, quoted for %q, for a value whose every other field
// must stay unprinted.
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// authorization returns the Authorization header value for the token.
func (t *Token) authorization() string {
	if t.header != "" {
		return t.header
	}
	if t.TokenType == "" || strings.EqualFold(t.TokenType, "bearer") {
		return "Bearer " + t.AccessToken
	}
	return t.TokenType + " " + t.AccessToken
}

// TokenRequest is one request for a token: what a TokenFetcher is asked to obtain.
type TokenRequest struct {
	Grant    Grant // GrantClientCredentials or GrantTokenExchange
	TokenURL string
	ClientID string
	// ClientSecret and SubjectToken are never printed: fmt, slog and JSON omit them.
	ClientSecret       string
	Scopes             []string
	Audience           string
	Resource           string
	SubjectToken       string
	SubjectTokenType   string
	RequestedTokenType string
	ClientAuth         ClientAuthMethod

	// For the request's own headers, errors and logs.
	Service         string
	Operation       string
	MessageID       string
	MessageIDHeader string
}

// String describes the request without secrets or tokens.
func (r TokenRequest) String() string {
	return fmt.Sprintf("TokenRequest(grant=%s, url=%s, client=%s, scopes=%q, audience=%q)",
		r.Grant, r.TokenURL, r.ClientID, r.Scopes, r.Audience)
}

// Format prints String for every verb (%v, %+v, %#v, ...), so that no verb
// shows the client secret or the subject token.
func (r TokenRequest) Format(f fmt.State, verb rune) { formatRedacted(f, verb, r.String()) }

// LogValue keeps secrets out of slog output.
func (r TokenRequest) LogValue() slog.Value { return slog.StringValue(r.String()) }

// MarshalJSON encodes every field but the client secret and the subject token,
// which are "[redacted]" when set.
func (r TokenRequest) MarshalJSON() ([]byte, error) {
	type fields TokenRequest // without the methods: no recursion
	f := fields(r)
	if f.ClientSecret != "" {
		f.ClientSecret = redacted
	}
	if f.SubjectToken != "" {
		f.SubjectToken = redacted
	}
	return json.Marshal(f)
}

// Form returns the form fields of the request's grant (RFC 6749 §4.4, RFC 8693 §2.1),
// without client authentication.
func (r *TokenRequest) Form() url.Values {
	f := url.Values{}
	switch r.Grant {
	case GrantTokenExchange:
		f.Set("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
		f.Set("subject_token", r.SubjectToken)
		typ := r.SubjectTokenType
		if typ == "" {
			typ = TokenTypeAccessToken
		}
		f.Set("subject_token_type", typ)
		if r.RequestedTokenType != "" {
			f.Set("requested_token_type", r.RequestedTokenType)
		}
	default:
		f.Set("grant_type", "client_credentials")
	}
	if len(r.Scopes) > 0 {
		f.Set("scope", strings.Join(r.Scopes, " "))
	}
	if r.Audience != "" {
		f.Set("audience", r.Audience)
	}
	if r.Resource != "" {
		f.Set("resource", r.Resource)
	}
	return f
}

// TokenFetcher obtains tokens. The default is a TokenEndpoint; implement it to
// change how tokens are obtained (a token broker, a custom grant). Errors should be
// *TokenError where the endpoint answered: one with status 429 or 5xx, or a
// connection error, is tried again within the fetch (honouring
// TokenError.RetryAfter up to 2 s), and every failure is remembered for a while
// (see ErrTokenBackoff). Token lifetimes are clamped to between 1 s and 24 h.
type TokenFetcher interface {
	FetchToken(ctx context.Context, r *TokenRequest) (*Token, error)
}

// TokenEndpoint is the default TokenFetcher: a form POST to the request's
// TokenURL, with the client authenticated by HTTP Basic or form fields, or by
// Authenticate when it is set (private_key_jwt, for example, adds
// client_assertion to the form; for mTLS, give it an HTTPClient with a client
// certificate and an Authenticate that adds client_id only).
type TokenEndpoint struct {
	HTTPClient   *http.Client
	Authenticate func(req *http.Request, form url.Values, r *TokenRequest) error
	// MaxBody caps how much of a token response is read; 1 MiB when zero.
	MaxBody int64
	// Now is the clock that Obtained and Expiry are set by; time.Now when nil.
	Now func() time.Time
}

const defaultMaxTokenBody = 1 << 20

// FetchToken implements TokenFetcher.
func (e *TokenEndpoint) FetchToken(ctx context.Context, r *TokenRequest) (*Token, error) {
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
	} else if r.ClientAuth == ClientAuthPost {
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
	gzipAsked := askGzip(req, hc.Transport)
	resp, err := noRedirectClient(hc).Do(req)
	if err != nil {
		return nil, r.fail(0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		to := "nowhere"
		if loc, err := resp.Location(); err == nil {
			to = origin(loc)
		}
		return nil, r.fail(resp.StatusCode, fmt.Errorf("the token endpoint redirected to %s; token requests follow no redirect (the client secret and subject token go to the configured endpoint only): configure the endpoint the redirect names", to))
	}
	limit := e.MaxBody
	if limit <= 0 {
		limit = defaultMaxTokenBody
	}
	// Bounded as received and as decoded: a small gzip body can decode to gigabytes.
	raw, tooLarge, err := readBounded(resp, gzipAsked, limit)
	if tooLarge {
		return nil, r.fail(resp.StatusCode, fmt.Errorf("token response larger than %d bytes", limit))
	}
	if err != nil {
		return nil, r.fail(resp.StatusCode, fmt.Errorf("reading token response: %w", err))
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		te := r.fail(resp.StatusCode, nil)
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			URI         string `json:"error_uri"`
		}
		if json.Unmarshal(raw, &oe) == nil {
			te.Code, te.Description, te.URI = r.scrub(oe.Error, 100), r.scrub(oe.Description, 300), r.scrub(oe.URI, 300)
		}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			te.RetryAfter = parseRetryAfter(ra, now())
		}
		return nil, te
	}
	tok, err := parseTokenResponse(resp.Header.Get("Content-Type"), raw, now())
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
			return nil, fmt.Errorf("token response (%s) is not a form: %w", mt, err)
		}
		v.AccessToken, v.TokenType, v.Scope = vals.Get("access_token"), vals.Get("token_type"), vals.Get("scope")
		v.ExpiresIn, v.IssuedTokenType = json.Number(vals.Get("expires_in")), vals.Get("issued_token_type")
	} else if err := json.Unmarshal(raw, &v); err != nil {
		// The body is not quoted: it might hold a token.
		return nil, fmt.Errorf("token response (content type %q, %d bytes) is not a JSON token response", contentType, len(raw))
	}
	if v.AccessToken == "" {
		return nil, errors.New("token response has no access_token")
	}
	tok := &Token{AccessToken: v.AccessToken, TokenType: v.TokenType, IssuedTokenType: v.IssuedTokenType, Scope: v.Scope, Obtained: now}
	if tok.TokenType == "" || strings.EqualFold(tok.TokenType, "bearer") || strings.EqualFold(tok.TokenType, "N_A") {
		tok.TokenType = "Bearer"
	}
	if v.ExpiresIn != "" {
		secs, err := strconv.ParseFloat(string(v.ExpiresIn), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			// Quoted short and without the token, should the endpoint have put it there.
			bad := strings.ReplaceAll(string(v.ExpiresIn), v.AccessToken, redacted)
			return nil, fmt.Errorf("token response has an invalid expires_in %q", truncate(bad, 20))
		}
		// A lifetime of zero or less (or NaN) says nothing usable: the default
		// lifetime applies, as when there is none. One too long for a Duration
		// is the longest kept anyway; the token manager clamps what is left.
		if secs > 0 {
			tok.Expiry = now.Add(time.Duration(min(secs, maxTokenLifetime.Seconds()) * float64(time.Second)))
		}
	}
	tok.header = tok.TokenType + " " + tok.AccessToken
	if tok.TokenType == "Bearer" {
		tok.header = "Bearer " + tok.AccessToken
	}
	return tok, nil
}

func (r *TokenRequest) fail(status int, err error) *TokenError {
	return &TokenError{Service: r.Service, Operation: r.Operation, Grant: r.Grant, TokenURL: r.TokenURL,
		StatusCode: status, MessageID: r.MessageID, Err: r.redactError(err)}
}

// scrub removes every form of the request's subject token and client secret
// from text the endpoint sent (an error_description that quotes what it
// refused), and quotes it as error bodies are: at most n bytes, on one line.
func (r *TokenRequest) scrub(s string, n int) string {
	return quoteBody([]byte(r.redactor().replace(s)), n)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
