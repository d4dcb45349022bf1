package runtime_test

// The spec's security schemes other than OAuth2 (issue 13 item 6): API keys
// in headers, queries and cookies, HTTP basic and bearer, chosen per
// operation from its security requirements (alternatives, combinations),
// and kept to the service's own origin and out of errors and logs.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// The schemes of the tests' spec, as a generated package declares them.
var testSchemes = []runtime.SecurityScheme{
	{Name: "headerKey", Kind: runtime.SchemeAPIKey, In: "header", Param: "X-API-Key", SecretEnv: "VENDOR_HEADER_KEY"},
	{Name: "queryKey", Kind: runtime.SchemeAPIKey, In: "query", Param: "api_key"},
	{Name: "cookieKey", Kind: runtime.SchemeAPIKey, In: "cookie", Param: "vendor_key"},
	{Name: "basic", Kind: runtime.SchemeBasic, Username: "ada", SecretEnv: "VENDOR_PASSWORD"},
	{Name: "bearer", Kind: runtime.SchemeBearer},
	{Name: "oauth", Kind: runtime.SchemeOAuth2},
	{Name: "digest", Kind: runtime.SchemeUnsupported, In: "http digest"},
	{Name: "mtls", Kind: runtime.SchemeMutualTLS},
}

// seen is what the wire server received.
type seen struct {
	Auth    string            `json:"auth"`
	Key     string            `json:"key"`
	Query   url.Values        `json:"query"`
	Cookies map[string]string `json:"cookies"`
}

// wireServer answers with what it received; a path ending in /fail answers
// 500 with everything it received in the body, as an echoing error page.
func wireServer(t *testing.T) (*httptest.Server, func() int) {
	var mu sync.Mutex
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		s := seen{Auth: r.Header.Get("Authorization"), Key: r.Header.Get("X-API-Key"), Query: r.URL.Query(), Cookies: map[string]string{}}
		for _, c := range r.Cookies() {
			s.Cookies[c.Name] = c.Value
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/fail") {
			w.WriteHeader(500)
			// Everything, raw and encoded, as a careless error page would show it.
			fmt.Fprintf(w, `{"message":"bad request %s %s %s %v %v"}`, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("X-API-Key"), r.Cookies(), r.Header)
			return
		}
		json.NewEncoder(w).Encode(s)
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return hits }
}

// callWith calls GET /things/{id} with the security requirements given and
// returns what the server saw, and the Record.
func callWith(t *testing.T, svc *runtime.Service, obs *observer, sec [][]string, id string) (*seen, runtime.Record, error) {
	t.Helper()
	op := &tpgenimpl.Operation{ID: "getThing", Method: "GET", Path: "/things/{id}", Security: sec,
		Params:    []tpgenimpl.Param{{Name: "id"}, {Name: "page", In: tpgenimpl.InQuery, Style: tpgenimpl.StyleForm, Explode: true}, {Name: "pref", In: tpgenimpl.InCookie, Style: tpgenimpl.StyleForm}},
		Accept:    "application/json",
		Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}
	type params struct{ Page, Pref *string }
	page, pref := "2", "dark"
	var out *seen
	err := tpgenimpl.Invoke(context.Background(), svc, op, nil, &params{&page, &pref}, nil, &out, id)
	recs := obs.Records()
	var rec runtime.Record
	if len(recs) > 0 {
		rec = recs[len(recs)-1]
	}
	return out, rec, err
}

