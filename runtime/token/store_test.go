package token_test

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
)

// BenchmarkMemoryStore measures the default token store when it is full, at
// three sizes:
//
//	go test -run '^$' -bench MemoryStore -benchmem ./runtime/token
//
// NewCaller stores a token for a key the store does not hold (a new caller of
// a token exchange service), so that one token has to go; Load reads a token
// it holds; Mixed runs both on every core, one new caller per 100 reads, which
// shows how long reads wait while a new caller makes room.
func BenchmarkMemoryStore(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		// 2n keys: the store holds n of them, so that cycling through all of
		// them in order always stores a key it no longer holds.
		keys := make([]string, 2*n)
		for i := range keys {
			keys[i] = fmt.Sprintf("tx\x00https://idp.example.com/token\x00client\x00%064x", i)
		}
		now := time.Now()
		// Later keys expire later: the token that has to go is the oldest,
		// whether a store picks the one closest to expiry or the least recently used.
		tok := func(i int) *token.Token {
			return &token.Token{AccessToken: "t", Obtained: now, Expiry: now.Add(time.Hour + time.Duration(i)*time.Millisecond)}
		}
		tokens := make([]*token.Token, 2*n)
		for i := range tokens {
			tokens[i] = tok(i)
		}
		full := func() *token.MemoryStore {
			s := token.NewMemoryStore(n)
			for i := range n {
				s.Store(keys[i], tokens[i])
			}
			return s
		}
		b.Run(fmt.Sprintf("NewCaller/n=%d", n), func(b *testing.B) {
			s := full()
			i := n
			for b.Loop() {
				s.Store(keys[i%len(keys)], tokens[i%len(keys)])
				i++
			}
		})
		b.Run(fmt.Sprintf("Load/n=%d", n), func(b *testing.B) {
			s := full()
			i := 0
			for b.Loop() {
				if _, ok := s.Load(keys[i%n]); !ok {
					b.Fatal("miss")
				}
				i++
			}
		})
		b.Run(fmt.Sprintf("Mixed/n=%d", n), func(b *testing.B) {
			s := full()
			var next atomic.Int64
			next.Store(int64(n))
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for j := 0; pb.Next(); j++ {
					if j%100 == 99 {
						k := int(next.Add(1)) % len(keys)
						s.Store(keys[k], tokens[k])
					} else {
						s.Load(keys[r.IntN(len(keys))])
					}
				}
			})
		})
	}
}
