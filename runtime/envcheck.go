package runtime

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/envname"
)

// warnUnknownEnv logs at warn, once when the client is created, each
// variable of the process environment with the service's prefix that means
// nothing to it (TPGEN_ORDERS_BASEURL), with the variable it may have meant:
// a misspelt override is otherwise ignored without a word. Values are never
// logged. A variable that ends in the name of a known one
// (TPGEN_ORDERS_V2_BASE_URL for service orders) belongs to another service,
// orders-v2, and is left alone. Environments given with WithLookupEnv cannot
// be listed and are not checked.
func (st *settings) warnUnknownEnv(s *Service) {
	if st.environ == nil || !s.logger.Enabled(context.Background(), slog.LevelWarn) {
		return
	}
	prefix := EnvPrefix(s.name)
	known := slices.Clone(envname.Vars)
	known = append(known, envname.APIKey, envname.Username, envname.Password, envname.BearerToken)
	for name := range s.schemes {
		known = append(known, envname.APIKeyOf(name))
	}
	for _, kv := range st.environ() {
		name, _, _ := strings.Cut(kv, "=")
		suffix, ok := strings.CutPrefix(name, prefix)
		if !ok || slices.Contains(known, suffix) || anotherService(suffix, known) {
			continue
		}
		attrs := []slog.Attr{slog.String("service", s.name), slog.String("variable", name)}
		if guess := closest(suffix, known); guess != "" {
			attrs = append(attrs, slog.String("did_you_mean", prefix+guess))
		}
		s.logger.LogAttrs(context.Background(), slog.LevelWarn, "tpgen: environment variable means nothing to the service and is ignored", attrs...)
	}
}

// anotherService reports whether suffix is a known variable of a service
// whose name continues this one's: V2_BASE_URL.
func anotherService(suffix string, known []string) bool {
	for _, k := range known {
		if strings.HasSuffix(suffix, "_"+k) {
			return true
		}
	}
	return false
}

// closest returns the known name nearest to s, if it is near enough to be
// the one meant: at most a third of its letters different.
func closest(s string, known []string) string {
	best, bestD := "", len(s)/3+1
	for _, k := range known {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes: names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
