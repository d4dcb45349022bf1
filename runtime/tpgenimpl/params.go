package tpgenimpl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/internal/quote"
)

// escape percent-encodes everything but RFC 3986 unreserved characters, so
// that no value can be mistaken for a delimiter of any style.
func escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// pathParam serialises a primitive path parameter.
func pathParam(style Style, name, value string) string {
	switch style {
	case StyleLabel:
		return "." + escape(value)
	case StyleMatrix:
		return ";" + escape(name) + "=" + escape(value)
	}
	return escape(value)
}

// pathList serialises an array path parameter.
func pathList(style Style, explode bool, name string, values []string) string {
	esc := make([]string, len(values))
	for i, v := range values {
		esc[i] = escape(v)
	}
	switch style {
	case StyleLabel:
		if explode {
			return "." + strings.Join(esc, ".")
		}
		return "." + strings.Join(esc, ",")
	case StyleMatrix:
		n := escape(name)
		if explode {
			var b strings.Builder
			for _, v := range esc {
				b.WriteString(";" + n + "=" + v)
			}
			return b.String()
		}
		return ";" + n + "=" + strings.Join(esc, ",")
	}
	return strings.Join(esc, ",")
}

// pathObject serialises an object path parameter: v is encoded as JSON and its
// top-level properties written in key order. A v that encodes as an array or
// a scalar (a union of primitives) is written as a list or a primitive.
func pathObject(style Style, explode bool, name string, v any) (string, error) {
	j, err := flatten(v)
	if err != nil {
		return "", fmt.Errorf("path parameter %s: %w", name, err)
	}
	switch {
	case j.list != nil:
		return pathList(style, explode, name, j.list), nil
	case j.kv == nil:
		return pathParam(style, name, j.scalar), nil
	}
	kv := j.kv
	for i := range kv {
		kv[i] = escape(kv[i])
	}
	var b strings.Builder
	switch style {
	case StyleLabel:
		b.WriteByte('.')
		joinPairs(&b, kv, explode, ".")
	case StyleMatrix:
		if explode {
			for i := 0; i < len(kv); i += 2 {
				b.WriteString(";" + kv[i] + "=" + kv[i+1])
			}
		} else {
			b.WriteString(";" + escape(name) + "=")
			joinPairs(&b, kv, false, ",")
		}
	default:
		joinPairs(&b, kv, explode, ",")
	}
	return b.String(), nil
}

// joinPairs writes k=v<sep>k=v (explode) or k,v,k,v.
func joinPairs(b *strings.Builder, kv []string, explode bool, sep string) {
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			if explode {
				b.WriteString(sep)
			} else {
				b.WriteByte(',')
			}
		}
		b.WriteString(kv[i])
		if explode {
			b.WriteByte('=')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(kv[i+1])
	}
}

// headerList serialises an array header parameter (style simple).
func headerList(values []string) string { return strings.Join(values, ",") }

// headerObject serialises an object header parameter (style simple); arrays
// and scalars as headerList and the plain value.
func headerObject(explode bool, v any) (string, error) {
	j, err := flatten(v)
	if err != nil {
		return "", err
	}
	switch {
	case j.list != nil:
		return headerList(j.list), nil
	case j.kv == nil:
		return j.scalar, nil
	}
	var b strings.Builder
	joinPairs(&b, j.kv, explode, ",")
	return b.String(), nil
}

// addCookie adds name=value to the request's single Cookie header. A name
// that is not a token, or a value with a character a cookie cannot carry
// (RFC 6265: control characters, '"', ';', a backslash, anything beyond ASCII), is
// refused with a *runtime.ParamError rather than altered: net/http would drop the
// characters and say so only to the global log.
func addCookie(h http.Header, name, value string) error {
	if !quote.IsToken(name) {
		return &runtime.ParamError{Name: name, In: InCookie.String(), Reason: "has a name that is not an HTTP token"}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
			return &runtime.ParamError{Name: name, In: InCookie.String(), Reason: fmt.Sprintf("holds the byte %#02x, which a cookie value cannot carry", c)}
		}
	}
	c := (&http.Cookie{Name: name, Value: value}).String() // quotes a value with a space or a comma
	if old := h.Get("Cookie"); old != "" {
		c = old + "; " + c
	}
	h.Set("Cookie", c)
	return nil
}

// checkHeader refuses a header parameter whose name is not a token or whose
// value holds a control character other than a tab: CR and LF would split
// the header, and net/http refuses them only as it sends.
func checkHeader(name, value string) error {
	if !quote.IsToken(name) {
		return &runtime.ParamError{Name: name, In: InHeader.String(), Reason: "has a name that is not an HTTP token"}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return &runtime.ParamError{Name: name, In: InHeader.String(), Reason: fmt.Sprintf("holds the byte %#02x, which a header value cannot carry", c)}
		}
	}
	return nil
}

// query builds a query string, parameters in the order they are added.
type query struct{ b []byte }

func (q *query) sep() {
	if len(q.b) > 0 {
		q.b = append(q.b, '&')
	}
}

func (q *query) pair(name, value string) {
	q.sep()
	q.b = append(q.b, url.QueryEscape(name)...)
	q.b = append(q.b, '=')
	q.b = append(q.b, url.QueryEscape(value)...)
}

