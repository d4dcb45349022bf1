// Package specserver serves an OpenAPI document's operations over HTTP for
// tests and demos, and checks every request it receives against the document
// with kin-openapi's openapi3filter: path, query, header and cookie
// parameters, the request body, and the security requirements (by asking a
// Verify function about each credential: a bearer token, an API key, a basic
// user name and password). A request that does not conform
// is answered 400 with the validation error and recorded, so that a test can
// assert that a generated client sent exactly what the spec says.
package specserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Call is one request the server received.
type Call struct {
	Operation string // operationId
	Method    string
	Path      string
	Query     string
	Header    http.Header
	Body      []byte
	// Err is why the request did not conform to the spec, nil when it did.
	Err error
}

// Handler answers a request that conforms to the spec.
type Handler func(w http.ResponseWriter, r *http.Request, op string, pathParams map[string]string)

// VerifyFunc checks the credential a request carries for a security scheme
// and its required scopes: the bearer token of an oauth2, openIdConnect or
// http bearer scheme, the key of an apiKey scheme (from its header, query
// parameter or cookie), "user:password" of an http basic scheme. An error
// answers 401 unless another of the operation's requirements is met.
type VerifyFunc func(ctx context.Context, scheme string, scopes []string, credential string) error

// Server is a running server.
type Server struct {
	*httptest.Server
	handler Handler
	verify  VerifyFunc
	router  routers.Router
	// basePath is the path of the spec's first server, kept in BaseURL.
	basePath string

	mu    sync.Mutex
	calls []Call
}

// Start loads the spec, points its servers at a new loopback server (keeping
// the first server's base path), and serves it.
func Start(specPath string, h Handler, verify VerifyFunc) (*Server, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	doc, err := loader.LoadFromFile(specPath)
	if err != nil {
		return nil, err
	}
	basePath := ""
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil {
			basePath = strings.TrimSuffix(u.Path, "/")
		}
	}
	s := &Server{handler: h, verify: verify, basePath: basePath}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	doc.Servers = openapi3.Servers{{URL: s.Server.URL + basePath}}
	if s.router, err = legacy.NewRouter(doc); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// BaseURL is what a client of this server takes as its base URL: the server
// and the path of the spec's first server.
func (s *Server) BaseURL() string { return s.Server.URL + s.basePath }

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Invalid returns the requests that did not conform to the spec.
func (s *Server) Invalid() []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Err != nil {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// errUnauthorized marks a security failure, answered 401.
var errUnauthorized = errors.New("unauthorized")

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	call := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		call.Body = body
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	// Routers match the server URL, which a server-side request lacks.
	r.URL.Scheme, r.URL.Host = "http", r.Host
	route, pathParams, err := s.router.FindRoute(r)
	if err != nil {
		call.Err = fmt.Errorf("no operation for %s %s: %w", r.Method, r.URL.Path, err)
		s.record(call)
		http.Error(w, call.Err.Error(), http.StatusNotFound)
		return
	}
	call.Operation = route.Operation.OperationID
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{
			MultiError: true,
			AuthenticationFunc: func(ctx context.Context, ai *openapi3filter.AuthenticationInput) error {
				if s.verify == nil {
					return nil
				}
				cred, err := credential(ai.RequestValidationInput.Request, ai.SecurityScheme)
				if err != nil {
					return fmt.Errorf("%w: %s: %v", errUnauthorized, ai.SecuritySchemeName, err)
				}
				if err := s.verify(ctx, ai.SecuritySchemeName, ai.Scopes, cred); err != nil {
					return fmt.Errorf("%w: %v", errUnauthorized, err)
				}
				return nil
			},
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		call.Err = err
		s.record(call)
		status := http.StatusBadRequest
		var se *openapi3filter.SecurityRequirementsError
		if errors.As(err, &se) || errors.Is(err, errUnauthorized) {
			status = http.StatusUnauthorized
		}
		http.Error(w, err.Error(), status)
		return
	}
	s.record(call)
	s.handler(w, r, call.Operation, pathParams)
}

// credential returns what r carries for scheme ss (see VerifyFunc).
func credential(r *http.Request, ss *openapi3.SecurityScheme) (string, error) {
	switch strings.ToLower(ss.Type) {
	case "apikey":
		var v string
		switch ss.In {
		case "header":
			v = r.Header.Get(ss.Name)
		case "query":
			v = r.URL.Query().Get(ss.Name)
		case "cookie":
			if c, err := r.Cookie(ss.Name); err == nil {
				v = c.Value
			}
		}
		if v == "" {
			return "", fmt.Errorf("no %s %s", ss.In, ss.Name)
		}
		return v, nil
	case "http":
		if strings.EqualFold(ss.Scheme, "basic") {
			user, pass, ok := r.BasicAuth()
			if !ok {
				return "", errors.New("no basic credentials")
			}
			return user + ":" + pass, nil
		}
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return "", errors.New("no bearer token")
	}
	return tok, nil
}
