package config

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// In YAML's flow collections ({ a: b } and [a, b]) the braces are syntax, so
// an unquoted ${VAR} there, as services.yaml's references are written
// (auth: { client_id: ${SHOP_CLIENT_ID} }), ends the mapping at its own
// closing brace. yaml.v3 then reports a missing ',' or '}' at the line of
// the collection, not at the reference, and says nothing of quotes. When a
// file does not parse, flowReference finds such a reference, so that the
// error names its place and the cure.

// flowReference returns the position (1-based line and column, in
// characters) and the text of the first ${...} written unquoted inside a
// flow collection of data, and the kind of collection ("mapping" or
// "sequence"); ok is false when there is none.
func flowReference(data []byte) (line, col int, ref, kind string, ok bool) {
	s := string(data)
	var stack []byte // open flow collections: '{' or '['
	line, lineStart := 1, 0
	atLineStart := true // only spaces since the line began
	prevSpace := true   // the character before is a space, or none
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			line, lineStart, atLineStart, prevSpace = line+1, i+1, true, true
			continue
		case c == '#' && prevSpace:
			// A comment, to the end of the line.
			for i+1 < len(s) && s[i+1] != '\n' {
				i++
			}
			continue
		case (c == '\'' || c == '"') && (prevSpace || i > 0 && strings.IndexByte("[{,", s[i-1]) >= 0):
			// A quoted scalar, to its closing quote ('' and \" escape).
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\n' {
					line, lineStart = line+1, j+1
				} else if c == '"' && s[j] == '\\' {
					j++
				} else if s[j] == c && c == '\'' && j+1 < len(s) && s[j+1] == '\'' {
					j++
				} else if s[j] == c {
					break
				}
			}
			if j >= len(s) {
				return 0, 0, "", "", false // unterminated: another error
			}
			i, atLineStart, prevSpace = j, false, false
			continue
		case (c == '|' || c == '>') && len(stack) == 0 && !atLineStart && prevSpace:
			// A block scalar: its lines are text, not syntax. It ends before
			// the first line that is not blank and indented no more than the
			// line it starts on.
			indent := indentOf(s[lineStart:])
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return 0, 0, "", "", false
			}
			i += nl // at the end of the line, not yet counted
			for {
				rest := s[i+1:]
				if l := firstLine(rest); strings.TrimSpace(l) != "" && indentOf(l) <= indent {
					break
				}
				nl := strings.IndexByte(rest, '\n')
				if nl < 0 {
					return 0, 0, "", "", false
				}
				line, i = line+1, i+1+nl
			}
			i-- // the loop goes on at the newline
			continue
		case c == '{' || c == '[':
			stack = append(stack, c)
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case c == '$' && len(stack) > 0 && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 || strings.ContainsAny(s[i:i+end], "\n,") {
				break
			}
			kind = "mapping"
			if stack[len(stack)-1] == '[' {
				kind = "sequence"
			}
			return line, utf8.RuneCountInString(s[lineStart:i]) + 1, s[i : i+end+1], kind, true
		}
		atLineStart = atLineStart && (c == ' ' || c == '\t')
		prevSpace = c == ' ' || c == '\t'
	}
	return 0, 0, "", "", false
}

// indentOf counts the spaces a line starts with.
func indentOf(s string) int {
	n := 0
	for n < len(s) && s[n] == ' ' {
		n++
	}
	return n
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// flowReferenceError is the message for a reference flowReference found.
func flowReferenceError(ref, kind string) string {
	open, close := "{", "}"
	if kind == "sequence" {
		open, close = "[", "]"
	}
	return fmt.Sprintf("invalid YAML: %s inside a flow %s (%s ... %s) must be quoted, \"%s\": its braces are YAML's there", ref, kind, open, close, ref)
}
