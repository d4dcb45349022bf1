package token

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redact"
)

// GrantType is the grant a token request asks for.
type GrantType uint8

const (
	// ClientCredentials asks for a token for the client's own identity (RFC 6749 §4.4).
	ClientCredentials GrantType = iota
	// TokenExchange exchanges the caller's token for one meant for the service (RFC 8693).
	TokenExchange
)

// String returns the grant's name as services.yaml writes it.
func (g GrantType) String() string {
	switch g {
	case ClientCredentials:
		return "client_credentials"
	case TokenExchange:
		return "token_exchange"
	}
	return fmt.Sprintf("GrantType(%d)", g)
}

// ClientAuth is how a client authenticates at the token endpoint (RFC 7591 §2
// names them).
type ClientAuth uint8

const (
	// ClientAuthDefault is the zero value: HTTP Basic (ClientSecretBasic),
	// unless the issuer's metadata lists token_endpoint_auth_methods_supported
	// without client_secret_basic and with client_secret_post, in which case
	// the runtime uses ClientSecretPost.
	ClientAuthDefault ClientAuth = iota
	// ClientSecretBasic sends the client id and secret with HTTP Basic.
	ClientSecretBasic
	// ClientSecretPost sends them as form fields.
	ClientSecretPost
)

// String returns the method's name as RFC 7591 and discovery documents write it.
func (c ClientAuth) String() string {
	switch c {
	case ClientAuthDefault, ClientSecretBasic:
		return "client_secret_basic"
	case ClientSecretPost:
		return "client_secret_post"
	}
	return fmt.Sprintf("ClientAuth(%d)", c)
}

// Token type URNs of RFC 8693 §3.
const (
	TypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
	TypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	TypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
)

// Request is one request for a token: what a Fetcher is asked to obtain.
type Request struct {
	Grant    GrantType
	TokenURL string
	// Issuer is the configured issuer, when there is one. The runtime finds
	// TokenURL from it by discovery for an Endpoint; a Fetcher of another kind
	// gets TokenURL only when it was configured, and may call Discover itself.
	Issuer   string
	ClientID string
	// ClientSecret, SubjectToken and ActorToken are never printed: fmt, slog
	// and JSON omit them.
	ClientSecret string
	Scopes       []string
	// Audiences and Resources are sent as one audience or resource parameter
	// each (RFC 8693 §2.1, RFC 8707).
	Audiences        []string
	Resources        []string
	SubjectToken     string
	SubjectTokenType string
	// ActorToken, with ActorTokenType (TypeAccessToken when empty), is sent
	// with a token exchange for delegation (RFC 8693 §1.1): the party acting
	// for the subject.
	ActorToken         string
	ActorTokenType     string
	RequestedTokenType string
	ClientAuth         ClientAuth

	// For the request's own headers, errors and logs.
	Service         string
	Operation       string
	MessageID       string
	MessageIDHeader string
}

// String describes the request without secrets or tokens.
func (r Request) String() string {
	return fmt.Sprintf("TokenRequest(grant=%s, url=%s, client=%s, scopes=%q, audiences=%q)",
		r.Grant, r.TokenURL, r.ClientID, r.Scopes, r.Audiences)
}

// Format prints String for every verb (%v, %+v, %#v, ...), so that no verb
// shows the client secret or the subject token.
func (r Request) Format(f fmt.State, verb rune) { formatRedacted(f, verb, r.String()) }

// LogValue keeps secrets out of slog output.
func (r Request) LogValue() slog.Value { return slog.StringValue(r.String()) }

// MarshalJSON encodes every field but the client secret, the subject token
// and the actor token, which are "[redacted]" when set.
func (r Request) MarshalJSON() ([]byte, error) {
	type fields Request // without the methods: no recursion
	f := fields(r)
	if f.ClientSecret != "" {
		f.ClientSecret = redact.Mark
	}
	if f.SubjectToken != "" {
		f.SubjectToken = redact.Mark
	}
	if f.ActorToken != "" {
		f.ActorToken = redact.Mark
	}
	return json.Marshal(f)
}

