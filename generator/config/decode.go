package config

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/tpgen/tpgen/internal/envname"
	"io"
	"io/fs"
	"net/textproto"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The decoder walks yaml.v3 nodes by hand rather than unmarshalling into
// structs: that is what gives every problem a line and column, lets unknown
// keys and duplicates be reported, and lets one pass collect every problem.

const tokenTypePrefix = "urn:ietf:params:oauth:token-type:"

var (
	envName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	serviceName   = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	packageName   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	headerName    = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	tokenTypeName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// Keys and values, in the order the documentation lists them.
var (
	topKeys      = []string{"version", "output", "defaults", "services"}
	defaultsKeys = []string{"auth", "message_id_header", "timeout", "ref_root", "lenient", "validate_responses", "token_store"}
	serviceKeys  = []string{"spec", "package", "base_url", "auth", "message_id_header", "timeout", "ref_root", "lenient", "validate_responses", "include", "exclude", "models", "operations"}
	authKeys     = []string{"issuer", "token_url", "client_id", "client_secret", "grant", "scopes", "audience", "resource", "client_auth", "subject_token_type", "requested_token_type",
		"actor_token", "actor_token_type", "api_key", "api_keys", "username", "password", "bearer_token"}
	opKeys     = []string{"auth", "pagination"}
	opAuthKeys = []string{"grant", "scopes", "audience", "resource"}
	filterKeys = []string{"tags", "operations"}

	// grantNames are the runtime's (Grant.String of each); a test keeps them equal.
	grantNames      = []string{"none", "client_credentials", "token_exchange", "passthrough", "auto"}
	clientAuthNames = []string{"basic", "post"}
	modelsNames     = []string{ModelsUsed, ModelsAll}
	tokenTypeNames  = []string{"access_token", "jwt", "id_token"}
)

// Hints for keys written in the wrong place, and for values that name a
// neighbouring concept.
var (
	topHints = map[string]string{
		"auth":               "auth belongs under defaults: or a service",
		"timeout":            "timeout belongs under defaults: or a service",
		"message_id_header":  "message_id_header belongs under defaults: or a service",
		"spec":               "spec belongs under a service",
		"base_url":           "base_url belongs under a service",
		"ref_root":           "ref_root belongs under defaults: or a service",
		"lenient":            "lenient belongs under defaults: or a service",
		"validate_responses": "validate_responses belongs under defaults: or a service",
		"token_store":        "token_store belongs under defaults:",
	}
	defaultsHints = map[string]string{
		"spec":       "spec is set per service",
		"base_url":   "base_url is set per service",
		"package":    "package is set per service",
		"include":    "include is set per service",
		"exclude":    "exclude is set per service",
		"models":     "models is set per service",
		"operations": "operations is set per service",
		"output":     "output belongs at the top level",
	}
	serviceHints = map[string]string{
		"name":     "a service's name is its key under services:",
		"output":   "output belongs at the top level",
		"version":  "version belongs at the top level",
		"defaults": "defaults belongs at the top level",

		"token_store": "token_store is set under defaults: one store serves every service of a process",
	}
	opHints    = map[string]string{}
	authHints  = map[string]string{}
	grantHints = map[string]string{
		"inherit":  "leave grant out to inherit it",
		"exchange": "did you mean token_exchange?",
	}
	clientAuthHints = map[string]string{
		"client_secret_basic": "did you mean basic?",
		"client_secret_post":  "did you mean post?",
		"private_key_jwt":     "private_key_jwt and other client authentication are set up in code: see token.Config.Fetcher (runtime.Auth{Tokens})",
		"tls_client_auth":     "mTLS client authentication is set up in code: see token.Config.HTTPClient (runtime.Auth{Tokens})",
	}
	// reservedHeaders cannot carry message ids: HTTP, authentication and
	// the runtime's diagnostics (runtime.DefaultDiagnosticsHeader) use them.
	reservedHeaders = []string{
		"Accept", "Accept-Encoding", "Authorization", "Connection", "Content-Encoding", "Content-Length",
		"Content-Type", "Cookie", "Host", "Keep-Alive", "Proxy-Authorization", "Set-Cookie", "Te",
		"Tp-Diag", "Trailer", "Transfer-Encoding", "Upgrade", "User-Agent", "Www-Authenticate",
	}
	goKeywords = []string{
		"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
		"func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return",
		"select", "struct", "switch", "type", "var",
	}
)

func init() {
	for _, k := range authKeys {
		topHints[k] = k + " belongs under auth:, in defaults: or a service"
		serviceHints[k] = k + " belongs under auth:"
		defaultsHints[k] = k + " belongs under auth:"
	}
	for _, k := range opAuthKeys {
		opHints[k] = k + " belongs under auth:"
	}
	for _, k := range []string{"timeout", "message_id_header", "spec", "base_url", "package"} {
		authHints[k] = k + " belongs beside auth:, not in it"
	}
}

type decoder struct {
	file string
	dir  string
	errs Errors
}

func newDecoder(path string) *decoder {
	return &decoder{file: path, dir: filepath.Dir(path)}
}

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

// errorf records a problem at n (nil: the whole file). pre names where the
// problem is (`service "orders": `); it is not a format.
func (d *decoder) errorf(pre string, n *yaml.Node, format string, args ...any) {
	p := Pos{File: d.file}
	if n != nil {
		p = d.pos(n)
	}
	d.errs = append(d.errs, &Error{Pos: p, Msg: pre + fmt.Sprintf(format, args...)})
}

// decodeFile returns the config, or nil after recording why there is none.
func (d *decoder) decodeFile(data []byte) *Config {
	if len(data) > MaxFileSize {
		d.errorf("", nil, "file is larger than %d MiB", MaxFileSize>>20)
		return nil
	}
	root := d.parse(data)
	if root == nil {
		return nil
	}
	d.checkAliases(root)
	return d.top(root)
}

// parse returns the root node of the only document in data.
func (d *decoder) parse(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 has panicked on hostile input before; keep that from
		// reaching the caller. Our own code runs outside this guard.
		if r := recover(); r != nil {
			d.errs = nil
			d.errorf("", nil, "cannot parse YAML: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf("", nil, "file is empty: it needs version: 1 and at least one service under services:")
		} else {
			d.yamlError(err, data)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		d.yamlError(err, data)
		return nil
	default:
		d.errorf("", &next, "a second YAML document: services.yaml holds exactly one")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		if len(d.errs) == 0 {
			d.errorf("", nil, "file is empty: it needs version: 1 and at least one service under services:")
		}
		return nil
	}
	return doc.Content[0]
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError records a syntax error. yaml.v3 reports a line but no column;
// for an unquoted ${VAR} in a flow collection, which is what breaks most
// files that look right, the error is at the reference instead (see
// flowReference).
func (d *decoder) yamlError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Pos{File: d.file}
	if line, col, ref, kind, ok := flowReference(data); ok {
		d.errs = append(d.errs, &Error{Pos: Pos{File: d.file, Line: line, Col: col}, Msg: flowReferenceError(ref, kind)})
		return
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if line, err := strconv.Atoi(m[1]); err == nil {
			p.Line, msg = line, m[2]
		}
	}
	d.errs = append(d.errs, &Error{Pos: p, Msg: "invalid YAML: " + msg})
}

// checkAliases reports every alias and merge key. yaml.v3 does not expand
// them when decoding into nodes, so an alias bomb costs nothing here; they
// are refused because shared settings belong under defaults:, where the
// merge rules are documented. The rest of the decoder skips alias nodes.
func (d *decoder) checkAliases(n *yaml.Node) {
	switch n.Kind {
	case yaml.AliasNode:
		d.errorf("", n, "YAML aliases (*%s) are not supported: write the value out, or put what services share under defaults:", n.Value)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isMerge(k) {
				d.errorf("", k, "YAML merge keys (<<) are not supported: put what services share under defaults:")
				continue
			}
			d.checkAliases(k)
			d.checkAliases(v)
		}
	default:
		for _, c := range n.Content {
			d.checkAliases(c)
		}
	}
}

func isMerge(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!merge" }

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// top decodes the root mapping.
func (d *decoder) top(root *yaml.Node) *Config {
	cfg := &Config{File: d.file, Dir: d.dir, Output: DefaultOutput}
	es, ok := d.entries("", "the top level", root)
	if !ok {
		return nil
	}
	// A version other than 1 is another format: its other keys mean nothing here.
	if e := find(es, "version"); e != nil {
		v, stop := d.version(e.v)
		if stop {
			return nil
		}
		cfg.Version = v
	}
	// A misspelt key is reported as such, not as a missing one as well.
	suggested := map[string]bool{}
	for _, e := range es {
		switch e.key {
		case "version":
		case "output":
			cfg.Output = d.relPath("", "output", e.v)
		case "defaults":
			d.defaults(e.v, &cfg.Defaults)
		case "services":
			cfg.Services = d.services(e.v)
		default:
			suggested[d.unknownKey("", e.k, "", topKeys, topHints)] = true
		}
	}
	if find(es, "version") == nil && !suggested["version"] {
		d.errorf("", root, "missing version: services.yaml starts with version: 1")
	}
	if find(es, "services") == nil && !suggested["services"] {
		d.errorf("", root, "no services: add at least one under services:")
	}
	cfg.OutputDir = filepath.Join(d.dir, filepath.FromSlash(cfg.Output))
	d.refRoots(cfg)
	return cfg
}

type entry struct {
	key  string
	k, v *yaml.Node
}

func find(es []entry, key string) *entry {
	for i := range es {
		if es[i].key == key {
			return &es[i]
		}
	}
	return nil
}

// entries returns the pairs of the mapping n, reporting n if it is not a
// mapping (what names it), and keys that are not scalars or repeat. An
// alias, reported already, yields ok false silently.
func (d *decoder) entries(pre, what string, n *yaml.Node) (es []entry, ok bool) {
	if n.Kind == yaml.AliasNode {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		d.wrongKind(pre, what, n, "a mapping")
		return nil, false
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case isMerge(k), k.Kind == yaml.AliasNode: // reported by checkAliases
			continue
		case k.Kind != yaml.ScalarNode:
			d.errorf(pre, k, "a key must be a plain name, not %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(pre, k, "duplicate key %s (first at line %d)", quote(k.Value), first.Line)
			continue
		}
		seen[k.Value] = k
		es = append(es, entry{key: k.Value, k: k, v: v})
	}
	return es, true
}

// unknownKey reports key k, found in the mapping named where ("" when pre
// names it already), and returns the key it suggests instead, if any.
func (d *decoder) unknownKey(pre string, k *yaml.Node, where string, allowed []string, hints map[string]string) (suggested string) {
	msg := "unknown key " + quote(k.Value)
	if where != "" {
		msg += " in " + where
	}
	if h, ok := hints[k.Value]; ok {
		msg += " (" + h + ")"
	} else if suggested = Suggest(k.Value, allowed); suggested != "" {
		msg += " (did you mean " + suggested + "?)"
	}
	d.errorf(pre, k, "%s", msg)
	return suggested
}

// wrongKind reports that n, the value of what, is not the wanted kind.
func (d *decoder) wrongKind(pre, what string, n *yaml.Node, want string) {
	if isNull(n) {
		d.errorf(pre, n, "%s is empty: give it %s, or leave the key out", what, want)
		return
	}
	msg := fmt.Sprintf("%s must be %s, not %s", what, want, describe(n))
	if want == "a string" && n.Kind == yaml.ScalarNode && clip(n.Value) == n.Value {
		switch n.ShortTag() {
		case "!!int", "!!float", "!!bool", "!!timestamp", "!!null":
			msg += fmt.Sprintf(" (quote it: %s)", quote(n.Value))
		}
	}
	d.errorf(pre, n, "%s", msg)
}

// describe names what n is, for "must be X, not Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch tag := n.ShortTag(); tag {
	case "!!str":
		return "a string"
	case "!!int":
		return "the integer " + clip(n.Value)
	case "!!float":
		return "the number " + clip(n.Value)
	case "!!bool":
		return "the boolean " + clip(n.Value)
	case "!!null":
		return "null"
	case "!!timestamp":
		return "the timestamp " + clip(n.Value)
	case "!!binary":
		return "binary data"
	default:
		return "a value tagged " + clip(tag)
	}
}

