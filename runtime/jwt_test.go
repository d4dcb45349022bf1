package runtime_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/jwt"
)

// TestJWTVerifierAtTheDoor: Middleware with a jwt.Verifier refuses forged
// tokens before the handler runs, and gives a verified system caller the
// service's identity under grant auto.
func TestJWTVerifierAtTheDoor(t *testing.T) {
	auth := startProvider(t)
	a := newAPI(t, auth, "orders-api")
	a.anyActor = true
	svc := txService(t, auth, a, runtime.GrantAuto)
	v := &jwt.Verifier{Issuer: auth.Issuer(), Audience: "caller", System: jwt.ClaimIs("userType", "system")}
	srv := newApp(t, svc, runtime.MiddlewareConfig{VerifyCaller: v.VerifyCaller})
	forged := forgeUnsigned(t, map[string]any{"iss": auth.Issuer(), "aud": "caller", "exp": time.Now().Add(time.Hour).Unix(), "userType": "system"})
	if status := srv.get(t, "Bearer "+forged); status != http.StatusUnauthorized || auth.TokenRequests() != 0 || len(a.Hits()) != 0 {
		t.Errorf("forged: status %d, %d token requests, %d calls", status, auth.TokenRequests(), len(a.Hits()))
	}
	if status := srv.get(t, "Bearer "+user(t, auth, "nightly", map[string]any{"userType": "system"})); status != 200 || !isServiceToken(a.Hits()[0]) {
		t.Errorf("verified system caller: status %d: %v", status, srv.lastErr())
	}
	if status := srv.get(t, "Bearer "+user(t, auth, "alice", nil)); status != 200 || a.Hits()[1].Claims.Subject != "alice" {
		t.Errorf("verified user: status %d: %v", status, srv.lastErr())
	}
}
