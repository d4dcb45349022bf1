package runtime

import (
	"maps"
	"slices"

	"github.com/tpgen/tpgen/runtime/token"
	"golang.org/x/oauth2"
)

// Auth says how a service's calls are authorised: the grant, the OAuth2
// client and its token requests, and the credentials of the spec's own
// security schemes. WithAuth applies it. Each field that is set (not its
// zero value) wins over the environment (TPGEN_<SERVICE>_*) and
// services.yaml; the others leave them be. Several WithAuth options apply in
// order, field by field.
//
//	orders.New(runtime.WithAuth(runtime.Auth{
//		ClientID:     id,
//		ClientSecret: secret,
//		Scopes:       []string{"orders.read"},
//	}))
type Auth struct {
	// Grant is the service's grant. Operations that set their own keep it.
	Grant Grant
	// Anonymous is what GrantAuto does for a call made for an anonymous
	// caller: a request that came in through Middleware without a bearer
	// token, from a caller not verified as a system (see Caller).
	// GrantClientCredentials makes such calls with the service's own
	// identity, GrantNone without a token. Unset, they fail with
	// ErrAnonymous: an anonymous caller does not act as the service unless
	// the operator says so. Work for no caller at all (background jobs) uses
	// client credentials either way.
	Anonymous Grant

	// TokenURL is the OAuth2 token endpoint.
	TokenURL string
	// Issuer is an OIDC issuer whose discovery document
	// ({issuer}/.well-known/openid-configuration, or RFC 8414 metadata)
	// names the token endpoint. The document is fetched once, on first
	// need, and cached; it is used only when its issuer is Issuer exactly
	// (trailing slash included), and only from Issuer's origin. TokenURL
	// wins over it.
	Issuer string
	// ClientID and ClientSecret are the client's credentials for client
	// credentials and token exchange. A ClientID given here replaces the
	// secret from the environment as well (a secret is its client's); a
	// ClientSecret alone is the secret of the client id that services.yaml
	// or the environment names.
	ClientID, ClientSecret string
	// ClientAuth is how the client authenticates at the token endpoint.
	// Unset (token.ClientAuthDefault), it is HTTP Basic unless the issuer's
	// metadata says the endpoint takes only client_secret_post.
	ClientAuth token.ClientAuth
	// Scopes are requested for operations that do not list their own.
	Scopes []string
	// Audiences and Resources (RFC 8707) are sent with token requests, one
	// audience or resource parameter each (RFC 8693 allows several).
	Audiences, Resources []string
	// SubjectTokenType is the subject_token_type of token exchanges, for
	// example token.TypeJWT or token.TypeIDToken; token.TypeAccessToken when
	// unset.
	SubjectTokenType string
	// RequestedTokenType is the requested_token_type of token exchanges
	// (token.TypeAccessToken when unset). A token the endpoint issues as
	// another type than an access token, a JWT or the one requested is
	// refused.
	RequestedTokenType string
	// ActorToken is sent with every token exchange, for delegation (RFC 8693
	// §1.1): the party that acts for the caller, for example a token of the
	// service's own. ContextWithActorToken sets one per call instead.
	// ActorTokenType is its actor_token_type, token.TypeAccessToken when
	// unset.
	ActorToken, ActorTokenType string
	// InsecureTokenHosts allows token endpoints and issuers over plain http
	// on the hosts named (keycloak, idp.local: names, without scheme or
	// port), as an identity provider on a docker-compose network needs;
	// every other host still needs https or loopback. Each use is logged at
	// warn. TPGEN_<SERVICE>_INSECURE_TOKEN_HOSTS (comma separated) does the
	// same.
	InsecureTokenHosts []string
	// TokenSource, when set, is where the service's own identity comes
	// from: client credentials tokens (GrantClientCredentials, and
	// GrantAuto's calls for no caller or a system caller) are its, and no
	// token endpoint, client id or secret is needed for them. The service's
	// grant becomes GrantClientCredentials unless it is token exchange,
	// passthrough or auto.
	//
	// The runtime does not cache its tokens: it asks on every call that
	// needs one, as golang.org/x/oauth2's sources
	// (clientcredentials.Config.TokenSource, oauth2.ReuseTokenSource,
	// google.DefaultTokenSource) cache and refresh themselves and are safe
	// for concurrent use; wrap a source that does neither in
	// oauth2.ReuseTokenSource. A token the service refuses (401) is
	// therefore not replaced by the runtime.
	TokenSource oauth2.TokenSource
	// Tokens says how tokens are obtained and kept: a custom fetcher or
	// store, the client for token requests, the cache's margins and size,
	// the clock (see token.Config). The fields it sets replace earlier
	// ones; the others keep their defaults.
	Tokens token.Config

	// APIKeys are the keys of the spec's apiKey security schemes, by scheme
	// name (as components.securitySchemes names it); the key under "" is
	// for every apiKey scheme without a key of its own (from APIKeys,
	// TPGEN_<SERVICE>_API_KEY_<SCHEME> or services.yaml's api_keys). A key
	// is sent only to the service's own origin, where its scheme says (a
	// header, query parameter or cookie), and never shown in errors, logs
	// or records.
	APIKeys map[string]string
	// Username and Password are the credentials of the spec's HTTP basic
	// security schemes. A Username given here replaces the password from
	// the environment as well (empty, it is sent without one: an API key
	// as the user name); a Password alone goes with the user name that
	// services.yaml or the environment names.
	Username, Password string
	// BearerToken is the token of the spec's HTTP bearer security schemes:
	// a static token (an API token a vendor issued). Without one, a bearer
	// scheme is met by the token the service's grant obtains.
	BearerToken string
}

