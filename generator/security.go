package generator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tpgen/tpgen/generator/config"
	"github.com/tpgen/tpgen/generator/internal/model"
	"github.com/tpgen/tpgen/internal/keyheader"
)

// The spec's security requirements reach the generated package as data the
// runtime reads: the schemes operations name (ServiceConfig.Schemes), the
// spec's global requirements (ServiceConfig.Security) and each operation's
// own (Operation.Security). Which requirement a call meets is decided at
// run time, from the credentials configured then; here every scheme is
// checked and described, and each secret is only named (the ${VAR}s of
// services.yaml), never held.

// Credentials name the environment variables (services.yaml's ${VAR}s) that
// hold the secrets of the spec's security schemes.
type Credentials struct {
	APIKey     string                // every apiKey scheme
	APIKeys    map[string]string     // by scheme name
	APIKeysPos map[string]config.Pos // where each name of APIKeys is written
	Username   string                // the basic user name, written literally
	UserEnv    string                // or the variable that holds it
	Password   string
	Bearer     string
}

// requirements turns OpenAPI security requirements into lists of scheme
// names, in the spec's order (the order of preference), each list sorted.
// An empty requirement ({}: no credentials needed) is an empty list.
func requirements(sec openapi3.SecurityRequirements) [][]string {
	out := make([][]string, 0, len(sec))
	for _, req := range sec {
		out = append(out, sortedKeys(req))
	}
	return out
}

// security settles the package's schemes and requirements once every
// operation has its own: an operation whose requirements are the global
// ones inherits them, the global ones are kept only when some operation
// inherits them, and every scheme named is described.
func (b *builder) security() {
	global := b.pkg.Security
	inherits := false
	for _, op := range b.pkg.Methods {
		if op.Security != nil && slices.EqualFunc(op.Security, global, slices.Equal[[]string]) {
			op.Security = nil // the same as inheriting (also none for none)
		}
		inherits = inherits || op.Security == nil
	}
	if !inherits {
		b.pkg.Security = nil
	}
	used := map[string]string{} // scheme name -> a place that names it
	name := func(reqs [][]string, place string) {
		for _, req := range reqs {
			for _, n := range req {
				if _, ok := used[n]; !ok {
					used[n] = place
				}
			}
		}
	}
	name(b.pkg.Security, "security")
	for _, op := range b.pkg.Methods {
		name(op.Security, op.HTTPMethod+" "+op.WrittenPath())
	}
	var declared openapi3.SecuritySchemes
	if c := b.sp.Doc.Components; c != nil {
		declared = c.SecuritySchemes
	}
	for _, n := range sortedKeys(used) {
		ref := declared[n]
		if ref == nil || ref.Value == nil {
			b.note("security requirement names a scheme that components.securitySchemes does not declare: calls never meet that requirement",
				used[n], fmt.Sprintf("scheme %q", n))
			continue
		}
		b.pkg.Schemes = append(b.pkg.Schemes, b.scheme(n, ref.Value))
	}
	b.checkCredentials(declared)
}

// scheme describes the scheme called name. A scheme the runtime cannot send
// (HTTP digest, an apiKey where no key can go) is described as unsupported,
// with a -v note: requirements that name it are never met.
func (b *builder) scheme(name string, ss *openapi3.SecurityScheme) model.SecurityScheme {
	cr := b.svc.Credentials
	out := model.SecurityScheme{Name: name, Kind: model.SchemeUnsupported}
	// what is the scheme in a few words, why what the runtime lacks.
	unsupported := func(what, why string) model.SecurityScheme {
		out.Unsupported = what
		detail := what
		if why != "" {
			detail += ": " + why
		}
		b.note("security scheme the runtime cannot send: requirements that name it are never met", "components/securitySchemes/"+name, detail)
		return out
	}
	switch strings.ToLower(ss.Type) {
	case "apikey":
		in, what, why := b.apiKeyPlace(ss)
		if what != "" {
			return unsupported(what, why)
		}
		out.Kind, out.In, out.Param, out.SecretEnv = model.SchemeAPIKey, in, ss.Name, cr.APIKeys[name]
		b.pkg.Runtime.APIKeyEnv = cr.APIKey
	case "http":
		switch strings.ToLower(ss.Scheme) {
		case "basic":
			out.Kind, out.SecretEnv, out.Username, out.UsernameEnv = model.SchemeBasic, cr.Password, cr.Username, cr.UserEnv
		case "bearer":
			out.Kind, out.SecretEnv = model.SchemeBearer, cr.Bearer
		default:
			return unsupported("http "+ss.Scheme, "")
		}
	case "oauth2", "openidconnect":
		out.Kind = model.SchemeOAuth2
	case "mutualtls":
		out.Kind = model.SchemeMutualTLS
	default:
		return unsupported(fmt.Sprintf("type %q", ss.Type), "")
	}
	return out
}

// apiKeyPlace is where an apiKey scheme's key goes (header, query or
// cookie), or, when the runtime cannot send it there, what the scheme is
// and why not (what != ""). The message id header is the one the runtime
// will use: services.yaml's, else its default (single-spec mode sets none).
func (b *builder) apiKeyPlace(ss *openapi3.SecurityScheme) (in model.ParamIn, what, why string) {
	in, ok := model.ParseIn(strings.ToLower(ss.In))
	switch {
	case !ok || in == model.InPath:
		return in, fmt.Sprintf("apiKey in %q", ss.In), "in must be header, query or cookie"
	case ss.Name == "":
		return in, "apiKey without a name", ""
	case (in == model.InHeader || in == model.InCookie) && !httpToken(ss.Name):
		return in, "apiKey in " + in.String(), fmt.Sprintf("its name %q is not an HTTP token", ss.Name)
	case in == model.InHeader && keyheader.Reserved(ss.Name, cmp.Or(b.svc.Runtime.MessageIDHeader, config.DefaultMessageIDHeader)):
		return in, "apiKey in header " + http.CanonicalHeaderKey(ss.Name), "HTTP or the runtime sets that header itself"
	}
	return in, "", ""
}

// checkCredentials refuses api_keys names that are not apiKey schemes of
// the spec, at the name in services.yaml.
func (b *builder) checkCredentials(declared openapi3.SecuritySchemes) {
	var keys []string
	for _, n := range sortedKeys(declared) {
		if s := declared[n]; s != nil && s.Value != nil && strings.EqualFold(s.Value.Type, "apiKey") {
			keys = append(keys, n)
		}
	}
	cr := b.svc.Credentials
	for _, n := range sortedKeys(cr.APIKeys) {
		if slices.Contains(keys, n) {
			continue
		}
		msg := fmt.Sprintf("service %q: api_keys names %q, which is not an apiKey security scheme of %s", b.svc.Name, n, b.sp.Display)
		if s := config.Suggest(n, keys); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else if len(keys) == 0 {
			msg += " (it declares none)"
		} else {
			msg += " (it declares " + strings.Join(keys, ", ") + ")"
		}
		b.errs = append(b.errs, cr.APIKeysPos[n].Errorf("%s", msg))
	}
}

// httpToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func httpToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}
