package goname

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are written in one case in Go names (Go's own style).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true, "GUID": true,
	"HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true, "JWT": true, "LHS": true,
	"OS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true, "SMTP": true, "SQL": true,
	"SSH": true, "SSO": true, "TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true,
	"URI": true, "URL": true, "UTF8": true, "UUID": true, "VM": true, "XML": true, "XMPP": true, "XSRF": true,
	"XSS": true, "OAUTH": false,
}

// symbolWords name characters that carry meaning in enum values and keys.
var symbolWords = map[rune]string{
	'+': "Plus", '-': "Minus", '*': "Star", '/': "Slash", '<': "Lt", '>': "Gt", '=': "Eq", '!': "Not",
	'@': "At", '#': "Hash", '$': "Dollar", '%': "Percent", '&': "And", '|': "Pipe", '~': "Tilde", '.': "Dot",
}

// Words splits an identifier-ish string into words: at non-alphanumerics, at
// lower-to-upper changes (fooBar), at the end of an upper run (HTTPServer),
// and after digits where a capitalised word follows (OAuth2Token: O Auth2
// Token); digits stay with the letters before them, and so do lower-case
// letters and capitals without lower case after them (v2beta, 4XX).
func Words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(r):
				flush()
			case unicode.IsDigit(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush() // a capitalised word after digits: 2Token, not 2XX

			case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// ExportedName turns any string into an exported Go identifier, or "" when it
// has no letters or digits at all.
func ExportedName(s string) string {
	var b strings.Builder
	for _, w := range Words(s) {
		up := strings.ToUpper(w)
		if initialisms[up] {
			b.WriteString(up)
			continue
		}
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(strings.ToLower(w[n:]))
	}
	name := b.String()
	if name == "" {
		return ""
	}
	if r, _ := utf8.DecodeRuneInString(name); unicode.IsDigit(r) {
		name = "N" + name
	}
	return asciiOnly(name)
}

// asciiOnly keeps ASCII letters and digits; every other character becomes
// U and its code point in hex, so that distinct inputs stay distinct. Go
// would accept any Unicode letter, but the strict alphabet keeps out letters
// that look like others (Cyrillic а for a) or like nothing at all (U+3164
// HANGUL FILLER is a letter), and letters without case, which would make an
// unexported name of a field that encoding/json then leaves out.
func asciiOnly(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
		} else {
			b.WriteString("U" + strconv.FormatInt(int64(r), 16))
		}
	}
	return b.String()
}

// ValueName names an enum value or property: like exportedName, but symbols
// that carry the meaning ("+1", "-1") are spelled out, and an empty or
// symbol-only value still gets a name.
func ValueName(s string) string {
	if n := ExportedName(s); n != "" && !strings.ContainsAny(s[:1], "+-") {
		return n
	}
	var b strings.Builder
	for _, r := range s {
		if w, ok := symbolWords[r]; ok {
			b.WriteString(w)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	if n := ExportedName(b.String()); n != "" {
		return n
	}
	return "Empty"
}

// UnexportedName is exportedName with the first word lowered, safe as a Go
// local or parameter name.
func UnexportedName(s string) string {
	n := ExportedName(s)
	if n == "" {
		return "v"
	}
	// Lower the leading initialism or word: "ID" -> "id", "URLPath" -> "urlPath".
	rs := []rune(n)
	i := 0
	for i < len(rs) && unicode.IsUpper(rs[i]) {
		i++
	}
	switch {
	case i == 0:
	case i == 1 || i == len(rs):
		i = min(i, len(rs))
	default:
		i-- // keep the capital that starts the next word
	}
	for j := 0; j < i; j++ {
		rs[j] = unicode.ToLower(rs[j])
	}
	n = string(rs)
	if token.IsKeyword(n) || predeclared[n] {
		n += "_"
	}
	return n
}

// predeclared names that a parameter must not shadow in generated code.
var predeclared = map[string]bool{
	"ctx": true, "c": true, "err": true, "resp": true, "req": true, "q": true, "h": true, "body": true,
	"params": true, "opts": true, "out": true, "path": true, "runtime": true, "tpgenimpl": true, "url": true, "http": true, "json": true,
	"strconv": true, "time": true, "io": true, "fmt": true, "bytes": true, "string": true, "int": true,
	"bool": true, "error": true, "any": true, "nil": true, "true": true, "false": true, "len": true,
	"append": true, "new": true, "make": true, "copy": true, "close": true, "delete": true, "panic": true,
	"print": true, "iota": true, "byte": true, "rune": true, "float64": true, "int64": true, "min": true, "max": true,
}

// Namespace hands out unique names deterministically: the first claimant of a
// name gets it, later ones get a numeric suffix.
type Namespace struct {
	used map[string]bool
}

// NewNamespace is a Namespace in which reserved are taken.
func NewNamespace(reserved ...string) *Namespace {
	ns := &Namespace{used: map[string]bool{}}
	for _, r := range reserved {
		ns.used[r] = true
	}
	return ns
}

// Claim returns name, or name2, name3… when taken, and marks it used.
func (ns *Namespace) Claim(name string) string {
	if !ns.used[name] {
		ns.used[name] = true
		return name
	}
	for i := 2; ; i++ {
		n := name + strconv.Itoa(i)
		if !ns.used[n] {
			ns.used[n] = true
			return n
		}
	}
}

// Has reports whether name is taken.
func (ns *Namespace) Has(name string) bool { return ns.used[name] }

// PackageName derives a Go package name from a service name: lower case
// letters and digits only, not starting with a digit.
func PackageName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	n := b.String()
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "api" + n
	}
	if token.IsKeyword(n) {
		n += "api"
	}
	return n
}

// SuffixName is valueName for a name appended to another: digits may lead
// (Level + "1" is Level1, not LevelN1).
func SuffixName(s string) string {
	n := ValueName(s)
	if len(n) > 1 && n[0] == 'N' && n[1] >= '0' && n[1] <= '9' && (s == "" || s[0] >= '0' && s[0] <= '9') {
		return n[1:]
	}
	return n
}

// IsExported reports whether s is already an exported Go identifier of ASCII
// letters and digits.
func IsExported(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
