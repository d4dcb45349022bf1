package runtime

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tpgen/tpgen/internal/envname"
	"github.com/tpgen/tpgen/internal/keyheader"
	"github.com/tpgen/tpgen/runtime/internal/quote"
	"github.com/tpgen/tpgen/runtime/internal/redact"
)

// SchemeKind is the kind of a security scheme an OpenAPI document declares.
type SchemeKind uint8

const (
	// SchemeUnsupported is a scheme the runtime cannot send (HTTP digest, say):
	// a requirement that names it is never met.
	SchemeUnsupported SchemeKind = iota
	// SchemeOAuth2 is an oauth2 or openIdConnect scheme: a bearer token the
	// grant obtains (or forwards).
	SchemeOAuth2
	// SchemeAPIKey is an apiKey scheme: a key in a header, query parameter or cookie.
	SchemeAPIKey
	// SchemeBasic is an HTTP basic scheme: a user name and password.
	SchemeBasic
	// SchemeBearer is an HTTP bearer scheme: a static token when one is
	// configured (Auth.BearerToken), else the token the grant obtains.
	SchemeBearer
	// SchemeMutualTLS is a mutualTLS scheme: the client certificate of the
	// HTTP client (WithHTTPClient) meets it; the runtime sends nothing for it.
	SchemeMutualTLS
)

var schemeKindNames = [...]string{"unsupported", "oauth2", "apiKey", "http basic", "http bearer", "mutualTLS"}

// String names the kind as OpenAPI does.
func (k SchemeKind) String() string {
	if int(k) < len(schemeKindNames) {
		return schemeKindNames[k]
	}
	return fmt.Sprintf("SchemeKind(%d)", k)
}

// SecurityScheme is one of the spec's security schemes (components.securitySchemes),
// as a generated package describes it in ServiceConfig.Schemes. It holds no
// secret: only where a secret goes and which environment variable holds it.
type SecurityScheme struct {
	// Name is the scheme's name in the spec; operations' requirements name it.
	Name string
	Kind SchemeKind
	// In and Param say where an API key goes: "header", "query" or "cookie",
	// and the header, query parameter or cookie name. For SchemeUnsupported,
	// In says what the scheme is.
	In    string
	Param string
	// SecretEnv names the environment variable (a ${VAR} of services.yaml)
	// that holds the API key (of this scheme: api_keys), the basic password
	// or the bearer token.
	SecretEnv string
	// Username is the basic user name, or UsernameEnv the variable that holds it.
	Username    string
	UsernameEnv string
}

// scheme is a SecurityScheme with the credentials configured for it.
type scheme struct {
	SecurityScheme
	value string // the API key, basic password or static bearer token; "" when none is configured
	user  string // the basic user name
	set   bool   // the scheme's credentials are configured
}

