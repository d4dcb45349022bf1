package runtime

import (
	"crypto/rand"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tpgen/tpgen/runtime/token"
)

// Cache keys name everything that changes a token, the service included, so
// that services sharing a token.Store never get each other's tokens: the
// service's name, who fetches (the token endpoint, or which custom fetcher),
// the endpoint, the client and how it authenticates, scopes, audience and
// resource, and for exchanges the token types and a hash of the subject token.
// Fields are length-prefixed, so that no value can shift another into its place.

// processID tells this process's custom fetchers from another's: their keys
// name the fetcher instance, which means nothing to another process sharing
// the store.
var processID = rand.Text()[:16]

// serviceSeq numbers Services whose custom fetcher has no identity of its own.
var serviceSeq atomic.Uint64

// fetcherID names the fetcher in cache keys: "endpoint" for the token.Endpoint
// the runtime made itself (the endpoint and client in the key identify its
// tokens, across processes too), otherwise this process, the fetcher's type
// and its instance: its address when it is a pointer, map or channel (two
// Services with one fetcher share tokens), else a number of the Service (a
// func's address is its code's, the same for closures over other values).
func fetcherID(f token.Fetcher, own bool) string {
	if own {
		return "endpoint"
	}
	v := reflect.ValueOf(f)
	id := "custom:" + processID + ":" + v.Type().String() + ":"
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.UnsafePointer:
		return id + strconv.FormatUint(uint64(v.Pointer()), 16)
	}
	return id + "service-" + strconv.FormatUint(serviceSeq.Add(1), 10)
}

// cacheKey joins kind and fields, each as its length, ':' and itself.
func cacheKey(kind string, fields ...string) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, f := range fields {
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	return b.String()
}