// WithAuth sets how the service's calls are authorised (see Auth): the
// fields of a that are set, over the environment and services.yaml.
func WithAuth(a Auth) Option {
	a.Scopes, a.Audiences, a.Resources = slices.Clone(a.Scopes), slices.Clone(a.Audiences), slices.Clone(a.Resources)
	a.InsecureTokenHosts, a.APIKeys = slices.Clone(a.InsecureTokenHosts), maps.Clone(a.APIKeys)
	return func(s *settings) {
		if a.Grant != GrantInherit {
			s.Grant = a.Grant
			s.mark("GRANT")
		}
		if a.Anonymous != GrantInherit {
			s.anonymous = a.Anonymous
		}
		if a.TokenURL != "" {
			s.TokenURL = a.TokenURL
			s.mark("TOKEN_URL")
		}
		if a.Issuer != "" {
			s.Issuer = a.Issuer
			s.mark("ISSUER")
		}
		switch {
		case a.ClientID != "":
			// Another client: a secret from elsewhere is not its.
			s.ClientID, s.clientSecret = a.ClientID, a.ClientSecret
			s.mark("CLIENT_ID")
			s.mark("CLIENT_SECRET")
		case a.ClientSecret != "":
			// The secret of the client that services.yaml or the
			// environment names (a client id is not secret; its secret
			// comes from a vault in code).
			s.clientSecret = a.ClientSecret
			s.mark("CLIENT_SECRET")
		}
		if a.ClientAuth != token.ClientAuthDefault {
			s.ClientAuth = a.ClientAuth
		}
		if a.Scopes != nil {
			s.Scopes = a.Scopes
			s.mark("SCOPES")
		}
		if a.Audiences != nil {
			s.Audiences = a.Audiences
			s.mark("AUDIENCE")
		}
		if a.Resources != nil {
			s.Resources = a.Resources
			s.mark("RESOURCE")
		}
		if a.SubjectTokenType != "" {
			s.SubjectTokenType = a.SubjectTokenType
		}
		if a.RequestedTokenType != "" {
			s.RequestedTokenType = a.RequestedTokenType
		}
		if a.ActorToken != "" {
			s.actorToken = a.ActorToken
			s.mark("ACTOR_TOKEN")
		}
		if a.ActorTokenType != "" {
			s.ActorTokenType = a.ActorTokenType
		}
		if a.InsecureTokenHosts != nil {
			s.insecureHosts = a.InsecureTokenHosts
			s.mark("INSECURE_TOKEN_HOSTS")
		}
		if a.TokenSource != nil {
			s.source = a.TokenSource
		}
		s.tokens = s.tokens.Merge(a.Tokens)
		for scheme, key := range a.APIKeys {
			if s.apiKeys == nil {
				s.apiKeys = map[string]string{}
			}
			s.apiKeys[scheme] = key
		}
		switch {
		case a.Username != "":
			s.username, s.password, s.usernameSet, s.passwordSet = a.Username, a.Password, true, true
		case a.Password != "":
			s.password, s.passwordSet = a.Password, true
		}
		if a.BearerToken != "" {
			s.bearerToken = a.BearerToken
			s.mark("BEARER_TOKEN")
		}
	}
}