// resolveSchemes finds the credentials of the service's security schemes:
// options first, then TPGEN_<SERVICE>_* variables, then the variables
// services.yaml names. It reports schemes it cannot send with fail, and
// returns where the service's API keys go, so that redirects to other
// origins drop them.
func (st *settings) resolveSchemes(fail func(string, ...any)) (byName map[string]*scheme, headers, cookies, query []string) {
	prefix := EnvPrefix(st.Name)
	env := func(name string) (string, bool) {
		if name == "" {
			return "", false
		}
		return st.lookupEnv(name)
	}
	first := func(vals ...func() (string, bool)) (string, bool) {
		for _, v := range vals {
			if s, ok := v(); ok {
				return s, true
			}
		}
		return "", false
	}
	opt := func(v string, set bool) func() (string, bool) { return func() (string, bool) { return v, set } }
	fromEnv := func(name string) func() (string, bool) { return func() (string, bool) { return env(name) } }
	byName = map[string]*scheme{}
	for _, d := range st.Schemes {
		sc := &scheme{SecurityScheme: d}
		byName[d.Name] = sc
		switch d.Kind {
		case SchemeAPIKey:
			// The scheme's own key wherever it is set, then the key of every
			// scheme: each in the order options, TPGEN_ variables, services.yaml.
			own, ownSet := st.apiKeys[d.Name]
			all, allSet := st.apiKeys[""]
			sc.value, sc.set = first(opt(own, ownSet), fromEnv(prefix+envname.APIKeyOf(d.Name)), fromEnv(d.SecretEnv),
				opt(all, allSet), fromEnv(prefix+envname.APIKey), fromEnv(st.APIKeyEnv))
			switch d.In {
			case "header":
				if !quote.IsToken(d.Param) {
					fail("apiKey scheme %q: header name %q is not an HTTP token", d.Name, quote.Truncate(d.Param, 60))
				} else if keyheader.Reserved(d.Param, cmp.Or(st.MessageIDHeader, DefaultMessageIDHeader)) {
					fail("apiKey scheme %q: header %s is HTTP's or the runtime's own and cannot carry a key", d.Name, http.CanonicalHeaderKey(d.Param))
				}
				headers = append(headers, http.CanonicalHeaderKey(d.Param))
			case "cookie":
				if !quote.IsToken(d.Param) {
					fail("apiKey scheme %q: cookie name %q is not an HTTP token", d.Name, quote.Truncate(d.Param, 60))
				}
				if sc.set && !cookieValue(sc.value) {
					// Not quoted: it is the key.
					fail("apiKey scheme %q: the key has a character a cookie cannot carry (space, quote, comma, semicolon, backslash, control or non-ASCII)", d.Name)
				}
				cookies = append(cookies, d.Param)
			case "query":
				if d.Param == "" {
					fail("apiKey scheme %q has no parameter name", d.Name)
				}
				query = append(query, d.Param)
			default:
				fail("apiKey scheme %q: in must be header, query or cookie, not %q", d.Name, quote.Truncate(d.In, 20))
			}
			if sc.set && strings.ContainsAny(sc.value, "\r\n\x00") {
				fail("apiKey scheme %q: the key has a line break or NUL", d.Name)
			}
		case SchemeBasic:
			var userSet, passSet bool
			sc.user, userSet = first(opt(st.username, st.usernameSet), fromEnv(prefix+envname.Username), fromEnv(d.UsernameEnv))
			if !userSet {
				sc.user = d.Username
			}
			sc.value, passSet = first(opt(st.password, st.passwordSet), fromEnv(prefix+envname.Password), fromEnv(d.SecretEnv))
			// A password configured meets the scheme; so does a user name
			// configured at run time without one (an API key sent as the
			// user name: Stripe). A user name written in services.yaml alone
			// does not: nothing secret was configured.
			sc.set = (passSet || userSet) && sc.user+sc.value != ""
			if strings.Contains(sc.user, ":") {
				fail("http basic scheme %q: the user name contains a colon, which basic authentication cannot carry", d.Name)
			}
		case SchemeBearer:
			sc.value, sc.set = first(opt(st.bearerToken, st.set["BEARER_TOKEN"]), fromEnv(prefix+envname.BearerToken), fromEnv(d.SecretEnv))
			sc.set = sc.set && sc.value != ""
			if strings.ContainsAny(sc.value, "\r\n\x00 ") {
				fail("http bearer scheme %q: the token has a space, line break or NUL", d.Name)
			}
		}
	}
	return byName, headers, cookies, query
}

// cookieValue reports whether v can be sent as a cookie value unchanged (RFC
// 6265 §4.1.1 cookie-octets).
func cookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// alternative is the security requirement an operation's calls meet: every
// credential it sends, and whether the grant's token is among them.
type alternative struct {
	schemes       string // the schemes' names, joined by "+", for records and logs
	grant         bool   // the grant's token is sent as the bearer token
	authorization string // a static Authorization value (basic, a static bearer token)
	creds         []credential
	query         string          // API keys in the query, encoded, to append
	red           redact.Redactor // every form of the secrets sent
}

// credential is an API key sent in a header or a cookie.
type credential struct {
	cookie      bool
	name, value string
}

