package generator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/load"
	"github.com/tpgen/tpgen/generator/internal/model"
	"github.com/tpgen/tpgen/internal/loopback"
)

// What services.yaml leaves out of a service's auth, the spec's OAuth2
// schemes may say: a clientCredentials flow gives the grant and, with any
// flow, the token endpoint; an openIdConnect scheme the issuer. A spec is
// someone else's text, so what it decides is visible: the token endpoint
// and issuer it names (where the client secret goes) are warned about on
// every run until services.yaml names them, they must pass the rules a
// configured URL does, and a grant taken from a scheme that also declares
// flows for users, where calls may have been meant to act for the caller,
// is warned about too. A client whose secured operations get no credentials
// at all is never generated without a warning.

// oauthScheme is an OAuth2 or OpenID Connect scheme that requirements name.
type oauthScheme struct {
	name string
	ss   *openapi3.SecurityScheme
}

// authDefaults settles the grant, token URL and issuer that services.yaml
// does not give, from the spec's schemes, and warns about operations left
// without credentials.
func (b *builder) authDefaults() {
	rd := &b.pkg.Runtime
	schemes := b.oauthSchemes()
	if rd.Grant == model.GrantUnset {
		for _, s := range schemes {
			if s.ss.Flows == nil || s.ss.Flows.ClientCredentials == nil {
				continue
			}
			rd.Grant = model.GrantClientCredentials
			b.pkg.AuthFrom["grant"] = fmt.Sprintf("the spec's oauth2 scheme %s (flows.clientCredentials)", s.name)
			b.note("grant client_credentials taken from the spec: set auth.grant in services.yaml to choose", "components/securitySchemes/"+s.name, "")
			if users := userFlows(s.ss.Flows); len(users) > 0 {
				b.pkg.Alerts = append(b.pkg.Alerts, fmt.Sprintf("grant client_credentials taken from the spec's oauth2 scheme %q, which also declares %s: calls are made as the service's own identity, never for the caller; set auth.grant (token_exchange or passthrough to act for the caller, client_credentials to confirm)",
					s.name, strings.Join(users, " and ")))
			}
			break
		}
	}
	if rd.TokenURL == "" && rd.Issuer == "" && needsEndpoint(b.grants()) {
		b.endpointFromSpec(schemes)
	}
	b.unauthenticated()
}

// oauthSchemes returns the OAuth2 and OpenID Connect schemes that the
// package's requirements name, in name order.
func (b *builder) oauthSchemes() []oauthScheme {
	var declared openapi3.SecuritySchemes
	if c := b.sp.Doc.Components; c != nil {
		declared = c.SecuritySchemes
	}
	var out []oauthScheme
	for _, sc := range b.pkg.Schemes {
		if sc.Kind != model.SchemeOAuth2 {
			continue
		}
		if ref := declared[sc.Name]; ref != nil && ref.Value != nil {
			out = append(out, oauthScheme{sc.Name, ref.Value})
		}
	}
	return out
}

// userFlows names the flows of f in which a user signs in.
func userFlows(f *openapi3.OAuthFlows) []string {
	var out []string
	for _, fl := range []struct {
		name string
		flow *openapi3.OAuthFlow
	}{{"authorizationCode", f.AuthorizationCode}, {"implicit", f.Implicit}, {"password", f.Password}} {
		if fl.flow != nil {
			out = append(out, "flows."+fl.name)
		}
	}
	return out
}

// grants returns the grants the package's operations are called with.
func (b *builder) grants() []model.Grant {
	out := []model.Grant{b.pkg.Runtime.Grant}
	for _, op := range b.pkg.Methods {
		if op.Grant != model.GrantUnset {
			out = append(out, op.Grant)
		}
	}
	return out
}

func needsEndpoint(grants []model.Grant) bool {
	return slices.ContainsFunc(grants, model.Grant.NeedsEndpoint)
}

// endpointFromSpec takes the token endpoint from the first OAuth2 scheme
// with a flow that names one (clientCredentials first: flows of one server
// share its endpoint), else the issuer of the first OpenID Connect scheme.
func (b *builder) endpointFromSpec(schemes []oauthScheme) {
	rd := &b.pkg.Runtime
	for _, s := range schemes {
		if s.ss.Flows == nil {
			continue
		}
		f := s.ss.Flows
		for _, fl := range []struct {
			name string
			flow *openapi3.OAuthFlow
		}{{"clientCredentials", f.ClientCredentials}, {"authorizationCode", f.AuthorizationCode}, {"password", f.Password}} {
			if fl.flow == nil || fl.flow.TokenURL == "" {
				continue
			}
			from := fmt.Sprintf("the spec's oauth2 scheme %s (flows.%s.tokenUrl)", s.name, fl.name)
			if u := b.specURL("token URL", fl.flow.TokenURL, true, "components", "securitySchemes", s.name, "flows", fl.name, "tokenUrl"); u != "" {
				rd.TokenURL = u
				b.pkg.AuthFrom["token URL"] = from
				b.pkg.Alerts = append(b.pkg.Alerts, fmt.Sprintf("token URL %s taken from %s: the client secret is sent there; set auth.token_url or auth.issuer in services.yaml to confirm", u, from))
				return
			}
		}
	}
	for _, s := range schemes {
		if !strings.EqualFold(s.ss.Type, "openIdConnect") || s.ss.OpenIdConnectUrl == "" {
			continue
		}
		from := fmt.Sprintf("the spec's openIdConnect scheme %s (openIdConnectUrl)", s.name)
		issuer, ok := strings.CutSuffix(s.ss.OpenIdConnectUrl, "/.well-known/openid-configuration")
		if !ok {
			b.note("openIdConnectUrl is not an issuer's /.well-known/openid-configuration: no issuer taken from it; set auth.issuer", "components/securitySchemes/"+s.name, "")
			continue
		}
		if u := b.specURL("issuer", issuer, false, "components", "securitySchemes", s.name, "openIdConnectUrl"); u != "" {
			rd.Issuer = u
			b.pkg.AuthFrom["issuer"] = from
			b.pkg.Alerts = append(b.pkg.Alerts, fmt.Sprintf("issuer %s taken from %s: the client secret is sent to the token endpoint its discovery names; set auth.issuer or auth.token_url in services.yaml to confirm", u, from))
			return
		}
	}
}

