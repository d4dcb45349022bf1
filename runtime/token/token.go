package token

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Token is an access token obtained for a service. Every fmt verb (%v, %+v,
// %#v, %s, on a Token and a *Token) and slog print a description without the
// token itself. encoding/json keeps every field, so that a Store can persist
// tokens: marshal a Token only to store it.
type Token struct {
	AccessToken     string
	TokenType       string // "Bearer" when the endpoint says nothing else
	IssuedTokenType string // RFC 8693 issued_token_type
	Scope           string
	// Obtained is when the token was requested (Endpoint: when its request
	// was sent), by the service's clock; Expiry counts its lifetime from
	// then, so that a late answer does not make it outlive the token.
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

// Authorization returns the value of the Authorization header that sends the
// token: "Bearer <token>", or its own type when the endpoint named another.
func (t *Token) Authorization() string {
	if t.header != "" {
		return t.header
	}
	if t.TokenType == "" || strings.EqualFold(t.TokenType, "bearer") {
		return "Bearer " + t.AccessToken
	}
	return t.TokenType + " " + t.AccessToken
}