// choose returns the first of the requirements (alternatives, each a list
// of scheme names) whose schemes all have credentials, with grant the
// operation's grant; or, when none does, nil and the error that says what to
// configure, unless grant is GrantNone (the operator chose to call without
// credentials): then nil, nil. Requirements that name no scheme are met by
// sending nothing.
func (s *Service) choose(reqs [][]string, grant Grant) (*alternative, error) {
	hasGrant := grant != GrantNone && grant != GrantInherit
	var missing []string
	for _, req := range reqs {
		alt := &alternative{}
		var names []string
		var why []string
		for _, name := range req {
			names = append(names, name)
			sc := s.schemes[name]
			if sc == nil {
				why = append(why, fmt.Sprintf("scheme %q, which the service does not declare", name))
				continue
			}
			switch sc.Kind {
			case SchemeOAuth2:
				if !hasGrant {
					why = append(why, fmt.Sprintf("oauth2 %q needs a grant: set auth.grant in services.yaml, %sGRANT, or pass runtime.Auth{Grant}", name, EnvPrefix(s.name)))
				}
				alt.grant = true
			case SchemeBearer:
				switch {
				case sc.set:
					if alt.authorization != "" {
						why = append(why, fmt.Sprintf("http bearer %q and another scheme both need the Authorization header", name))
					}
					alt.authorization = "Bearer " + sc.value
					alt.red.AddSecret(sc.value)
				case hasGrant:
					alt.grant = true
				default:
					why = append(why, fmt.Sprintf("http bearer %q needs a token: set %sBEARER_TOKEN or bearer_token: ${VAR} in services.yaml, pass runtime.Auth{BearerToken}, or set a grant", name, EnvPrefix(s.name)))
				}
			case SchemeBasic:
				if !sc.set {
					why = append(why, fmt.Sprintf("http basic %q needs a user name and password: set %sUSERNAME and %sPASSWORD, username and password: ${VAR} in services.yaml, or pass runtime.Auth{Username, Password}", name, EnvPrefix(s.name), EnvPrefix(s.name)))
					continue
				}
				if alt.authorization != "" {
					why = append(why, fmt.Sprintf("http basic %q and another scheme both need the Authorization header", name))
				}
				alt.authorization = "Basic " + base64.StdEncoding.EncodeToString([]byte(sc.user+":"+sc.value))
				alt.red.AddSecret(sc.value)
				alt.red.AddBasicPair(sc.user, sc.value)
				if sc.value == "" {
					alt.red.AddSecret(sc.user) // the key is the user name (Stripe)
				}
			case SchemeAPIKey:
				if !sc.set {
					why = append(why, fmt.Sprintf("apiKey %q needs a key: set %s%s or %s%s, api_key: ${VAR} in services.yaml, or pass runtime.Auth{APIKeys}",
						name, EnvPrefix(s.name), envname.APIKeyOf(name), EnvPrefix(s.name), envname.APIKey))
					continue
				}
				alt.red.AddSecret(sc.value)
				switch sc.In {
				case "query":
					if alt.query != "" {
						alt.query += "&"
					}
					alt.query += url.QueryEscape(sc.Param) + "=" + url.QueryEscape(sc.value)
				case "cookie":
					alt.creds = append(alt.creds, credential{cookie: true, name: sc.Param, value: sc.value})
				default:
					if http.CanonicalHeaderKey(sc.Param) == "Authorization" {
						if alt.authorization != "" {
							why = append(why, fmt.Sprintf("apiKey %q and another scheme both need the Authorization header", name))
						}
						alt.authorization = sc.value
						continue
					}
					alt.creds = append(alt.creds, credential{name: http.CanonicalHeaderKey(sc.Param), value: sc.value})
				}
			case SchemeMutualTLS:
				// The HTTP client's certificate meets it; nothing to send.
			default:
				why = append(why, fmt.Sprintf("%q is a %s scheme, which the runtime cannot send", name, quote.Truncate(sc.In, 40)))
			}
		}
		if alt.grant && alt.authorization != "" {
			why = append(why, fmt.Sprintf("%s: the grant's token and another scheme both need the Authorization header", strings.Join(names, "+")))
		}
		if len(why) == 0 {
			alt.schemes = strings.Join(names, "+")
			alt.red = alt.red.Sorted()
			return alt, nil
		}
		missing = append(missing, strings.Join(why, ", and "))
	}
	if grant == GrantNone {
		return nil, nil
	}
	return nil, &credentialsError{missing: missing}
}

// credentialsError is the error of an operation none of whose security
// requirements has credentials.
type credentialsError struct{ missing []string }

func (e *credentialsError) Error() string {
	return "no credentials for any of the security requirements (" + strings.Join(e.missing, "; or ") +
		"); runtime.Auth{Grant: runtime.GrantNone} calls without credentials"
}

// checkSecurity reports, when the service is built, that the security
// requirements of operations without their own (ServiceConfig.Security)
// cannot be met because an API key or a user name and password is missing:
// whether an OAuth2 or bearer requirement can be met depends on the grant
// of each call and is judged then.
func (s *Service) checkSecurity(fail func(string, ...any)) {
	if len(s.security) == 0 || s.grant == GrantNone {
		return
	}
	if _, err := s.choose(s.security, GrantAuto); err != nil {
		fail("%w", err) // errors.Is(err, ErrNoCredentials) holds for New's error
	}
}

func (e *credentialsError) Is(target error) bool { return target == ErrNoCredentials }

// apply sets the API keys of alt that go in headers and cookies on req,
// replacing what an earlier attempt set; cookie is the request's Cookie
// header before any was added.
func (alt *alternative) apply(req *http.Request, cookie []string) {
	if alt == nil {
		return
	}
	var jar []string
	for _, c := range alt.creds {
		if c.cookie {
			jar = append(jar, c.name+"="+c.value)
			continue
		}
		req.Header[c.name] = []string{c.value}
	}
	if len(jar) > 0 {
		all := strings.Join(jar, "; ")
		if len(cookie) > 0 {
			all = strings.Join(cookie, "; ") + "; " + all
		}
		req.Header["Cookie"] = []string{all}
	}
}
