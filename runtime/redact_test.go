package runtime_test

// Secrets and subject tokens stay out of every output in every encoding a
// token endpoint may echo them in, and out of every way of printing the
// runtime's values.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
)

// Secrets with every character that form and path encoding change.
const (
	echoClientID = "client:id+1"
	echoSecret   = "Sx9+vQ/k2=Lm&p%W7zR4tY8uN3eB6cD"
	echoSubject  = "subj+Tk/9a=Qw&e%R5tY7uI0oP2aS4dF"
)

// lowerHex turns the %XX escapes of s to lower case, as some servers write them.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			copy(b[i+1:i+3], strings.ToLower(string(b[i+1:i+3])))
		}
	}
	return string(b)
}

// encodings returns the forms of a secret that a careless IdP may echo.
func encodings(secret string) map[string]string {
	forms := map[string]string{"raw": secret}
	for name, f := range map[string]string{"form": url.QueryEscape(secret), "path": url.PathEscape(secret)} {
		forms[name] = f
		forms[name+", lower-case hex"] = lowerHex(f)
	}
	return forms
}

// basicEncodings returns the Basic credentials of id and secret in every alphabet.
func basicEncodings(id, secret string) map[string]string {
	forms := map[string]string{}
	for credName, cred := range map[string]string{"form-encoded": url.QueryEscape(id) + ":" + url.QueryEscape(secret), "raw": id + ":" + secret} {
		for encName, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "std, no padding": base64.RawStdEncoding,
			"url": base64.URLEncoding, "url, no padding": base64.RawURLEncoding} {
			forms["basic "+credName+", "+encName] = enc.EncodeToString([]byte(cred))
		}
	}
	return forms
}

// echoScanner finds any form of the test's secrets, or a 16-byte piece of one.
func echoScanner() *leakScanner {
	l := newLeakScanner()
	for name, f := range encodings(echoSecret) {
		l.add("client secret, "+name, f)
	}
	for name, f := range encodings(echoSubject) {
		l.add("subject token, "+name, f)
	}
	for name, f := range basicEncodings(echoClientID, echoSecret) {
		l.add(name, f)
	}
	return l
}

// echoIdP is a token endpoint that refuses every request and quotes it back,
// in the form ?echo= names, in error_description, or in error_uri, error or
// an HTML body.
func echoIdP(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(raw))
		secret, subject := form.Get("client_secret"), form.Get("subject_token")
		authz := r.Header.Get("Authorization")
		if id, s, ok := r.BasicAuth(); ok {
			uid, _ := url.QueryUnescape(id)
			if us, err := url.QueryUnescape(s); err == nil {
				secret = us
			}
			_ = uid
		}
		var desc, uri, code = "", "", "invalid_client"
		switch mode := r.URL.Query().Get("echo"); mode {
		case "body":
			desc = "you sent " + string(raw)
		case "body, lower-case hex":
			desc = "you sent " + lowerHex(string(raw))
		case "decoded":
			desc = "secret " + secret + " subject " + subject
		case "path":
			desc = "secret " + url.PathEscape(secret) + " subject " + url.PathEscape(subject)
		case "path, lower-case hex":
			desc = "secret " + lowerHex(url.PathEscape(secret)) + " subject " + lowerHex(url.PathEscape(subject))
		case "authorization":
			desc = "header " + authz
		case "basic, url alphabet":
			desc = "header " + base64.RawURLEncoding.EncodeToString([]byte(url.QueryEscape(echoClientID)+":"+url.QueryEscape(secret)))
		case "basic of the raw values":
			desc = "header Basic " + base64.StdEncoding.EncodeToString([]byte(echoClientID+":"+secret))
		case "error_uri":
			uri = "https://idp.example/errors?secret=" + url.QueryEscape(secret) + "&subject=" + lowerHex(url.QueryEscape(subject))
		case "error":
			code = secret + subject
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(400)
			fmt.Fprintf(w, "<p>%s %s %s</p>", raw, authz, secret)
			return
		default:
			t.Errorf("echo mode %q", mode)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc, "error_uri": uri})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTokenEndpointEchoesEveryEncoding performs the attack: an IdP quotes the
