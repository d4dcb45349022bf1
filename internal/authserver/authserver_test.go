package authserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type tokenResponse struct {
	AccessToken     string `json:"access_token"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int    `json:"expires_in"`
	IssuedTokenType string `json:"issued_token_type"`
	Scope           string `json:"scope"`
	Error           string `json:"error"`
}

// post sends a token request; basic selects client_secret_basic over client_secret_post.
func post(t *testing.T, s *Server, id, secret string, basic bool, form url.Values) (int, tokenResponse) {
	t.Helper()
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, _ := http.NewRequest("POST", s.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatalf("status %d, body %q: %v", resp.StatusCode, body, err)
	}
	return resp.StatusCode, tr
}

func ccForm(scope, audience string) url.Values {
	f := url.Values{"grant_type": {GrantClientCredentials}}
	if scope != "" {
		f.Set("scope", scope)
	}
	if audience != "" {
		f.Set("audience", audience)
	}
	return f
}

func txForm(subject, audience string) url.Values {
	f := url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {subject},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"}}
	if audience != "" {
		f.Set("audience", audience)
	}
	return f
}

func TestDiscovery(t *testing.T) {
	s := start(t)
	resp, err := http.Get(s.Issuer() + DiscoveryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer        string   `json:"issuer"`
		TokenEndpoint string   `json:"token_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		Grants        []string `json:"grant_types_supported"`
		AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != s.Issuer() || doc.TokenEndpoint != s.TokenURL() || doc.JWKS != s.Issuer()+KeysPath {
		t.Errorf("discovery = %+v, issuer %s", doc, s.Issuer())
	}
	for _, g := range []string{GrantClientCredentials, GrantTokenExchange} {
		if !slices.Contains(doc.Grants, g) {
			t.Errorf("grant %s not announced: %v", g, doc.Grants)
		}
	}
	if !slices.Contains(doc.AuthMethods, "client_secret_post") {
		t.Errorf("client_secret_post not announced: %v", doc.AuthMethods)
	}
	if s.DiscoveryRequests() != 1 {
		t.Errorf("DiscoveryRequests = %d, want 1", s.DiscoveryRequests())
	}
}

func TestClientCredentials(t *testing.T) {
	s := start(t, WithTokenLifetime(3*time.Second))
	for _, basic := range []bool{true, false} {
		status, tr := post(t, s, DefaultCCClientID, DefaultCCClientSecret, basic, ccForm("orders.read orders.write", "orders-api"))
		if status != 200 || tr.TokenType != "Bearer" || tr.ExpiresIn != 3 {
			t.Fatalf("basic=%v: %d %+v", basic, status, tr)
		}
		c, err := s.Verify(context.Background(), tr.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != DefaultCCClientID || !c.HasAudience("orders-api") || c.Actor != "" ||
			!slices.Equal(c.Scopes, []string{"orders.read", "orders.write"}) || c.Issuer != s.Issuer() {
			t.Errorf("basic=%v: claims %+v", basic, c)
		}
		if left := time.Until(c.Expiry); left < 2*time.Second || left > 4*time.Second+100*time.Millisecond {
			t.Errorf("expiry in %s, want about 3s", left)
		}
	}
	// Without audience, the client itself.
	_, tr := post(t, s, DefaultCCClientID, DefaultCCClientSecret, true, ccForm("", ""))
	if c, err := s.Verify(context.Background(), tr.AccessToken); err != nil || !slices.Equal(c.Audience, []string{DefaultCCClientID}) {
		t.Errorf("claims %+v, %v", c, err)
	}
	log := s.TokenLog()
	if len(log) != 3 || log[0].ClientAuth != "client_secret_basic" || log[1].ClientAuth != "client_secret_post" ||
		log[0].ClientID != DefaultCCClientID || log[0].Scope != "orders.read orders.write" || !slices.Equal(log[0].Audience, []string{"orders-api"}) {
		t.Errorf("log = %+v", log)
	}
	if log[0].Header.Get("Authorization") != "" {
		t.Error("log keeps the Authorization header")
	}
	if s.TokenRequests() != 3 || s.TokenRequestsFor(GrantClientCredentials) != 3 || s.TokenRequestsFor(GrantTokenExchange) != 0 {
		t.Errorf("counters %d %d", s.TokenRequests(), s.TokenRequestsFor(GrantClientCredentials))
	}
	s.ResetCounters()
	if s.TokenRequests() != 0 || len(s.TokenLog()) != 0 || s.TokenRequestsFor(GrantClientCredentials) != 0 {
		t.Error("ResetCounters left counts")
	}
}

func TestClientErrors(t *testing.T) {
	s := start(t)
	tests := []struct {
		name, id, secret string
		form             url.Values
		status           int
		code             string
	}{
		{"wrong secret", DefaultCCClientID, "nope", ccForm("", ""), 401, "invalid_client"},
		{"unknown client", "who", "x", ccForm("", ""), 401, "invalid_client"},
		{"grant not allowed", DefaultCCClientID, DefaultCCClientSecret, txForm("opaque", ""), 400, "unauthorized_client"},
		{"exchange wrong secret", DefaultTXClientID, "nope", txForm("opaque", ""), 401, "invalid_client"},
		{"no subject", DefaultTXClientID, DefaultTXClientSecret, txForm("", ""), 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, tr := post(t, s, tt.id, tt.secret, true, tt.form)
			if status != tt.status || tr.Error != tt.code {
				t.Errorf("got %d %q, want %d %q", status, tr.Error, tt.status, tt.code)
			}
		})
	}
}