// clip shortens what the user wrote for an error message.
func clip(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "..."
}

func quote(s string) string { return strconv.Quote(clip(s)) }

// str returns the string value of n. Empty strings and other scalars are
// reported; ok is false then, and for aliases.
func (d *decoder) str(pre, key string, n *yaml.Node) (string, bool) {
	if n.Kind == yaml.AliasNode {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.wrongKind(pre, key, n, "a string")
		return "", false
	}
	if n.Value == "" {
		d.errorf(pre, n, "%s must not be empty", key)
		return "", false
	}
	return n.Value, true
}

// plain is str for settings that take no ${VAR} reference.
func (d *decoder) plain(pre, key string, n *yaml.Node) (string, bool) {
	v, ok := d.str(pre, key, n)
	if ok && strings.Contains(v, "${") {
		d.errorf(pre, n, "%s cannot be a ${VAR} reference: only client_id, client_secret and token_store's password and encryption_key can (the generated client reads TPGEN_<SERVICE>_* variables to override the rest at run time)", key)
		return "", false
	}
	return v, ok
}

// version returns 1, or reports why not; stop says the file is of another
// version and the rest of it should not be judged.
func (d *decoder) version(n *yaml.Node) (v int, stop bool) {
	if n.Kind == yaml.AliasNode {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.wrongKind("", "version", n, "the integer 1")
		return 0, false
	}
	var i int64
	if err := n.Decode(&i); err != nil || i != 1 {
		d.errorf("", n, "unsupported version %s: this tpgen reads version 1", clip(n.Value))
		return 0, true
	}
	return 1, false
}

