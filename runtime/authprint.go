package runtime

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/runtime/internal/redact"
	"github.com/tpgen/tpgen/runtime/token"
)

// Applications log their configuration: an Auth (and a Service) prints, logs
// and encodes without its secrets (ClientSecret, ActorToken, APIKeys' keys,
// Password, BearerToken), through every fmt verb, slog and encoding/json.

// String describes a: the fields that are set, each secret as [redacted].
func (a Auth) String() string {
	var b strings.Builder
	b.WriteString("runtime.Auth{")
	n := 0
	field := func(name, value string) {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
	}
	text := func(name, v string) {
		if v != "" {
			field(name, strconv.Quote(v))
		}
	}
	secret := func(name, v string) {
		if v != "" {
			field(name, redact.Mark)
		}
	}
	list := func(name string, v []string) {
		if v != nil {
			field(name, fmt.Sprintf("%q", v))
		}
	}
	if a.Grant != GrantInherit {
		field("Grant", a.Grant.String())
	}
	if a.Anonymous != GrantInherit {
		field("Anonymous", a.Anonymous.String())
	}
	text("TokenURL", redactedURL(a.TokenURL))
	text("Issuer", redactedURL(a.Issuer))
	text("ClientID", a.ClientID)
	secret("ClientSecret", a.ClientSecret)
	if a.ClientAuth != token.ClientAuthDefault {
		field("ClientAuth", a.ClientAuth.String())
	}
	list("Scopes", a.Scopes)
	list("Audiences", a.Audiences)
	list("Resources", a.Resources)
	text("SubjectTokenType", a.SubjectTokenType)
	text("RequestedTokenType", a.RequestedTokenType)
	secret("ActorToken", a.ActorToken)
	text("ActorTokenType", a.ActorTokenType)
	list("InsecureTokenHosts", a.InsecureTokenHosts)
	if a.TokenSource != nil {
		field("TokenSource", fmt.Sprintf("%T", a.TokenSource))
	}
	if !reflect.ValueOf(a.Tokens).IsZero() {
		field("Tokens", "(set)") // a Store or Fetcher may hold credentials of its own
	}
	if a.APIKeys != nil {
		schemes := slices.Sorted(maps.Keys(a.APIKeys))
		for i, k := range schemes {
			schemes[i] = strconv.Quote(k) + ": " + redact.Mark
		}
		field("APIKeys", "{"+strings.Join(schemes, ", ")+"}")
	}
	text("Username", a.Username)
	secret("Password", a.Password)
	secret("BearerToken", a.BearerToken)
	b.WriteString("}")
	return b.String()
}

// Format prints String for every verb (%v, %+v, %#v, %x, ...), so that no
// verb shows a secret.
func (a Auth) Format(f fmt.State, verb rune) { formatRedacted(f, verb, a.String()) }

// LogValue keeps a's secrets out of slog output.
func (a Auth) LogValue() slog.Value { return slog.StringValue(a.String()) }

// MarshalJSON encodes a as its description (String): encoding/json would
// otherwise write every secret.
func (a Auth) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// String describes the service by its name and base URL, never its
// credentials or tokens.
func (s *Service) String() string {
	if s == nil {
		return "runtime.Service(nil)"
	}
	return fmt.Sprintf("runtime.Service(%s, %s)", s.name, redactedURL(s.baseURL))
}

// Format prints String for every verb: %+v of a *Service would otherwise
// show its client secret, keys and token cache.
func (s *Service) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String()) }

// LogValue keeps the service's secrets out of slog output.
func (s *Service) LogValue() slog.Value { return slog.StringValue(s.String()) }

func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// redactedURL hides a password in u (NewService refuses such URLs, but an
// Auth may be printed before).
func redactedURL(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		return p.Redacted()
	}
	return u
}