func schemeService(t *testing.T, url string, env map[string]string, opts ...runtime.Option) (*runtime.Service, *observer) {
	t.Helper()
	obs := &observer{}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "vendor", Schemes: testSchemes, APIKeyEnv: "VENDOR_ALL_KEY"},
		append([]runtime.Option{envMap(env), runtime.WithBaseURL(url), runtime.WithObserver(obs), runtime.WithRetry(runtime.NoRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return svc, obs
}

// TestSchemesSent: each kind of scheme sends its credential where the scheme
// says, the first requirement whose credentials are all configured is met
// (alternatives), every scheme of a requirement is sent (combinations), and
// the parameters of the call are kept beside them.
func TestSchemesSent(t *testing.T) {
	srv, hits := wireServer(t)
	f := &countingFetcher{}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:pw-Vq81"))
	tests := []struct {
		name   string
		sec    [][]string
		env    map[string]string
		opts   []runtime.Option
		check  func(s *seen) bool
		scheme string
		grant  runtime.Grant
	}{
		{"header", [][]string{{"headerKey"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"headerKey": "hk-1"}})},
			func(s *seen) bool { return s.Key == "hk-1" && s.Auth == "" }, "headerKey", runtime.GrantNone},
		{"query", [][]string{{"queryKey"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"": "qk-1"}})},
			func(s *seen) bool { return s.Query.Get("api_key") == "qk-1" && s.Query.Get("page") == "2" }, "queryKey", runtime.GrantNone},
		{"cookie", [][]string{{"cookieKey"}}, map[string]string{"TPGEN_VENDOR_API_KEY_COOKIEKEY": "ck-1"}, nil,
			func(s *seen) bool { return s.Cookies["vendor_key"] == "ck-1" && s.Cookies["pref"] == "dark" }, "cookieKey", runtime.GrantNone},
		{"basic", [][]string{{"basic"}}, map[string]string{"VENDOR_PASSWORD": "pw-Vq81"}, nil,
			func(s *seen) bool { return s.Auth == basic }, "basic", runtime.GrantNone},
		{"basic from options", [][]string{{"basic"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{Username: "ada", Password: "pw-Vq81"})},
			func(s *seen) bool { return s.Auth == basic }, "basic", runtime.GrantNone},
		// A password alone goes with the user name services.yaml or the
		// environment names; it does not send it with an empty one.
		{"basic: Auth.Password with services.yaml's user name", [][]string{{"basic"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{Password: "pw-Vq81"})},
			func(s *seen) bool { return s.Auth == basic }, "basic", runtime.GrantNone},
		{"basic: Auth.Password with the environment's user name", [][]string{{"basic"}}, map[string]string{"TPGEN_VENDOR_USERNAME": "ada", "VENDOR_PASSWORD": "wrong"},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{Password: "pw-Vq81"})},
			func(s *seen) bool { return s.Auth == basic }, "basic", runtime.GrantNone},
		{"basic: Auth.Username replaces the environment's password", [][]string{{"basic"}}, map[string]string{"VENDOR_PASSWORD": "pw-Vq81"},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{Username: "sk-test-2"})},
			func(s *seen) bool {
				return s.Auth == "Basic "+base64.StdEncoding.EncodeToString([]byte("sk-test-2:"))
			}, "basic", runtime.GrantNone},
		{"static bearer", [][]string{{"bearer"}}, map[string]string{"TPGEN_VENDOR_BEARER_TOKEN": "vendor-tok-1"}, nil,
			func(s *seen) bool { return s.Auth == "Bearer vendor-tok-1" }, "bearer", runtime.GrantNone},
		{"bearer from the grant", [][]string{{"bearer"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: f}})},
			func(s *seen) bool { return strings.HasPrefix(s.Auth, "Bearer tok-") }, "bearer", runtime.GrantClientCredentials},
		{"oauth2", [][]string{{"oauth"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: f}})},
			func(s *seen) bool { return strings.HasPrefix(s.Auth, "Bearer tok-") && s.Key == "" }, "oauth", runtime.GrantClientCredentials},
		{"second alternative (Stripe: basic or bearer)", [][]string{{"basic"}, {"bearer"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{BearerToken: "sk-test-1"})},
			func(s *seen) bool { return s.Auth == "Bearer sk-test-1" }, "bearer", runtime.GrantNone},
		{"first alternative wins", [][]string{{"headerKey"}, {"oauth"}}, nil,
			[]runtime.Option{runtime.WithAuth(runtime.Auth{
				APIKeys: map[string]string{"": "hk-2"},
				Grant:   runtime.GrantClientCredentials,
				Tokens:  token.Config{Fetcher: f},
			})},
			func(s *seen) bool { return s.Key == "hk-2" && s.Auth == "" }, "headerKey", runtime.GrantNone},
		{"a key missing: the grant", [][]string{{"headerKey"}, {"oauth"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: f}})},
			func(s *seen) bool { return s.Key == "" && strings.HasPrefix(s.Auth, "Bearer tok-") }, "oauth", runtime.GrantClientCredentials},
		{"combination (an app key and a user key)", [][]string{{"headerKey", "queryKey"}}, map[string]string{"TPGEN_VENDOR_API_KEY_QUERYKEY": "qk-3"},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"headerKey": "hk-3"}})},
			func(s *seen) bool { return s.Key == "hk-3" && s.Query.Get("api_key") == "qk-3" }, "headerKey+queryKey", runtime.GrantNone},
		{"combination with oauth2", [][]string{{"headerKey", "oauth"}}, map[string]string{"VENDOR_HEADER_KEY": "hk-4"},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials, Tokens: token.Config{Fetcher: f}})},
			func(s *seen) bool { return s.Key == "hk-4" && strings.HasPrefix(s.Auth, "Bearer tok-") }, "headerKey+oauth", runtime.GrantClientCredentials},
		{"TPGEN_ variable over services.yaml's", [][]string{{"headerKey"}}, map[string]string{"VENDOR_HEADER_KEY": "hk-yaml", "TPGEN_VENDOR_API_KEY_HEADERKEY": "hk-env"}, nil,
			func(s *seen) bool { return s.Key == "hk-env" }, "headerKey", runtime.GrantNone},
		{"a scheme's own key over every scheme's", [][]string{{"headerKey"}}, map[string]string{"VENDOR_HEADER_KEY": "hk-own", "TPGEN_VENDOR_API_KEY": "hk-all"},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"": "hk-all-option"}})},
			func(s *seen) bool { return s.Key == "hk-own" }, "headerKey", runtime.GrantNone},
		{"every scheme's key: option over variable over services.yaml", [][]string{{"queryKey"}}, map[string]string{"TPGEN_VENDOR_API_KEY": "qk-env", "VENDOR_ALL_KEY": "qk-yaml"},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"": "qk-option"}})},
			func(s *seen) bool { return s.Query.Get("api_key") == "qk-option" }, "queryKey", runtime.GrantNone},
		{"optional security", [][]string{{"headerKey"}, {}}, nil, nil,
			func(s *seen) bool { return s.Key == "" && s.Auth == "" }, "", runtime.GrantNone},
		{"mutualTLS: the transport's", [][]string{{"mtls"}}, nil, nil,
			func(s *seen) bool { return s.Key == "" && s.Auth == "" }, "mtls", runtime.GrantNone},
		{"unsupported, then a key", [][]string{{"digest"}, {"headerKey"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"": "hk-5"}})},
			func(s *seen) bool { return s.Key == "hk-5" }, "headerKey", runtime.GrantNone},
		{"grant none: nothing", [][]string{{"headerKey"}}, nil, []runtime.Option{runtime.WithAuth(runtime.Auth{Grant: runtime.GrantNone})},
			func(s *seen) bool { return s.Key == "" && s.Auth == "" }, "", runtime.GrantNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, obs := schemeService(t, srv.URL, tt.env, tt.opts...)
			s, rec, err := callWith(t, svc, obs, tt.sec, "1")
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("the server saw %+v", s)
			}
			if rec.Scheme != tt.scheme || rec.Grant != tt.grant {
				t.Errorf("record: scheme %q grant %s, want %q %s", rec.Scheme, rec.Grant, tt.scheme, tt.grant)
			}
		})
	}

	// No credentials: nothing is sent, and the error says what to set.
	svc, obs := schemeService(t, srv.URL, nil)
	before := hits()
	_, _, err := callWith(t, svc, obs, [][]string{{"headerKey"}, {"basic"}, {"oauth"}}, "1")
	if !errors.Is(err, runtime.ErrNoCredentials) || hits() != before {
		t.Fatalf("%v (%d requests)", err, hits()-before)
	}
	for _, want := range []string{"TPGEN_VENDOR_API_KEY_HEADERKEY", "TPGEN_VENDOR_USERNAME", "TPGEN_VENDOR_PASSWORD", "TPGEN_VENDOR_GRANT", "runtime.Auth{Grant: runtime.GrantNone}"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s: %v", want, err)
		}
	}
	_, _, err = callWith(t, svc, obs, [][]string{{"undeclared"}}, "1")
	if !errors.Is(err, runtime.ErrNoCredentials) || !strings.Contains(err.Error(), `"undeclared", which the service does not declare`) {
		t.Errorf("undeclared scheme: %v", err)
	}
}