// relPath returns a slash-separated path relative to services.yaml.
func (d *decoder) relPath(pre, key string, n *yaml.Node) string {
	v, ok := d.plain(pre, key, n)
	if !ok {
		return ""
	}
	switch {
	case strings.Contains(v, "://"):
		d.errorf(pre, n, "%s must be a file path relative to services.yaml, not a URL", key)
	case path.IsAbs(v) || filepath.IsAbs(v) || filepath.VolumeName(v) != "":
		d.errorf(pre, n, "%s %s must be relative to services.yaml, so that the file works on every machine", key, quote(v))
	case strings.ContainsRune(v, 0):
		d.errorf(pre, n, "%s must not contain NUL", key)
	default:
		return v
	}
	return ""
}

func (d *decoder) defaults(n *yaml.Node, s *Settings) {
	const pre = "defaults: "
	es, ok := d.entries("", "defaults", n)
	if !ok {
		return
	}
	for _, e := range es {
		switch {
		case e.key == "token_store":
			s.TokenStore = d.tokenStore(pre, e.k, e.v)
		case !d.setting(pre, e, s):
			d.unknownKey(pre, e.k, "", defaultsKeys, defaultsHints)
		}
	}
}

// setting decodes e into s if it is a key that both defaults: and a service
// may set, and reports whether it was.
func (d *decoder) setting(pre string, e entry, s *Settings) bool {
	switch e.key {
	case "auth":
		s.Auth = d.auth(pre, e.v, false)
	case "message_id_header":
		if v, ok := d.plain(pre, e.key, e.v); ok {
			switch {
			case !headerName.MatchString(v):
				d.errorf(pre, e.v, "message_id_header %s is not a valid HTTP header name", quote(v))
			case slices.Contains(reservedHeaders, textproto.CanonicalMIMEHeaderKey(v)):
				d.errorf(pre, e.v, "message_id_header %s is a header that HTTP or tpgen already uses", quote(v))
			default:
				s.MessageIDHeader = v
			}
		}
	case "timeout":
		s.Timeout = d.duration(pre, e.key, e.v)
	case "ref_root":
		s.RefRoot, s.RefRootDir = d.dirPath(pre, e.key, e.v)
		s.RefRootPos = d.pos(e.v)
	case "lenient":
		s.Lenient, s.LenientSet = d.boolean(pre, e.key, e.v)
	case "validate_responses":
		s.ValidateResponses, s.ValidateResponsesSet = d.boolean(pre, e.key, e.v)
	default:
		return false
	}
	return true
}