// token request back in each encoding (the form body, with upper- and
// lower-case hex; path escapes; decoded values; the Basic header in both
// alphabets; the Basic credentials of the raw values), in error_description,
// error_uri, error or an HTML body. token.Error's text and fields, %+v and %#v
// of the error, JSON and text logs at debug level, Records and TokenEvents
// printed with %+v: none holds any form of the secret or the subject token.
func TestTokenEndpointEchoesEveryEncoding(t *testing.T) {
	idp := echoIdP(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var text bytes.Buffer
	textLogger := slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{Level: slog.LevelDebug}))
	obs := &formattingObserver{}
	var outputs []string
	modes := []string{"body", "body, lower-case hex", "decoded", "path", "path, lower-case hex", "authorization",
		"basic, url alphabet", "basic of the raw values", "error_uri", "error", "html"}
	for _, mode := range modes {
		for _, auth := range []token.ClientAuth{token.ClientSecretBasic, token.ClientSecretPost} {
			for _, l := range []*slog.Logger{logger, textLogger} {
				svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL("http://127.0.0.1:1"),
					runtime.WithAuth(runtime.Auth{
						Grant:        runtime.GrantTokenExchange,
						ClientAuth:   auth,
						ClientID:     echoClientID,
						ClientSecret: echoSecret,
						TokenURL:     idp.URL + "/token?echo=" + url.QueryEscape(mode),
					}),
					runtime.WithLogger(l), runtime.WithObserver(obs), runtime.WithRetry(runtime.NoRetry))
				_, err := getOrder(runtime.ContextWithCallerToken(context.Background(), echoSubject), svc, "1")
				te := asTokenError(t, err)
				outputs = append(outputs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%+v", *te),
					te.Code, te.Description, te.URI)
			}
		}
	}
	outputs = append(outputs, logs.String(), text.String(), obs.String())
	all := strings.Join(outputs, "\n")
	for _, want := range []string{"[redacted]", "tpgen: token request failed", "you sent", "header Basic", "https://idp.example/errors?secret="} {
		if !strings.Contains(all, want) {
			t.Errorf("the run produced no %q: the scan would prove less than it should", want)
		}
	}
	for _, leak := range echoScanner().scan(all) {
		t.Errorf("leak: %s", leak)
	}
	t.Logf("scanned %d bytes of output for %d forms of the secret and subject token", len(all),
		len(encodings(echoSecret))+len(encodings(echoSubject))+len(basicEncodings(echoClientID, echoSecret)))
}

// leakyFetcher is a custom token.Fetcher whose errors quote what it was given.
type leakyFetcher struct{ form string }

func (f leakyFetcher) FetchToken(ctx context.Context, r *token.Request) (*token.Token, error) {
	var quoted string
	switch f.form {
	case "raw":
		quoted = r.ClientSecret + " " + r.SubjectToken
	case "form":
		quoted = r.Form().Encode() + "&client_secret=" + url.QueryEscape(r.ClientSecret)
	case "basic":
		quoted = base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(r.ClientID) + ":" + url.QueryEscape(r.ClientSecret)))
	case "token error":
		return nil, &token.Error{Service: r.Service, Grant: r.Grant, Description: "refused " + r.SubjectToken,
			Err: fmt.Errorf("secret %s: %w", url.PathEscape(r.ClientSecret), context.DeadlineExceeded)}
	}
	return nil, fmt.Errorf("broker refused %s: %w", quoted, context.DeadlineExceeded)
}

