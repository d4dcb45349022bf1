package runtime

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// SystemClaim returns a test for WithSystemIdentity that recognises a JWT whose
// claim name has value (the original used userType=system). The token's
// signature is not checked: the test only chooses a grant, and the token
// endpoint verifies whatever is exchanged. Tokens that are not JWTs are users'.
func SystemClaim(name, value string) func(token string) bool {
	return func(token string) bool {
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			return false
		}
		payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
		if err != nil {
			return false
		}
		var claims map[string]any
		if json.Unmarshal(payload, &claims) != nil {
			return false
		}
		v, ok := claims[name]
		if !ok {
			return false
		}
		if s, ok := v.(string); ok {
			return s == value
		}
		return fmt.Sprint(v) == value
	}
}