// TestSchemeSecretsRedacted: the attack is a service (or an error page in
// front of it) that echoes what it received, and a transport error that
// names the URL: no key, password or static token shows in errors, logs or
// records, in any form it travelled in (raw, query-encoded, Basic base64).
func TestSchemeSecretsRedacted(t *testing.T) {
	srv, _ := wireServer(t)
	const (
		headerKey = "hk-secret-Zq83Lm"
		queryKey  = "qk/secret+Ab7 &=" // changed by query encoding
		cookieKey = "ck-secret-Wn51Rt"
		password  = "pw-secret-Hy62Ks"
		bearer    = "bt-secret-Pd90Xe"
	)
	forms := []string{headerKey, queryKey, url.QueryEscape(queryKey), cookieKey, password, bearer,
		base64.StdEncoding.EncodeToString([]byte("ada:" + password))}
	logs := &lockedBuffer{}
	logger := runtime.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	opts := []runtime.Option{logger, runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"headerKey": headerKey}}), runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"queryKey": queryKey}}),
		runtime.WithAuth(runtime.Auth{
			APIKeys:     map[string]string{"cookieKey": cookieKey},
			Username:    "ada",
			Password:    password,
			BearerToken: bearer,
		})}
	check := func(what string, err error, rec runtime.Record) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, f := range forms {
			for where, text := range map[string]string{"error": err.Error(), "record": fmt.Sprint(rec.Err), "log": logs.String()} {
				if strings.Contains(text, f) {
					t.Errorf("%s: the %s shows %q: %s", what, where, f, text)
				}
			}
		}
	}
	for _, sec := range [][][]string{{{"headerKey", "queryKey", "cookieKey", "basic"}}, {{"bearer"}}} {
		svc, obs := schemeService(t, srv.URL, nil, opts...)
		_, rec, err := callWith(t, svc, obs, sec, "fail")
		var re *runtime.ResponseError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("echoing error page: %v", err)
		}
		check("echoing error page", err, rec)
		if re != nil {
			check("error body", errors.New(string(re.Body)), rec)
		}
	}

	// A transport error names the URL, query key included.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	svc, obs := schemeService(t, dead, nil, opts...)
	_, rec, err := callWith(t, svc, obs, [][]string{{"queryKey"}}, "1")
	check("connection refused", err, rec)
}