// boolean returns the value of a true/false setting, and whether it is one.
func (d *decoder) boolean(pre, key string, n *yaml.Node) (v, ok bool) {
	if n.Kind == yaml.AliasNode {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.wrongKind(pre, key, n, "true or false")
		return false, false
	}
	if err := n.Decode(&v); err != nil {
		d.wrongKind(pre, key, n, "true or false")
		return false, false
	}
	return v, true
}

// dirPath returns the path of a directory relative to services.yaml, as written
// and joined to the directory of services.yaml, after checking that it exists.
func (d *decoder) dirPath(pre, key string, n *yaml.Node) (written, joined string) {
	v := d.relPath(pre, key, n)
	if v == "" {
		return "", ""
	}
	p := filepath.Join(d.dir, filepath.FromSlash(v))
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.errorf(pre, n, "%s %s: %s does not exist", key, quote(v), p)
	case err != nil:
		d.errorf(pre, n, "%s %s: %v", key, quote(v), errors.Unwrap(err))
	case !fi.IsDir():
		d.errorf(pre, n, "%s %s is not a directory", key, quote(v))
	default:
		return v, p
	}
	return "", ""
}

// refRoots checks that each service's spec lies inside the ref_root it uses:
// the tree its $refs may read is meant to hold it.
func (d *decoder) refRoots(cfg *Config) {
	for _, s := range cfg.Services {
		eff := cfg.refRoot(s)
		if eff.RefRootDir == "" || s.SpecPath == "" {
			continue
		}
		root, err1 := filepath.Abs(eff.RefRootDir)
		spec, err2 := filepath.Abs(s.SpecPath)
		if rel, err := filepath.Rel(root, spec); err1 == nil && err2 == nil && err == nil && filepath.IsLocal(rel) {
			continue
		}
		p := eff.RefRootPos
		d.errs = append(d.errs, &Error{Pos: p, Msg: fmt.Sprintf("service %s: ref_root %s does not hold its spec %s: ref_root is the directory tree the spec's $refs may read, so it must contain the spec",
			quote(s.Name), quote(eff.RefRoot), quote(s.Spec))})
	}
}

func (d *decoder) duration(pre, key string, n *yaml.Node) time.Duration {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		d.errorf(pre, n, "%s must be a duration with a unit, such as %ss, not the number %s", key, clip(n.Value), clip(n.Value))
		return 0
	}
	v, ok := d.plain(pre, key, n)
	if !ok {
		return 0
	}
	t, err := time.ParseDuration(v)
	switch {
	case err != nil:
		d.errorf(pre, n, "%s %s is not a duration: write a number with a unit, such as 30s, 500ms or 1m30s", key, quote(v))
	case t <= 0:
		d.errorf(pre, n, "%s must be positive, not %s", key, quote(v))
	default:
		return t
	}
	return 0
}

