// Package shop runs the example's backend services on loopback: each serves
// its spec from examples/specs through specserver (every request checked
// against the spec, every token verified by the in-process OAuth2 provider for
// the audience and scopes the spec requires) and answers with sample data.
// The demo and the end-to-end tests call them through the generated clients.
package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/tpgen/tpgen/internal/authserver"
	"github.com/tpgen/tpgen/internal/specserver"
)

// Service names the example's services and what their tokens must carry.
type Service struct {
	Name     string
	Spec     string // file in examples/specs
	Audience string // required audience; "" accepts any token of the provider
}

// Services are the example's backends, as examples/services.yaml describes them.
var Services = []Service{
	{Name: "orders", Spec: "orders.yaml", Audience: "orders-api"},
	{Name: "inventory", Spec: "inventory.yaml", Audience: "inventory-api"},
	{Name: "profiles", Spec: "profiles.yaml"},
	{Name: "pets", Spec: "petstore.yaml"},
}

// Shop is the running backends.
type Shop struct {
	Auth    *authserver.Server
	Servers map[string]*specserver.Server

	mu     sync.Mutex
	tokens []Seen
}

// Seen is a verified token a backend received.
type Seen struct {
	Service, Operation, Subject, Actor string
}

// Start runs every backend against auth. specDir is the examples/specs folder.
func Start(auth *authserver.Server, specDir string) (*Shop, error) {
	s := &Shop{Auth: auth, Servers: map[string]*specserver.Server{}}
	for _, svc := range Services {
		svc := svc
		srv, err := specserver.Start(filepath.Join(specDir, svc.Spec), s.handler(svc), s.verifier(svc))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: %w", svc.Name, err)
		}
		s.Servers[svc.Name] = srv
	}
	return s, nil
}

// BaseURL is the base URL of a backend.
func (s *Shop) BaseURL(name string) string { return s.Servers[name].BaseURL() }

// Close stops every backend.
func (s *Shop) Close() {
	for _, srv := range s.Servers {
		srv.Close()
	}
}

// Seen returns the tokens the backends verified, in order.
func (s *Shop) Seen() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.tokens...)
}

// PetsAPIKey is the key the pets backend takes for its petsKey scheme.
const PetsAPIKey = "pets-key-3Kd9Vw"

func (s *Shop) verifier(svc Service) specserver.VerifyFunc {
	return func(ctx context.Context, scheme string, scopes []string, token string) error {
		if scheme == "petsKey" {
			if token != PetsAPIKey {
				return errors.New("wrong X-Pets-Key")
			}
			return nil
		}
		c, err := s.Auth.Verify(ctx, token)
		if err != nil {
			return err
		}
		// Tokens the provider minted for callers (audience "caller") are accepted
		// where the caller's own token is forwarded (profiles' getMyProfile).
		if svc.Audience != "" && !c.HasAudience(svc.Audience) {
			return fmt.Errorf("token audience %v lacks %q", c.Audience, svc.Audience)
		}
		for _, sc := range scopes {
			if !slices.Contains(c.Scopes, sc) && !c.HasAudience("caller") {
				return fmt.Errorf("token lacks scope %q (has %v)", sc, c.Scopes)
			}
		}
		s.mu.Lock()
		s.tokens = append(s.tokens, Seen{Service: svc.Name, Subject: c.Subject, Actor: c.Actor})
		s.mu.Unlock()
		return nil
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": title, "status": status})
}

var errUnknown = errors.New("unknown operation")

// profile is the sample profile of user id: its name is the id capitalised
// (alice: Alice), so that whose profile came back shows.
func profile(id string) map[string]any {
	name := id
	if name != "" {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	return map[string]any{"id": id, "displayName": name, "email": nil,
		"contact": map[string]any{"kind": "email", "address": id + "@example.com"}}
}

func (s *Shop) handler(svc Service) specserver.Handler {
	return func(w http.ResponseWriter, r *http.Request, op string, pp map[string]string) {
		order := map[string]any{
			"id": "6f1c2a9e-8d7b-4c1e-9f0a-2b3c4d5e6f70", "status": "paid", "createdAt": "2026-11-20T10:00:00Z",
			"lines": []any{map[string]any{"sku": "MUG-1", "quantity": 2}},
			"total": map[string]any{"currency": "EUR", "amount": "25.00"},
		}
		switch op {
		case "listOrders": // two pages: the first names the second's cursor
			if r.URL.Query().Get("cursor") == "" {
				w.Header().Set("X-Next-Cursor", "c2")
			}
			writeJSON(w, 200, []any{order})
		case "createOrder":
			var in map[string]any
			_ = json.NewDecoder(r.Body).Decode(&in)
			order["lines"] = in["lines"]
			writeJSON(w, 201, order)
		case "getOrder":
			if pp["orderId"] != order["id"] {
				problem(w, 404, "no such order")
				return
			}
			writeJSON(w, 200, order)
		case "cancelOrder":
			problem(w, 409, "order has shipped")
		case "health":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("ok"))
		case "getStock":
			writeJSON(w, 200, map[string]any{"sku": pp["sku"], "levels": map[string]int{"ams-1": 12, "sto-2": 0}, "updatedAt": "2026-11-26T08:00:00Z"})
		case "reserveStock":
			writeJSON(w, 201, map[string]any{"id": "res-1", "expiresAt": "2026-11-26T09:00:00Z"})
		case "getMyProfile":
			// The caller's own profile: whoever the verified token says it is.
			c, err := s.Auth.Verify(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			if err != nil { // specserver verified it already; not expected
				problem(w, 401, "token not valid")
				return
			}
			writeJSON(w, 200, profile(c.Subject))
		case "getProfile":
			writeJSON(w, 200, profile(pp["userId"]))
		case "findPets":
			writeJSON(w, 200, []any{map[string]any{"id": 1, "name": "Rex", "tag": "dog"}})
		case "addPet":
			var in map[string]any
			_ = json.NewDecoder(r.Body).Decode(&in)
			in["id"] = 2
			writeJSON(w, 200, in)
		case "findPetById":
			writeJSON(w, 200, map[string]any{"id": 1, "name": "Rex"})
		case "deletePet":
			w.WriteHeader(204)
		default:
			http.Error(w, errUnknown.Error(), 500)
		}
	}
}