func TestTokenExchange(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	user, err := s.IssueToken("alice", map[string]any{"userType": "user"})
	if err != nil {
		t.Fatal(err)
	}
	_, cc := post(t, s, DefaultCCClientID, DefaultCCClientSecret, true, ccForm("", ""))
	tests := []struct {
		name, subject, wantSub string
		basic                  bool
	}{
		{"own user token", user, "alice", true},
		{"own user token, client_secret_post", user, "alice", false},
		{"client credentials token", cc.AccessToken, DefaultCCClientID, true},
		{"external opaque token", "opaque-upstream-token", "ext-", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, tr := post(t, s, DefaultTXClientID, DefaultTXClientSecret, tt.basic, txForm(tt.subject, "orders-api"))
			if status != 200 || tr.IssuedTokenType != "urn:ietf:params:oauth:token-type:access_token" {
				t.Fatalf("%d %+v", status, tr)
			}
			c, err := s.Verify(ctx, tr.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.Subject, tt.wantSub) || c.Actor != DefaultTXClientID || !c.HasAudience("orders-api") {
				t.Errorf("claims %+v", c)
			}
			if strings.Contains(c.Subject, tt.subject) {
				t.Error("subject token leaked into claims")
			}
		})
	}
	// Subject tokens of this issuer that do not verify are refused.
	s.SetTokenLifetime(time.Second)
	short, _ := s.IssueToken("bob", nil)
	tampered := user[:len(user)-4] + "AAAA"
	time.Sleep(2100 * time.Millisecond)
	for name, tok := range map[string]string{"expired": short, "tampered": tampered} {
		if status, tr := post(t, s, DefaultTXClientID, DefaultTXClientSecret, true, txForm(tok, "")); status != 400 || tr.Error != "invalid_request" {
			t.Errorf("%s subject token: %d %+v", name, status, tr)
		}
	}
	if s.TokenRequestsFor(GrantTokenExchange) != 6 {
		t.Errorf("exchanges counted: %d", s.TokenRequestsFor(GrantTokenExchange))
	}
}

func TestVerify(t *testing.T) {
	s := start(t)
	other := start(t)
	ctx := context.Background()
	good, _ := s.IssueToken("alice", map[string]any{"userType": "system"})
	foreign, _ := other.IssueToken("alice", nil)
	c, err := s.Verify(ctx, good)
	if err != nil || c.Subject != "alice" || c.All["userType"] != "system" {
		t.Fatalf("%+v %v", c, err)
	}
	for name, tok := range map[string]string{"other issuer": foreign, "garbage": "x.y.z", "tampered": good[:len(good)-4] + "AAAA"} {
		if _, err := s.Verify(ctx, tok); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if s.KeysRequests() == 0 {
		t.Error("JWKS not fetched over HTTP")
	}
}

func TestFaults(t *testing.T) {
	s := start(t)
	s.SetFault(Fault{Status: 500, Body: "<html>oops</html>", ContentType: "text/html"})
	req := func(ctx context.Context) (*http.Response, error) {
		r, _ := http.NewRequestWithContext(ctx, "POST", s.TokenURL(), strings.NewReader(ccForm("", "").Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(DefaultCCClientID, DefaultCCClientSecret)
		return http.DefaultClient.Do(r)
	}
	resp, err := req(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != "<html>oops</html>" || resp.Header.Get("Content-Type") != "text/html" {
		t.Errorf("fault answer %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	s.SetFault(Fault{Delay: 300 * time.Millisecond})
	t0 := time.Now()
	resp, err = req(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(t0); resp.StatusCode != 200 || d < 300*time.Millisecond {
		t.Errorf("delayed answer %d after %s", resp.StatusCode, d)
	}

	s.SetFault(Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := req(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: %v", err)
	}

	// A held request is served once the fault is reset.
	held := make(chan int)
	go func() {
		resp, err := req(context.Background())
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	for s.TokenRequests() < 4 {
		time.Sleep(5 * time.Millisecond)
	}
	s.Reset()
	if status := <-held; status != 200 {
		t.Errorf("held request after Reset: %d", status)
	}

	if resp, err = req(context.Background()); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after Reset: %v", err)
	}
	resp.Body.Close()
	if s.TokenRequests() != 5 {
		t.Errorf("TokenRequests = %d, want 5 (faulted ones count)", s.TokenRequests())
	}
}

// TestCloseReleasesHang checks that Close does not wait for a hanging request.
func TestCloseReleasesHang(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	s.SetFault(Fault{Hang: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.PostForm(s.TokenURL(), ccForm("", ""))
		if err == nil {
			resp.Body.Close()
		}
	}()
	for s.TokenRequests() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs")
	}
	<-done
}

func TestOptions(t *testing.T) {
	if _, err := Start(WithTokenLifetime(time.Millisecond)); err == nil {
		t.Error("sub-second lifetime accepted")
	}
	s := start(t, WithClient("svc", "pw with spaces&=", GrantClientCredentials))
	if len(s.Clients()) != 1 {
		t.Errorf("clients %+v", s.Clients())
	}
	if status, tr := post(t, s, "svc", "pw with spaces&=", true, ccForm("", "")); status != 200 {
		t.Errorf("%d %+v", status, tr)
	}
	if status, _ := post(t, s, DefaultCCClientID, DefaultCCClientSecret, true, ccForm("", "")); status != 401 {
		t.Errorf("default client still registered: %d", status)
	}
}
