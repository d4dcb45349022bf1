package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tpgen/tpgen/internal/envname"
)

// EnvPrefix returns the prefix of the environment variables that override a
// service's configuration: TPGEN_ and the service name in upper case with every
// other character than A-Z and 0-9 replaced by '_' (orders-v2 -> TPGEN_ORDERS_V2_).
// The variables are BASE_URL, TOKEN_URL, ISSUER, CLIENT_ID, CLIENT_SECRET,
// GRANT, SCOPES, AUDIENCE, RESOURCE, ACTOR_TOKEN, INSECURE_TOKEN_HOSTS,
// TIMEOUT, MAX_RESPONSE_BYTES and VALIDATE_RESPONSES, and for the spec's
// security schemes API_KEY, API_KEY_<SCHEME>, USERNAME, PASSWORD and
// BEARER_TOKEN; each generated README lists its service's. A variable with
// the prefix that means nothing is warned about when the client is created.
func EnvPrefix(service string) string { return envname.Prefix(service) }

// applyEnv reads the environment into st: the variables named in
// services.yaml (${VAR}) first, then TPGEN_<SERVICE>_*. What an option set
// stays. It returns every variable that holds no valid value.
func (st *settings) applyEnv() []error {
	var errs []error
	named := func(env, field string, dst *string) {
		if env != "" && !st.set[field] {
			if v, ok := st.lookupEnv(env); ok {
				*dst = v
			}
		}
	}
	named(st.ClientIDEnv, "CLIENT_ID", &st.ClientID)
	named(st.ClientSecretEnv, "CLIENT_SECRET", &st.clientSecret)
	named(st.ActorTokenEnv, "ACTOR_TOKEN", &st.actorToken)
	prefix := EnvPrefix(st.Name)
	for _, name := range envname.Vars {
		if st.set[name] {
			continue
		}
		v, ok := st.lookupEnv(prefix + name)
		if !ok {
			continue
		}
		switch name {
		case "BASE_URL":
			st.BaseURL = v
		case "TOKEN_URL":
			st.TokenURL = v
		case "ISSUER":
			st.Issuer = v
		case "CLIENT_ID":
			st.ClientID = v
		case "CLIENT_SECRET":
			st.clientSecret = v
		case "GRANT":
			g, err := parseGrant(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s%s: %w", st.name(), prefix, name, err))
				continue
			}
			st.Grant = g
		case "SCOPES":
			st.Scopes = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		case "AUDIENCE":
			st.Audiences = strings.Fields(v)
		case "RESOURCE":
			st.Resources = strings.Fields(v)
		case "ACTOR_TOKEN":
			st.actorToken = v
		case "INSECURE_TOKEN_HOSTS":
			st.insecureHosts = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		case "TIMEOUT":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s: %s%s: %q is not a duration such as 30s", st.name(), prefix, name, v))
				continue
			}
			st.Timeout = d
		case "MAX_RESPONSE_BYTES":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				errs = append(errs, fmt.Errorf("%s: %s%s: %q is not a positive number of bytes such as 33554432", st.name(), prefix, name, v))
				continue
			}
			st.maxBody = n
		case "VALIDATE_RESPONSES":
			on, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s%s: %q is not true or false", st.name(), prefix, name, v))
				continue
			}
			st.ValidateResponses = on
		}
	}
	return errs
}

// name is the service's name as errors give it.
func (st *settings) name() string {
	if st.Name == "" {
		return "service"
	}
	return st.Name
}

// credentialHint says where a missing client id or secret can be set.
func (st *settings) credentialHint(what, suffix, named string) string {
	hint := ""
	if named != "" {
		hint = "set " + named + " or "
	} else {
		hint = "set "
	}
	return fmt.Sprintf("%s%s%s, or pass runtime.Auth{ClientID, ClientSecret} (client %s is empty)", hint, EnvPrefix(st.Name), suffix, what)
}
