package runtime

import (
	"sync"
	"time"
)

// TokenStore keeps tokens between calls. Keys are opaque, include everything
// that changes a token (the service, who fetches it, endpoint, client and how
// it authenticates, grant, scopes, audience, resource, token types, and a hash
// of the subject token for exchanges) and never contain a secret or token. A
// store may be shared between services. Implementations must be safe for
// concurrent use.
type TokenStore interface {
	Load(key string) (*Token, bool)
	Store(key string, t *Token)
	// Delete removes key's token if it is still t (compare-and-delete), so that a
	// fresher token stored meanwhile is kept.
	Delete(key string, t *Token)
}

// MemoryStore is the default TokenStore: a map bounded in size. When it is full,
// expired tokens go first, then those closest to expiry.
type MemoryStore struct {
	mu  sync.RWMutex
	m   map[string]*Token
	max int
	now func() time.Time
}

// NewMemoryStore returns a store that keeps at most max tokens (no bound when max <= 0).
func NewMemoryStore(max int) *MemoryStore {
	return &MemoryStore{m: make(map[string]*Token), max: max, now: time.Now}
}

// Load implements TokenStore.
func (s *MemoryStore) Load(key string) (*Token, bool) {
	s.mu.RLock()
	t, ok := s.m[key]
	s.mu.RUnlock()
	return t, ok
}

// Store implements TokenStore.
func (s *MemoryStore) Store(key string, t *Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.m[key]; !exists && s.max > 0 && len(s.m) >= s.max {
		s.evict()
	}
	s.m[key] = t
}

// Delete implements TokenStore.
func (s *MemoryStore) Delete(key string, t *Token) {
	s.mu.Lock()
	if cur, ok := s.m[key]; ok && (t == nil || cur == t) {
		delete(s.m, key)
	}
	s.mu.Unlock()
}

// Len returns the number of tokens held.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// evict makes room for one token. Called with mu held and the map full.
func (s *MemoryStore) evict() {
	now := s.now()
	var oldestKey string
	var oldest time.Time
	for k, t := range s.m {
		if !t.Expiry.After(now) {
			delete(s.m, k)
			continue
		}
		if oldestKey == "" || t.Expiry.Before(oldest) {
			oldestKey, oldest = k, t.Expiry
		}
	}
	if len(s.m) >= s.max && oldestKey != "" {
		delete(s.m, oldestKey)
	}
}