// TestSchemeKeysStayHome: credentials go to the service's own origin only.
// The attacks: the service redirects to another origin (another port of the
// same host, to which net/http itself would forward Authorization and
// cookies; another host), once with the query key copied into the
// Location; and the application uses the service's HTTPClient for a URL
// elsewhere. The other origin receives no key, password or token.
func TestSchemeKeysStayHome(t *testing.T) {
	const (
		headerKey = "hk-home-Qe41"
		queryKey  = "qk-home-Rt52"
		cookieKey = "ck-home-Yu63"
		bearer    = "bt-home-Io74"
	)
	var mu sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		all := r.URL.RawQuery + " " + fmt.Sprint(r.Header)
		for _, s := range []string{headerKey, queryKey, cookieKey, bearer} {
			if strings.Contains(all, s) {
				leaked = append(leaked, fmt.Sprintf("%s reached %s: %s", s, r.Host, all))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		io := json.NewEncoder(w)
		io.Encode(seen{})
	}))
	t.Cleanup(other.Close)
	_, otherPort, _ := net.SplitHostPort(strings.TrimPrefix(other.URL, "http://"))
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := map[string]string{
			"/things/port": other.URL + "/landing",
			"/things/host": "http://localhost:" + otherPort + "/landing",
			"/things/copy": other.URL + "/landing?" + r.URL.RawQuery,
			"/raw":         "http://localhost:" + otherPort + "/raw?" + r.URL.RawQuery,
		}[r.URL.Path]
		http.Redirect(w, r, to, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(home.Close)
	svc, obs := schemeService(t, home.URL, nil, runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"headerKey": headerKey}}), runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"queryKey": queryKey}}),
		runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"cookieKey": cookieKey}, BearerToken: bearer}))
	for _, id := range []string{"port", "host", "copy"} {
		if _, _, err := callWith(t, svc, obs, [][]string{{"headerKey", "queryKey", "cookieKey", "bearer"}}, id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	// Through HTTPClient: a redirect elsewhere, and a request elsewhere.
	hc := svc.HTTPClient()
	for _, u := range []string{home.URL + "/raw?x=1", other.URL + "/direct"} {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	for _, l := range leaked {
		t.Error(l)
	}
}

// TestSchemeConfigErrors: New refuses what a scheme cannot carry, and
// reports missing keys of the service's default requirements at once; an
// explicit GrantNone calls without them.
func TestSchemeConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		schemes []runtime.SecurityScheme
		sec     [][]string
		opts    []runtime.Option
		want    string
	}{
		{"header that is not a token", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "X Key"}}, nil, nil, "not an HTTP token"},
		{"header of HTTP's own", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "content-length"}}, nil, nil, "Content-Length is HTTP's or the runtime's own"},
		{"the message id header", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "x-message-id"}}, nil, nil, "X-Message-Id is HTTP's or the runtime's own"},
		{"a cookie key with a semicolon", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "cookie", Param: "k"}}, nil,
			[]runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"": "a;admin=1"}})}, "a cookie cannot carry"},
		{"a header key with a line break", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "X-Key"}}, nil,
			[]runtime.Option{runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"": "a\r\nX-Admin: 1"}})}, "line break"},
		{"a user name with a colon", []runtime.SecurityScheme{{Name: "b", Kind: runtime.SchemeBasic}}, nil,
			[]runtime.Option{runtime.WithAuth(runtime.Auth{Username: "a:b", Password: "c"})}, "colon"},
		{"in: body", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "body", Param: "k"}}, nil, nil, "in must be header, query or cookie"},
		{"default requirement without its key", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "X-Key"}}, [][]string{{"k"}}, nil, "TPGEN_VENDOR_API_KEY_K"},
		{"explicitly none", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "X-Key"}}, [][]string{{"k"}},
			[]runtime.Option{runtime.WithAuth(runtime.Auth{Grant: runtime.GrantNone})}, ""},
		{"an oauth2 alternative is judged at the call", []runtime.SecurityScheme{{Name: "k", Kind: runtime.SchemeAPIKey, In: "header", Param: "X-Key"}, {Name: "o", Kind: runtime.SchemeOAuth2}},
			[][]string{{"k"}, {"o"}}, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runtime.NewService(runtime.ServiceConfig{Name: "vendor", BaseURL: "https://vendor.example.com", Schemes: tt.schemes, Security: tt.sec},
				append([]runtime.Option{runtime.WithLookupEnv(noEnv)}, tt.opts...)...)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one naming %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "admin"):
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

// TestHTTPClientResponseHidesKey: the response of an HTTPClient request
// carries the request as the application made it. A query API key the
// runtime added is sent, but it is not in resp.Request.URL, where a log line
// or an error of the application's would show it.
func TestHTTPClientResponseHidesKey(t *testing.T) {
	const key = "qk-secret-1"
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.Query().Get("api_key"))
	}))
	t.Cleanup(srv.Close)
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "vendor", BaseURL: srv.URL, Schemes: testSchemes, Security: [][]string{{"queryKey"}}},
		runtime.WithLookupEnv(noEnv), runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"queryKey": key}}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := svc.HTTPClient().Get(srv.URL + "/raw?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v, _ := got.Load().(string); v != key {
		t.Fatalf("the service got api_key %q, want the configured key", v)
	}
	if u := resp.Request.URL.String(); strings.Contains(u, key) || u != srv.URL+"/raw?x=1" {
		t.Errorf("resp.Request.URL = %s: want the URL the application asked for, without the key", u)
	}
}
