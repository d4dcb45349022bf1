package load

import (
	"fmt"
	"net/url"
	"strings"
)

// A path key with a query in it (/responses/compact?beta=true, as a large
// vendor publishes) is not in the OpenAPI grammar, but its meaning is plain:
// the call carries that query. Written into the path, it would be sent
// escaped or, beside query parameters, after a second '?'. So the query is
// split off and sent as the start of the call's query (tpgenimpl.Operation's
// Query), before the query parameters.

// SplitPathQuery splits a path key at its '?' into the path template and
// the query, each pair URL-encoded again so that what is sent is what the
// spec wrote. A query that holds a template variable is refused: parameters
// in the query are declared as query parameters.
func SplitPathQuery(key string) (path, query string, err error) {
	path, raw, ok := strings.Cut(key, "?")
	if !ok {
		return key, "", nil
	}
	if strings.ContainsAny(raw, "{}") {
		return "", "", fmt.Errorf("the query %s written in the path holds a template variable: declare it as a parameter with in: query", QuoteText(raw))
	}
	raw, _, _ = strings.Cut(raw, "#")
	var pairs []string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		uk, err1 := url.QueryUnescape(k)
		uv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || uk == "" {
			return "", "", fmt.Errorf("the query %s written in the path is not a query of name=value pairs", QuoteText(raw))
		}
		pair := url.QueryEscape(uk)
		if hasValue {
			pair += "=" + url.QueryEscape(uv)
		}
		pairs = append(pairs, pair)
	}
	return path, strings.Join(pairs, "&"), nil
}
