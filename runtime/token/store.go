package token

import (
	"container/heap"
	"container/list"
	"sync"
	"time"
)

// Store keeps tokens between calls. Keys are opaque, include everything
// that changes a token (the service, who fetches it, endpoint, client and how
// it authenticates, grant, scopes, audience, resource, token types, and a hash
// of the subject token for exchanges) and never contain a secret or token. A
// store may be shared between services. Implementations must be safe for
// concurrent use.
type Store interface {
	Load(key string) (*Token, bool)
	Store(key string, t *Token)
	// Delete removes key's token if it is still t (compare-and-delete), so that a
	// fresher token stored meanwhile is kept.
	Delete(key string, t *Token)
}

// MemoryStore is the default Store: a map bounded in size. When it is
// full, an expired token goes first (the one that expired earliest), and
// otherwise the least recently used one: an active caller keeps its token
// while callers who went away lose theirs. Making room costs O(log n), and
// reads of the token most recently used (a client credentials token shared by
// every call) take only a read lock.
type MemoryStore struct {
	mu     sync.RWMutex
	lru    lru        // key -> *storeEntry
	expiry expiryHeap // the same entries, earliest expiry first
	max    int
	now    func() time.Time
}

type storeEntry struct {
	key   string
	tok   *Token
	index int // in expiry
}

// NewMemoryStore returns a store that keeps at most max tokens (no bound when max <= 0).
func NewMemoryStore(max int) *MemoryStore {
	return &MemoryStore{max: max, now: time.Now}
}

// Load implements Store.
func (s *MemoryStore) Load(key string) (*Token, bool) {
	s.mu.RLock()
	e := s.lru.find(key)
	if e == nil {
		s.mu.RUnlock()
		return nil, false
	}
	t := e.Value.(*storeEntry).tok
	used := s.lru.order.Front() == e
	s.mu.RUnlock()
	if !used {
		s.mu.Lock()
		if s.lru.find(key) == e { // not deleted meanwhile
			s.lru.use(e)
		}
		s.mu.Unlock()
	}
	return t, true
}

// Store implements Store.
func (s *MemoryStore) Store(key string, t *Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.lru.find(key); e != nil {
		se := e.Value.(*storeEntry)
		se.tok = t
		heap.Fix(&s.expiry, se.index)
		s.lru.use(e)
		return
	}
	if s.max > 0 && s.lru.len() >= s.max {
		s.evict()
	}
	se := &storeEntry{key: key, tok: t}
	s.lru.add(key, se)
	heap.Push(&s.expiry, se)
}

// Delete implements Store.
func (s *MemoryStore) Delete(key string, t *Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.lru.find(key); e != nil && (t == nil || e.Value.(*storeEntry).tok == t) {
		s.remove(e)
	}
}

// Len returns the number of tokens held.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lru.len()
}

// evict makes room for one token. Called with mu held and the store full.
func (s *MemoryStore) evict() {
	if first := s.expiry[0]; !first.tok.Expiry.After(s.now()) {
		s.remove(s.lru.find(first.key))
		return
	}
	s.remove(s.lru.oldest())
}

func (s *MemoryStore) remove(e *list.Element) {
	se := e.Value.(*storeEntry)
	s.lru.remove(se.key, e)
	heap.Remove(&s.expiry, se.index)
}

// expiryHeap orders store entries by expiry (container/heap).
type expiryHeap []*storeEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].tok.Expiry.Before(h[j].tok.Expiry) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiryHeap) Push(x any) {
	se := x.(*storeEntry)
	se.index = len(*h)
	*h = append(*h, se)
}
func (h *expiryHeap) Pop() any {
	old := *h
	se := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return se
}