// Form returns the form fields of the request's grant (RFC 6749 §4.4, RFC 8693 §2.1),
// without client authentication.
func (r *Request) Form() url.Values {
	f := url.Values{}
	switch r.Grant {
	case TokenExchange:
		f.Set("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
		f.Set("subject_token", r.SubjectToken)
		typ := r.SubjectTokenType
		if typ == "" {
			typ = TypeAccessToken
		}
		f.Set("subject_token_type", typ)
		// Sent always: without it some providers (zitadel's example) issue a
		// refresh token, which is no use as a bearer token.
		f.Set("requested_token_type", r.requestedType())
		if r.ActorToken != "" {
			f.Set("actor_token", r.ActorToken)
			typ := r.ActorTokenType
			if typ == "" {
				typ = TypeAccessToken
			}
			f.Set("actor_token_type", typ)
		}
	default:
		f.Set("grant_type", "client_credentials")
	}
	if len(r.Scopes) > 0 {
		f.Set("scope", strings.Join(r.Scopes, " "))
	}
	for _, a := range r.Audiences {
		f.Add("audience", a)
	}
	for _, res := range r.Resources {
		f.Add("resource", res)
	}
	return f
}

// requestedType is the token type an exchange asks for: RequestedTokenType,
// or TypeAccessToken.
func (r *Request) requestedType() string {
	if r.RequestedTokenType != "" {
		return r.RequestedTokenType
	}
	return TypeAccessToken
}

// checkIssued refuses a token that the endpoint says is of a type other than
// an access token (RFC 8693 §2.2.1 issued_token_type): a refresh token or an
// ID token sent as a bearer token is refused by the service at best, and a
// refresh token is a long-lived secret that must not travel with every call.
// An access token, a JWT, the type the request asked for, or no type at all
// (client credentials responses have none) are used.
func (r *Request) checkIssued(t *Token) error {
	switch t.IssuedTokenType {
	case "", TypeAccessToken, TypeJWT, r.RequestedTokenType:
		return nil
	}
	return fmt.Errorf("%w: the token endpoint issued a token of type %q, not an access token (requested_token_type %s); it is not used as a bearer token: configure the provider to issue access tokens for this client, or set requested_token_type",
		errUnusable, quote.Truncate(t.IssuedTokenType, 100), r.requestedType())
}

// fail returns the *Error of the request failing with err, after status
// (0 when no answer was received); err is redacted.
func (r *Request) fail(status int, err error) *Error {
	return &Error{Service: r.Service, Operation: r.Operation, Grant: r.Grant, TokenURL: r.TokenURL,
		StatusCode: status, MessageID: r.MessageID, Err: r.redact(err)}
}

// scrub removes every form of the request's secrets and tokens from text the
// endpoint sent (an error_description that quotes what it refused), and
// quotes it as error bodies are: at most n bytes, on one line, its start and
// its end kept when it is longer (providers put their advice last).
func (r *Request) scrub(s string, n int) string {
	return quote.HeadTail([]byte(r.redactor().Replace(s)), n)
}

// redactor returns the forms of the request's client secret, subject token
// and actor token.
func (r *Request) redactor() redact.Redactor {
	var red redact.Redactor
	red.AddSecret(r.ClientSecret)
	red.AddBasic(r.ClientID, r.ClientSecret)
	red.AddSecret(r.SubjectToken)
	red.AddSecret(r.ActorToken)
	return red.Sorted()
}

// redact returns err with every form of the request's secret and subject
// token removed from what it says: an *Error is copied with its fields
// redacted, any other error whose text holds one is replaced by an error
// with the redacted text that still matches errors.Is but no longer gives
// errors.As the original (whose text holds the secret).
func (r *Request) redact(err error) error {
	if err == nil {
		return nil
	}
	red := r.redactor()
	if len(red) == 0 {
		return err
	}
	return redactError(red, err)
}

func redactError(red redact.Redactor, err error) error {
	if te, ok := err.(*Error); ok {
		cp := *te
		cp.TokenURL, cp.Code, cp.Description, cp.URI = red.Replace(cp.TokenURL), red.Replace(cp.Code), red.Replace(cp.Description), red.Replace(cp.URI)
		if cp.Err != nil {
			cp.Err = redactError(red, cp.Err)
		}
		return &cp
	}
	return red.Error(err)
}