// auth decodes an auth: mapping; op restricts it to what an operation may set.
func (d *decoder) auth(pre string, n *yaml.Node, op bool) Auth {
	var a Auth
	es, ok := d.entries(pre, "auth", n)
	if !ok {
		return a
	}
	var endpoint *yaml.Node // the first of issuer and token_url
	for _, e := range es {
		if op && !slices.Contains(opAuthKeys, e.key) {
			if slices.Contains(authKeys, e.key) {
				d.errorf(pre, e.k, "%s cannot be set for one operation: an operation's auth sets only grant, scopes, audience and resource", e.key)
			} else {
				d.unknownKey(pre, e.k, "auth", opAuthKeys, nil)
			}
			continue
		}
		switch e.key {
		case "issuer", "token_url":
			u := d.httpURL(pre, e.key, e.v, e.key == "token_url")
			if e.key == "issuer" {
				a.Issuer = u
			} else {
				a.TokenURL = u
			}
			if endpoint != nil {
				d.errorf(pre, e.k, "set issuer or token_url, not both: issuer finds the token endpoint by OIDC discovery, token_url names it")
			}
			endpoint = e.k
		case "client_id":
			a.ClientID = d.clientID(pre, e.v)
		case "client_secret":
			a.ClientSecret = d.clientSecret(pre, e.v)
		case "grant":
			a.Grant = d.enum(pre, e.key, e.v, grantNames, grantHints)
		case "scopes":
			a.Scopes = d.scopes(pre, e.v)
			a.ScopesSet = true
		case "audience":
			a.Audiences = d.oneOrMore(pre, e.key, e.v, d.audience)
		case "resource":
			a.Resources = d.oneOrMore(pre, e.key, e.v, d.resource)
		case "client_auth":
			a.ClientAuth = d.enum(pre, e.key, e.v, clientAuthNames, clientAuthHints)
		case "subject_token_type":
			a.SubjectTokenType = d.tokenType(pre, e.key, e.v)
		case "requested_token_type":
			a.RequestedTokenType = d.tokenType(pre, e.key, e.v)
		case "actor_token_type":
			a.ActorTokenType = d.tokenType(pre, e.key, e.v)
		case "actor_token", "api_key", "password", "bearer_token":
			r := d.secretRef(pre, e.key, e.v)
			switch e.key {
			case "actor_token":
				a.ActorToken = r
			case "api_key":
				a.APIKey = r
			case "password":
				a.Password = r
			default:
				a.BearerToken = r
			}
		case "api_keys":
			a.APIKeys, a.APIKeysPos = d.apiKeys(pre, e.v)
		case "username":
			a.Username = d.ref(pre, e.key, e.v)
		default:
			d.unknownKey(pre, e.k, "auth", authKeys, authHints)
		}
	}
	return a
}

// httpURL returns an absolute http(s) URL without credentials or fragment,
// and without a query unless query (see CheckHTTPURL).
func (d *decoder) httpURL(pre, key string, n *yaml.Node, query bool) string {
	v, ok := d.plain(pre, key, n)
	if !ok {
		return ""
	}
	if msg := CheckHTTPURL(key, v, query); msg != "" {
		d.errorf(pre, n, "%s", msg)
		return ""
	}
	return v
}

// resource returns an absolute URI without a fragment (RFC 8707 §2).
func (d *decoder) resource(pre, key string, n *yaml.Node) string {
	v, ok := d.plain(pre, key, n)
	if !ok {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err == nil && u.User != nil, err != nil && strings.Contains(v, "@"):
		d.errorf(pre, n, "%s must not contain a user name or password", key)
	case err != nil || u.Scheme == "":
		d.errorf(pre, n, "%s %s is not an absolute URI such as https://api.example.com", key, quote(v))
	case u.Fragment != "" || strings.Contains(v, "#"):
		d.errorf(pre, n, "%s %s must not have a fragment (#...)", key, quote(v))
	default:
		return v
	}
	return ""
}

func (d *decoder) clientID(pre string, n *yaml.Node) Ref { return d.ref(pre, "client_id", n) }

// ref returns a value that is not secret, written literally or as ${VAR}.
func (d *decoder) ref(pre, key string, n *yaml.Node) Ref {
	v, ok := d.str(pre, key, n)
	if !ok {
		return Ref{}
	}
	if name, ok := refName(v); ok {
		if envName.MatchString(name) {
			return Ref{Env: name}
		}
		d.errorf(pre, n, "%s %s is not a valid ${VAR} reference: VAR must match [A-Za-z_][A-Za-z0-9_]*", key, quote(v))
		return Ref{}
	}
	if strings.Contains(v, "${") {
		d.errorf(pre, n, "%s %s: a ${VAR} reference must be the whole value", key, quote(v))
		return Ref{}
	}
	if name, ok := strings.CutPrefix(v, "$"); ok && envName.MatchString(name) {
		d.errorf(pre, n, "%s %s looks like an environment variable: write ${%s}", key, quote(v), name)
		return Ref{}
	}
	return Ref{Literal: v}
}

// clientSecret accepts only ${VAR}. Nothing it reports quotes the value.
func (d *decoder) clientSecret(pre string, n *yaml.Node) Ref {
	return d.secretRef(pre, "client_secret", n)
}

// secretRef accepts only ${VAR}: key names a secret (a client secret, an
// API key, a password, a token, token_store's password and encryption_key). Nothing it reports quotes the value.
func (d *decoder) secretRef(pre, key string, n *yaml.Node) Ref {
	if n.Kind == yaml.AliasNode {
		return Ref{}
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.wrongKind(pre, key, n, "a ${VAR} reference")
		return Ref{}
	}
	if name, ok := refName(n.Value); ok && n.ShortTag() == "!!str" {
		if envName.MatchString(name) {
			return Ref{Env: name}
		}
		d.errorf(pre, n, "%s %s is not a valid ${VAR} reference: VAR must match [A-Za-z_][A-Za-z0-9_]*", key, quote(n.Value))
		return Ref{}
	}
	d.errorf(pre, n, "%s must be a ${VAR} reference: secrets are read from the environment at run time, never written into services.yaml or generated code", key)
	return Ref{}
}

