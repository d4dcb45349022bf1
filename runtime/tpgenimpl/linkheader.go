package tpgenimpl

import "strings"

// maxLinkValues bounds how many link-values of a Link header are looked at:
// the header is the service's text, and only one of them is wanted.
const maxLinkValues = 64

// nextLink returns the target of the first link-value with relation type
// "next" in Link header lines (RFC 8288 §3: `<url>; rel="next"`, several
// values separated by commas, rel a space-separated list), or "".
func nextLink(lines []string) string {
	seen := 0
	for _, line := range lines {
		for rest := line; rest != ""; {
			seen++
			if seen > maxLinkValues {
				return ""
			}
			var target, params string
			var ok bool
			target, params, rest, ok = linkValue(rest)
			if !ok {
				break // the rest of this line cannot be read; the next line may be fine
			}
			if hasNextRel(params) {
				return target
			}
		}
	}
	return ""
}

// linkValue splits the first link-value off s: its target, the text of its
// parameters, and what follows the comma after it.
func linkValue(s string) (target, params, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t,")
	if s == "" || s[0] != '<' {
		return "", "", "", false
	}
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", "", "", false
	}
	target, s = s[1:end], s[end+1:]
	// Parameters run to the first comma outside a quoted string.
	params, rest, _ = cutUnquoted(s, ',')
	return target, params, rest, true
}

// hasNextRel reports whether the parameters of a link-value have a rel
// whose list holds "next" (case-insensitively, §3.3).
func hasNextRel(params string) bool {
	for _, p := range splitParams(params) {
		name, value, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		for _, rel := range strings.Fields(value) {
			if strings.EqualFold(rel, "next") {
				return true
			}
		}
		return false // only the first rel counts (§3.3)
	}
	return false
}

// splitParams splits the parameters of a link-value at the semicolons
// outside quoted strings: title="x; rel=next" is one parameter, not a rel.
func splitParams(s string) []string {
	var out []string
	for {
		p, rest, found := cutUnquoted(s, ';')
		out = append(out, p)
		if !found {
			return out
		}
		s = rest
	}
}

// cutUnquoted cuts s around the first sep outside a quoted string (with
// backslash escapes inside it, RFC 9110 §5.6.4).
func cutUnquoted(s string, sep byte) (before, after string, found bool) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == sep && !inQuote:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