// specURL returns a token URL or issuer the spec names, resolved against
// the base URL when relative (OpenAPI allows that), when it passes the rules
// of a configured one and is https or loopback; otherwise "" with a note
// that says why.
func (b *builder) specURL(what, raw string, query bool, keys ...string) string {
	v := raw
	// Only a path is resolved: a reference with a host of its own
	// (//host/token) is left as it is, and refused.
	if u, err := url.Parse(raw); err == nil && !u.IsAbs() && u.Host == "" && b.pkg.Runtime.BaseURL != "" {
		if base, err := url.Parse(b.pkg.Runtime.BaseURL); err == nil {
			v = base.ResolveReference(u).String()
		}
	}
	problem := config.CheckHTTPURL(what, v, query)
	if problem == "" {
		if u, _ := url.Parse(v); u.Scheme != "https" && !loopback.Is(u.Hostname()) {
			problem = fmt.Sprintf("%s %s is plain http to a host that is not loopback", what, v)
		}
	}
	if problem != "" {
		b.note(fmt.Sprintf("%s not taken from the spec: set auth.token_url or auth.issuer in services.yaml", what),
			strings.Join(keys, "/"), load.Sanitize(problem))
		return ""
	}
	return v
}

// unauthenticated warns when operations the spec secures get no
// credentials by construction: every requirement of theirs needs the
// grant's token (oauth2, openIdConnect) and the operation has no grant, or
// names schemes the runtime cannot send. Requirements of API keys, basic
// and bearer schemes are met at run time by the secrets configured then,
// and a call without them fails; they are not warned about. Under a grant
// none that services.yaml wrote, the choice is noted (-v) instead.
func (b *builder) unauthenticated() {
	kinds := map[string]model.SchemeKind{}
	for _, sc := range b.pkg.Schemes {
		kinds[sc.Name] = sc.Kind
	}
	var noGrant, unsendable, chosen []string
	for _, op := range b.pkg.Methods {
		reqs := op.Security
		if reqs == nil {
			reqs = b.pkg.Security
		}
		if len(reqs) == 0 {
			continue
		}
		grant := op.Grant
		if grant == model.GrantUnset {
			grant = b.pkg.Runtime.Grant
		}
		hasGrant := grant != model.GrantUnset && grant != model.GrantNone
		// sendable: every scheme of some requirement can be sent, given a grant.
		sendable := func(withGrant bool) bool {
			return slices.ContainsFunc(reqs, func(req []string) bool {
				return !slices.ContainsFunc(req, func(name string) bool {
					switch kinds[name] {
					case model.SchemeAPIKey, model.SchemeBasic, model.SchemeMutualTLS, model.SchemeBearer:
						return false
					case model.SchemeOAuth2:
						return !withGrant
					}
					return true // undeclared or unsupported
				})
			})
		}
		place := op.HTTPMethod + " " + op.WrittenPath()
		switch {
		case sendable(hasGrant):
		case grant == model.GrantNone: // services.yaml's: a spec says none only with security: []
			chosen = append(chosen, place)
		case sendable(true):
			noGrant = append(noGrant, place)
		default:
			unsendable = append(unsendable, place)
		}
	}
	n := len(b.pkg.Methods)
	if len(noGrant) > 0 {
		b.pkg.Alerts = append(b.pkg.Alerts, fmt.Sprintf("%d of %d operations are secured by the spec with OAuth2 but get no token (first: %s): services.yaml gives no grant and the spec's OAuth2 schemes declare no clientCredentials flow; set auth.grant (passthrough or token_exchange to act for the caller, client_credentials for the service's own identity), or grant: none to call them without",
			len(noGrant), n, noGrant[0]))
	}
	if len(unsendable) > 0 {
		b.pkg.Alerts = append(b.pkg.Alerts, fmt.Sprintf("%d of %d operations are secured by the spec only with schemes the runtime cannot send (first: %s; see -v): their calls fail with runtime.ErrNoCredentials",
			len(unsendable), n, unsendable[0]))
	}
	for _, p := range chosen {
		b.note("secured by the spec, called without credentials (grant: none in services.yaml)", p, "")
	}
}