// apiKeys decodes api_keys: the environment variable of each apiKey scheme's
// key, by the scheme's name in the spec (checked by the generator), with
// where each name is written.
func (d *decoder) apiKeys(pre string, n *yaml.Node) (map[string]Ref, map[string]Pos) {
	es, ok := d.entries(pre, "api_keys", n)
	if !ok || len(es) == 0 {
		if ok {
			d.errorf(pre, n, "api_keys is empty: name each apiKey scheme of the spec with the ${VAR} that holds its key, or leave api_keys out")
		}
		return nil, nil
	}
	refs, at := map[string]Ref{}, map[string]Pos{}
	for _, e := range es {
		if e.key == "" {
			d.errorf(pre, e.k, "api_keys: a scheme name cannot be empty")
			continue
		}
		if r := d.secretRef(pre, "api_keys."+e.key, e.v); !r.IsZero() {
			refs[e.key], at[e.key] = r, d.pos(e.k)
		}
	}
	return refs, at
}

// oneOrMore decodes a value or a list of distinct values, each checked by one.
func (d *decoder) oneOrMore(pre, key string, n *yaml.Node, one func(pre, key string, n *yaml.Node) string) []string {
	if n.Kind != yaml.SequenceNode {
		if v := one(pre, key, n); v != "" {
			return []string{v}
		}
		return nil
	}
	items, _ := d.list(pre, key, n)
	if len(items) == 0 {
		d.errorf(pre, n, "%s is an empty list: name at least one, or leave %s out", key, key)
		return nil
	}
	var out []string
	for _, it := range items {
		v := one(pre, key, it)
		switch {
		case v == "":
		case slices.Contains(out, v):
			d.errorf(pre, it, "duplicate %s %s", key, quote(v))
		default:
			out = append(out, v)
		}
	}
	return out
}

// audience returns an audience: text without spaces, which
// TPGEN_<SERVICE>_AUDIENCE separates.
func (d *decoder) audience(pre, key string, n *yaml.Node) string {
	v, ok := d.plain(pre, key, n)
	switch {
	case !ok:
	case v == "":
		d.errorf(pre, n, "%s is empty", key)
	case strings.ContainsAny(v, " \t\r\n"):
		d.errorf(pre, n, "%s %s has a space: write several audiences as a list", key, quote(v))
	default:
		return v
	}
	return ""
}

// refName returns VAR if v is ${VAR}, VAR not checked.
func refName(v string) (string, bool) {
	if len(v) >= 3 && strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		return v[2 : len(v)-1], true
	}
	return "", false
}

// enum returns the value of n if it is one of allowed.
func (d *decoder) enum(pre, key string, n *yaml.Node, allowed []string, hints map[string]string) string {
	v, ok := d.plain(pre, key, n)
	if !ok {
		return ""
	}
	if slices.Contains(allowed, v) {
		return v
	}
	msg := fmt.Sprintf("unknown %s %s", key, quote(v))
	if h, ok := hints[strings.ToLower(v)]; ok {
		msg += " (" + h + ")"
	} else if s := Suggest(v, allowed); s != "" {
		msg += " (did you mean " + s + "?)"
	} else {
		msg += " (want one of " + strings.Join(allowed, ", ") + ")"
	}
	d.errorf(pre, n, "%s", msg)
	return ""
}

// tokenType returns a token type as a full URN.
func (d *decoder) tokenType(pre, key string, n *yaml.Node) string {
	v, ok := d.plain(pre, key, n)
	if !ok {
		return ""
	}
	if slices.Contains(tokenTypeNames, v) {
		return tokenTypePrefix + v
	}
	if rest, ok := strings.CutPrefix(v, tokenTypePrefix); ok && tokenTypeName.MatchString(rest) {
		return v
	}
	candidates := slices.Clone(tokenTypeNames)
	for _, t := range tokenTypeNames {
		candidates = append(candidates, tokenTypePrefix+t)
	}
	msg := fmt.Sprintf("unknown %s %s", key, quote(v))
	if s := Suggest(v, candidates); s != "" {
		msg += " (did you mean " + s + "?)"
	} else {
		msg += " (want access_token, jwt, id_token or a full " + tokenTypePrefix + "* URN)"
	}
	d.errorf(pre, n, "%s", msg)
	return ""
}