// TestCustomFetcherErrorsAreRedacted: whatever a custom fetcher's error says,
// the caller, the logs and the observer get it without the secret and the
// subject token, and errors.Is still finds what it wraps.
func TestCustomFetcherErrorsAreRedacted(t *testing.T) {
	for _, form := range []string{"raw", "form", "basic", "token error"} {
		t.Run(form, func(t *testing.T) {
			var logs bytes.Buffer
			obs := &formattingObserver{}
			svc := newService(t, runtime.ServiceConfig{Name: "orders"}, runtime.WithBaseURL("http://127.0.0.1:1"),
				runtime.WithAuth(runtime.Auth{
					Grant:        runtime.GrantTokenExchange,
					ClientID:     echoClientID,
					ClientSecret: echoSecret,
					Tokens:       token.Config{Fetcher: leakyFetcher{form}},
				}), runtime.WithObserver(obs),
				runtime.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			_, err := getOrder(runtime.ContextWithCallerToken(context.Background(), echoSubject), svc, "1")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is lost the wrapped error: %v", err)
			}
			all := strings.Join([]string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String(), obs.String()}, "\n")
			if !strings.Contains(all, "[redacted]") {
				t.Errorf("nothing was redacted: %s", all)
			}
			for _, leak := range echoScanner().scan(all) {
				t.Errorf("leak: %s", leak)
			}
		})
	}
}

// TestFormattingHidesSecrets: Token and TokenRequest, as values and pointers,
// alone and inside other values, through every fmt verb, slog (JSON and text,
// value and pointer) and encoding/json (TokenRequest), never show the access
// token, the client secret or the subject token.
func TestFormattingHidesSecrets(t *testing.T) {
	const access = "access-token-value-Lq83Zx0Pw5"
	tok := token.Token{AccessToken: access, TokenType: "Bearer", Scope: "orders.read", Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	req := token.Request{Grant: token.TokenExchange, TokenURL: "https://idp.example/token", ClientID: echoClientID,
		ClientSecret: echoSecret, SubjectToken: echoSubject, Scopes: []string{"orders.read"}, Service: "orders"}
	type holder struct {
		Tok    token.Token
		TokPtr *token.Token
		Req    token.Request
		ReqPtr *token.Request
		Any    any
	}
	values := map[string]any{
		"Token": tok, "*Token": &tok, "TokenRequest": req, "*TokenRequest": &req,
		"struct holding both": holder{Tok: tok, TokPtr: &tok, Req: req, ReqPtr: &req, Any: req},
		"slice of Tokens":     []token.Token{tok}, "map of requests": map[string]token.Request{"k": req},
	}
	scanner := echoScanner()
	scanner.add("access token", access)
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T %[1]v", "%10.3v"} {
			out := fmt.Sprintf(verb, v)
			for _, leak := range scanner.scan(out) {
				t.Errorf("%s with %s: %s", name, verb, leak)
			}
		}
		handlers := []func(io.Writer) slog.Handler{func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }}
		if !strings.Contains(name, "holding") && !strings.Contains(name, "slice") {
			// slog's JSON handler encodes a value that holds a Token with
			// encoding/json, which keeps a Token whole so that a token.Store can
			// persist it (a decision: see Token). Token and TokenRequest
			// themselves, and maps of requests, are safe there too.
			handlers = append(handlers, func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) })
		}
		for _, h := range handlers {
			var b bytes.Buffer
			slog.New(h(&b)).Info("values", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
			for _, leak := range scanner.scan(b.String()) {
				t.Errorf("%s in slog: %s", name, leak)
			}
		}
	}
	for name, v := range map[string]any{"TokenRequest": req, "*TokenRequest": &req, "holder": struct{ R token.Request }{req}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range scanner.scan(string(b)) {
			t.Errorf("json.Marshal(%s): %s", name, leak)
		}
		if !strings.Contains(string(b), `"ClientSecret":"[redacted]"`) || !strings.Contains(string(b), `"TokenURL":"https://idp.example/token"`) {
			t.Errorf("json.Marshal(%s) = %s", name, b)
		}
	}
	// What a description still says, so that it is useful.
	if s := fmt.Sprint(tok); !strings.Contains(s, "Bearer") || !strings.Contains(s, "2030-01-02") {
		t.Errorf("Token prints as %q", s)
	}
	if s := fmt.Sprintf("%+v", &req); !strings.Contains(s, "token_exchange") || !strings.Contains(s, "idp.example") {
		t.Errorf("TokenRequest prints as %q", s)
	}
}
