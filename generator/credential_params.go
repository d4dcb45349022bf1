package generator

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// credentialNote is the -v note of a parameter that is an apiKey scheme's
// credential.
const credentialNote = "parameters that are the credential of an apiKey scheme the operation requires, left out: the runtime sends the key from configuration (api_keys in services.yaml, TPGEN_<SERVICE>_API_KEY_<SCHEME>, runtime.Auth{APIKeys})"

// withoutCredentials returns params less those that are the key of an
// apiKey scheme the operation's requirements name (its own, else the
// spec's) and that the runtime can send (see apiKeyPlace): specs often
// declare the key a second time as a parameter. As a
// parameter it would be a field of the call's params, sent beside (or
// instead of) the configured key, and kept out of the redaction that
// credentials get; tpgen takes credentials from configuration only.
func (b *builder) withoutCredentials(params []*openapi3.Parameter, r *opRef) []*openapi3.Parameter {
	sec := r.op.Security
	if sec == nil {
		sec = &b.sp.Doc.Security
	}
	var schemes openapi3.SecuritySchemes
	if c := b.sp.Doc.Components; c != nil {
		schemes = c.SecuritySchemes
	}
	type place struct{ in, name string }
	keys := map[place]string{} // where a key the runtime sends goes -> its scheme
	for _, req := range *sec {
		for name := range req {
			ref := schemes[name]
			if ref == nil || ref.Value == nil || !strings.EqualFold(ref.Value.Type, "apiKey") {
				continue
			}
			if in, what, _ := b.apiKeyPlace(ref.Value); what == "" {
				keys[place{in.String(), wireKey(in.String(), ref.Value.Name)}] = name
			}
		}
	}
	if len(keys) == 0 {
		return params
	}
	out := params[:0:0]
	for _, p := range params {
		if scheme, ok := keys[place{p.In, wireKey(p.In, p.Name)}]; ok {
			b.note(credentialNote, r.method+" "+r.path, p.In+" parameter "+strconv.Quote(p.Name)+" is scheme "+strconv.Quote(scheme)+"'s key")
			continue
		}
		out = append(out, p)
	}
	return out
}

// wireKey is how a parameter's name compares on the wire: header names
// without regard to case, query parameters and cookies exactly.
func wireKey(in, name string) string {
	if in == "header" {
		return http.CanonicalHeaderKey(name)
	}
	return name
}