// joined adds name=v1<delim>v2…: each value escaped, the delimiter as the
// style writes it (",", "%20", "|").
func (q *query) joined(name, delim string, values []string) {
	q.sep()
	q.b = append(q.b, url.QueryEscape(name)...)
	q.b = append(q.b, '=')
	for i, v := range values {
		if i > 0 {
			q.b = append(q.b, delim...)
		}
		q.b = append(q.b, url.QueryEscape(v)...)
	}
}

// deepName escapes a deepObject name such as filter[owner][0], keeping the brackets.
func deepName(name string) string {
	var b strings.Builder
	for len(name) > 0 {
		i := strings.IndexAny(name, "[]")
		if i < 0 {
			b.WriteString(url.QueryEscape(name))
			break
		}
		b.WriteString(url.QueryEscape(name[:i]))
		b.WriteByte(name[i])
		name = name[i+1:]
	}
	return b.String()
}

func (q *query) deepPair(name, value string) {
	q.sep()
	q.b = append(q.b, deepName(name)...)
	q.b = append(q.b, '=')
	q.b = append(q.b, url.QueryEscape(value)...)
}

// add adds a primitive parameter (style form).
func (q *query) add(name, value string) { q.pair(name, value) }

// addList adds an array parameter.
func (q *query) addList(style Style, explode bool, name string, values []string) {
	if len(values) == 0 {
		return
	}
	if style == StyleDeepObject {
		for i, v := range values {
			q.deepPair(fmt.Sprintf("%s[%d]", name, i), v)
		}
		return
	}
	if explode {
		for _, v := range values {
			q.pair(name, v)
		}
		return
	}
	delim := ","
	switch style {
	case StyleSpaceDelimited:
		delim = "%20"
	case StylePipeDelimited:
		delim = "|"
	}
	q.joined(name, delim, values)
}

// addObject adds an object parameter: v is encoded as JSON and its properties
// written in key order, nested ones (deepObject) as name[a][b] and name[a][0].
func (q *query) addObject(style Style, explode bool, name string, v any) error {
	if style == StyleDeepObject {
		tree, err := jsonTree(v)
		if err != nil {
			return fmt.Errorf("query parameter %s: %w", name, err)
		}
		q.deep(name, tree)
		return nil
	}
	j, err := flatten(v)
	if err != nil {
		return fmt.Errorf("query parameter %s: %w", name, err)
	}
	switch {
	case j.list != nil:
		q.addList(style, explode, name, j.list)
		return nil
	case j.kv == nil:
		if !j.null {
			q.pair(name, j.scalar)
		}
		return nil
	}
	kv := j.kv
	if explode {
		for i := 0; i < len(kv); i += 2 {
			q.pair(kv[i], kv[i+1])
		}
		return nil
	}
	q.joined(name, ",", kv)
	return nil
}

// addJSON adds a parameter whose content is application/json.
func (q *query) addJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("query parameter %s: %w", name, err)
	}
	q.pair(name, string(b))
	return nil
}

func (q *query) deep(prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			q.deep(prefix+"["+k+"]", x[k])
		}
	case []any:
		for i, e := range x {
			q.deep(fmt.Sprintf("%s[%d]", prefix, i), e)
		}
	case nil:
	default:
		q.deepPair(prefix, scalar(x))
	}
}

// encode returns the query string without the leading '?'.
func (q *query) encode() string { return string(q.b) }

// formBody encodes v as application/x-www-form-urlencoded: top-level
// properties as key=value (arrays repeated), nested objects as key[a][b].
func formBody(v any) ([]byte, error) {
	tree, err := jsonTree(v)
	if err != nil {
		return nil, fmt.Errorf("form body: %w", err)
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("form body: %T is not an object", v)
	}
	var q query
	for _, k := range sortedKeys(obj) {
		switch x := obj[k].(type) {
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					q.deep(k, m)
				} else if e != nil {
					q.pair(k, scalar(e))
				}
			}
		default:
			q.deep(k, x)
		}
	}
	return q.b, nil
}

// jsonTree encodes v as JSON and decodes it into maps, slices and scalars,
// numbers kept exact.
func jsonTree(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return tree, nil
}

// flat is a parameter value's JSON, flattened: an object's top-level
// properties as k, v, k, v… in key order, an array's elements, or a scalar.
// Nested values are written as JSON.
type flat struct {
	kv     []string
	list   []string
	scalar string
	null   bool
}

func flatten(v any) (flat, error) {
	tree, err := jsonTree(v)
	if err != nil {
		return flat{}, err
	}
	switch x := tree.(type) {
	case map[string]any:
		kv := make([]string, 0, 2*len(x))
		for _, k := range sortedKeys(x) {
			if x[k] != nil {
				kv = append(kv, k, scalar(x[k]))
			}
		}
		return flat{kv: kv}, nil
	case []any:
		list := make([]string, 0, len(x))
		for _, e := range x {
			list = append(list, scalar(e))
		}
		return flat{list: list}, nil
	case nil:
		return flat{null: true}, nil
	}
	return flat{scalar: scalar(tree)}, nil
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
