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
// GRANT, SCOPES, AUDIENCE, RESOURCE, TIMEOUT, MAX_RESPONSE_BYTES and
// VALIDATE_RESPONSES; each
// generated README lists its service's.
func EnvPrefix(service string) string { return envname.Prefix(service) }

// applyEnv reads the environment into st: the variables named in
// services.yaml (${VAR}) first, then TPGEN_<SERVICE>_*. What an option set
// stays.
func (st *settings) applyEnv() error {
	if st.ClientIDEnv != "" && !st.set["CLIENT_ID"] {
		if v, ok := st.lookupEnv(st.ClientIDEnv); ok {
			st.ClientID = v
		}
	}
	if st.ClientSecretEnv != "" && !st.set["CLIENT_SECRET"] {
		if v, ok := st.lookupEnv(st.ClientSecretEnv); ok {
			st.clientSecret = v
		}
	}
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
			g, err := ParseGrant(v)
			if err != nil {
				return fmt.Errorf("%s%s: %w", prefix, name, err)
			}
			st.Grant = g
		case "SCOPES":
			st.Scopes = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		case "AUDIENCE":
			st.Audience = v
		case "RESOURCE":
			st.Resource = v
		case "TIMEOUT":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%s%s: %q is not a duration such as 30s", prefix, name, v)
			}
			st.Timeout = d
		case "MAX_RESPONSE_BYTES":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%s%s: %q is not a positive number of bytes such as 33554432", prefix, name, v)
			}
			st.maxBody = n
		case "VALIDATE_RESPONSES":
			on, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s%s: %q is not true or false", prefix, name, v)
			}
			st.ValidateResponses = on
		}
	}
	return nil
}

// credentialHint says where a missing client id or secret can be set.
func (st *settings) credentialHint(what, suffix, named string) string {
	hint := ""
	if named != "" {
		hint = "set " + named + " or "
	} else {
		hint = "set "
	}
	return fmt.Sprintf("%s%s%s, or pass runtime.WithClientCredentials (client %s is empty)", hint, EnvPrefix(st.Name), suffix, what)
}