// scopes returns the list of scopes; an empty list is a list.
func (d *decoder) scopes(pre string, n *yaml.Node) []string {
	items, ok := d.list(pre, "scopes", n)
	if !ok {
		return nil
	}
	out := []string{}
	seen := map[string]bool{}
	for _, it := range items {
		v, ok := d.plain(pre, "a scope", it)
		if !ok {
			continue
		}
		switch {
		case strings.ContainsAny(v, " \t\n\r"):
			d.errorf(pre, it, "scope %s is more than one scope: write each as its own list item", quote(v))
		case !scopeToken(v):
			d.errorf(pre, it, "scope %s has characters a scope cannot have (RFC 6749 §3.3: printable ASCII except space, \" and \\)", quote(v))
		case seen[v]:
			d.errorf(pre, it, "duplicate scope %s", quote(v))
		default:
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func scopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// list returns the items of the sequence n.
func (d *decoder) list(pre, key string, n *yaml.Node) ([]*yaml.Node, bool) {
	if n.Kind == yaml.AliasNode {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		want := "a list"
		if n.Kind == yaml.ScalarNode && !isNull(n) {
			want = fmt.Sprintf("a list such as [%s]", clip(n.Value))
		}
		d.wrongKind(pre, key, n, want)
		return nil, false
	}
	var items []*yaml.Node
	for _, it := range n.Content {
		if it.Kind != yaml.AliasNode {
			items = append(items, it)
		}
	}
	return items, true
}

func (d *decoder) services(n *yaml.Node) []*Service {
	if isNull(n) {
		d.errorf("", n, "no services: add at least one under services:")
		return nil
	}
	es, ok := d.entries("", "services", n)
	if !ok {
		return nil
	}
	if len(es) == 0 && len(n.Content) == 0 {
		d.errorf("", n, "no services: add at least one under services:")
		return nil
	}
	var out []*Service
	byEnv := map[string]*Service{}
	byPkg := map[string]*Service{}
	for _, e := range es {
		s := d.service(e)
		if s == nil {
			continue
		}
		out = append(out, s)
		if !serviceName.MatchString(s.Name) {
			continue
		}
		env := envPrefix(s.Name)
		if other := byEnv[env]; other != nil {
			d.errorf("", e.k, "service %s: its environment variables (%s*) would be those of service %s: rename one", quote(s.Name), env, quote(other.Name))
			continue
		}
		byEnv[env] = s
		if s.Package == "" {
			continue
		}
		if other := byPkg[s.Package]; other != nil {
			d.errorf("", e.k, "service %s: Go package name %s is taken by service %s: set package: to another name", quote(s.Name), s.Package, quote(other.Name))
			continue
		}
		byPkg[s.Package] = s
	}
	slices.SortFunc(out, func(a, b *Service) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// envPrefix is runtime.EnvPrefix for a valid service name.
func envPrefix(name string) string { return envname.Prefix(name) }

func (d *decoder) service(e entry) *Service {
	name := e.key
	pre := fmt.Sprintf("service %s: ", quote(name))
	if !serviceName.MatchString(name) {
		msg := fmt.Sprintf("service name %s is not valid: use lower case letters, digits, '-' and '_', starting with a letter", quote(name))
		if l := strings.ToLower(name); serviceName.MatchString(l) {
			msg += " (did you mean " + l + "?)"
		}
		d.errorf("", e.k, "%s", msg)
	}
	s := &Service{Name: name, Pos: d.pos(e.k)}
	es, ok := d.entries("", "service "+quote(name), e.v)
	if !ok {
		return s
	}
	var pkg *entry
	specSuggested := false
	for _, f := range es {
		switch f.key {
		case "spec":
			s.Spec, s.SpecPath = d.spec(pre, f.v)
		case "package":
			pkg = &f
		case "base_url":
			s.BaseURL = d.httpURL(pre, f.key, f.v, false)
		case "include":
			s.Include = d.filter(pre, f.key, f.v)
		case "exclude":
			s.Exclude = d.filter(pre, f.key, f.v)
		case "models":
			s.Models = d.enum(pre, f.key, f.v, modelsNames, nil)
		case "operations":
			s.Operations = d.operations(pre, f.v)
		default:
			if !d.setting(pre, f, &s.Settings) && d.unknownKey(pre, f.k, "", serviceKeys, serviceHints) == "spec" {
				specSuggested = true
			}
		}
	}
	if find(es, "spec") == nil && !specSuggested {
		d.errorf(pre, e.k, "missing spec: the path of the service's OpenAPI document, relative to services.yaml")
	}
	if pkg != nil {
		s.Package = d.pkgName(pre, pkg.v)
	} else if serviceName.MatchString(name) {
		derived := strings.NewReplacer("-", "", "_", "").Replace(name)
		if slices.Contains(goKeywords, derived) || derived == "main" {
			d.errorf(pre, e.k, "its Go package would be %s, which cannot be imported: set package:", derived)
		} else {
			s.Package = derived
		}
	}
	d.overlap(pre, "tag", s.Include.Tags, s.Exclude.Tags, s.Exclude.TagsPos)
	d.overlap(pre, "operation", s.Include.Operations, s.Exclude.Operations, s.Exclude.OperationsPos)
	return s
}

func (d *decoder) pkgName(pre string, n *yaml.Node) string {
	v, ok := d.plain(pre, "package", n)
	switch {
	case !ok:
	case !packageName.MatchString(v):
		d.errorf(pre, n, "package %s is not a Go package name: use lower case letters, digits and '_', starting with a letter", quote(v))
	case slices.Contains(goKeywords, v):
		d.errorf(pre, n, "package %s is a Go keyword", quote(v))
	case v == "main":
		d.errorf(pre, n, "package main cannot be imported: choose another name")
	default:
		return v
	}
	return ""
}

// spec returns the path as written and joined to the directory of
// services.yaml, after checking that the file exists.
func (d *decoder) spec(pre string, n *yaml.Node) (written, joined string) {
	v := d.relPath(pre, "spec", n)
	if v == "" {
		return "", ""
	}
	p := filepath.Join(d.dir, filepath.FromSlash(v))
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg := fmt.Sprintf("spec %s does not exist", quote(v))
		if p != filepath.FromSlash(v) {
			msg = fmt.Sprintf("spec %s: %s does not exist", quote(v), p)
		}
		if s := similarFile(p); s != "" {
			msg += " (did you mean " + path.Join(path.Dir(filepath.ToSlash(v)), s) + "?)"
		}
		d.errorf(pre, n, "%s", msg)
	case err != nil:
		d.errorf(pre, n, "spec %s: %v", quote(v), errors.Unwrap(err))
	case fi.IsDir():
		d.errorf(pre, n, "spec %s is a directory, not a file", quote(v))
	case !fi.Mode().IsRegular():
		d.errorf(pre, n, "spec %s is not a regular file", quote(v))
	default:
		return v, p
	}
	return "", ""
}

// similarFile returns the name of a spec file next to p whose name is
// close to p's, or "".
func similarFile(p string) string {
	ents, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		return ""
	}
	var names []string
	for _, e := range ents {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".yaml", ".yml", ".json":
			if e.Type().IsRegular() {
				names = append(names, e.Name())
			}
		}
	}
	return Suggest(filepath.Base(p), names)
}

func (d *decoder) filter(pre, key string, n *yaml.Node) Filter {
	var f Filter
	es, ok := d.entries(pre, key, n)
	if !ok {
		return f
	}
	if len(n.Content) == 0 {
		d.errorf(pre, n, "%s is empty: give it tags, operations or both", key)
	}
	for _, e := range es {
		switch e.key {
		case "tags":
			f.Tags, f.TagsPos = d.names(pre, key+"."+e.key, "tag", e.v)
		case "operations":
			f.Operations, f.OperationsPos = d.names(pre, key+"."+e.key, "operation", e.v)
		default:
			d.unknownKey(pre, e.k, key, filterKeys, nil)
		}
	}
	return f
}

// names returns a list of distinct non-empty strings and their positions.
func (d *decoder) names(pre, key, what string, n *yaml.Node) ([]string, []Pos) {
	items, ok := d.list(pre, key, n)
	if !ok {
		return nil, nil
	}
	if len(items) == 0 && len(n.Content) == 0 {
		d.errorf(pre, n, "%s is empty: list at least one %s, or leave the key out", key, what)
	}
	var vals []string
	var poss []Pos
	seen := map[string]bool{}
	for _, it := range items {
		v, ok := d.plain(pre, "a "+what, it)
		if !ok {
			continue
		}
		if seen[v] {
			d.errorf(pre, it, "duplicate %s %s in %s", what, quote(v), key)
			continue
		}
		seen[v] = true
		vals = append(vals, v)
		poss = append(poss, d.pos(it))
	}
	return vals, poss
}

// overlap reports names both included and excluded, at the exclusion.
func (d *decoder) overlap(pre, what string, include, exclude []string, excludePos []Pos) {
	included := map[string]bool{}
	for _, v := range include {
		included[v] = true
	}
	for i, v := range exclude {
		if included[v] {
			p := excludePos[i]
			d.errs = append(d.errs, &Error{Pos: p, Msg: pre + fmt.Sprintf("%s %s is both included and excluded", what, quote(v))})
		}
	}
}

func (d *decoder) operations(pre string, n *yaml.Node) []*OperationOverride {
	es, ok := d.entries(pre, "operations", n)
	if !ok {
		return nil
	}
	var out []*OperationOverride
	for _, e := range es {
		if e.key == "" {
			d.errorf(pre, e.k, "an operationId must not be empty")
			continue
		}
		opPre := pre + fmt.Sprintf("operation %s: ", quote(e.key))
		op := &OperationOverride{ID: e.key, Pos: d.pos(e.k)}
		out = append(out, op)
		oes, ok := d.entries(pre, "operation "+quote(e.key), e.v)
		if !ok {
			continue
		}
		for _, oe := range oes {
			switch oe.key {
			case "auth":
				op.Auth = d.auth(opPre, oe.v, true)
			case "pagination":
				op.Pagination = d.pagination(opPre, oe.k, oe.v)
			default:
				d.unknownKey(opPre, oe.k, "", opKeys, opHints)
			}
		}
	}
	slices.SortFunc(out, func(a, b *OperationOverride) int { return strings.Compare(a.ID, b.ID) })
	return out
}
