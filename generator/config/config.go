package config

import (
	"cmp"
	"errors"
	"io"
	"os"
	"slices"
	"time"
)

// Defaults that apply when services.yaml does not say otherwise. They match
// the runtime's (runtime.DefaultTimeout, runtime.DefaultMessageIDHeader).
const (
	DefaultOutput          = "gen"
	DefaultTimeout         = 30 * time.Second
	DefaultMessageIDHeader = "X-Message-Id"
)

// MaxFileSize bounds services.yaml: larger files are refused unread.
const MaxFileSize = 4 << 20

// Config is a loaded and validated services.yaml.
type Config struct {
	File      string // the path as given to Load or Parse
	Dir       string // filepath.Dir(File): the base of relative paths
	Version   int
	Output    string // as written, DefaultOutput when absent
	OutputDir string // Output joined to Dir
	Defaults  Settings
	Services  []*Service // sorted by Name
}

// Settings are what defaults: sets for every service and a service may set
// for itself. Zero values mean "not set here".
type Settings struct {
	Auth            Auth
	MessageIDHeader string
	Timeout         time.Duration
	// RefRoot is the directory tree the spec's $refs may read files in, as
	// written ("": the spec's own directory); RefRootDir is it joined to
	// Config.Dir, RefRootPos where it is written. It holds the spec.
	RefRoot    string
	RefRootDir string
	RefRootPos Pos
	// Lenient generates from a broken spec, repairing what can be repaired
	// honestly with a warning each (see the generator's lenient mode);
	// LenientSet says lenient: was written here, so that a service's false
	// overrides the defaults' true.
	Lenient    bool
	LenientSet bool
	// TokenStore is where the services keep their tokens besides the
	// process's memory; only defaults: sets it (see TokenStore).
	TokenStore TokenStore
	// ValidateResponses has the generated client check decoded success
	// bodies against their schemas by default (runtime.WithResponseValidation);
	// ValidateResponsesSet says it was written here, as LenientSet does.
	ValidateResponses    bool
	ValidateResponsesSet bool
}

// Auth says how calls are authenticated. Empty fields are inherited (see
// MergeAuth).
type Auth struct {
	Issuer       string // OIDC issuer; at most one of Issuer and TokenURL is set at one level
	TokenURL     string
	ClientID     Ref
	ClientSecret Ref    // only ever an Env reference
	Grant        string // none, client_credentials, token_exchange, passthrough, auto; "" inherits
	Scopes       []string
	ScopesSet    bool // scopes: was written, possibly empty; it replaces the inherited list
	// Audiences and Resources are sent one parameter each; nil inherits.
	Audiences  []string
	Resources  []string
	ClientAuth string // basic or post; "" inherits
	// Token types are full URNs (urn:ietf:params:oauth:token-type:...).
	SubjectTokenType   string
	RequestedTokenType string
	// ActorToken is sent with token exchanges (delegation, RFC 8693): only
	// ever an Env reference; ActorTokenType is its type.
	ActorToken     Ref
	ActorTokenType string

	// Credentials of the spec's other security schemes, read from the
	// environment at run time: APIKey for every apiKey scheme, APIKeys by
	// scheme name (APIKeysPos where each name is written, for the generator
	// to point at one the spec does not declare), Username and Password for
	// HTTP basic, BearerToken for HTTP bearer. All but Username are only
	// ever Env references.
	APIKey      Ref
	APIKeys     map[string]Ref
	APIKeysPos  map[string]Pos
	Username    Ref
	Password    Ref
	BearerToken Ref
}

// Ref is a value written either literally or as ${VAR}: the name of an
// environment variable that the generated client reads at run time.
// At most one field is set.
type Ref struct {
	Literal string
	Env     string
}

// IsZero reports whether the reference was not written.
func (r Ref) IsZero() bool { return r == Ref{} }

// String returns the reference as written: ${VAR} or the literal.
func (r Ref) String() string {
	if r.Env != "" {
		return "${" + r.Env + "}"
	}
	return r.Literal
}

// Service is one entry of services:.
type Service struct {
	Name     string   // the key under services:
	Pos      Pos      // of the key
	Spec     string   // as written, relative to Config.Dir
	SpecPath string   // Spec joined to Config.Dir; the file exists
	Package  string   // Go package name: as written, or derived from Name
	BaseURL  string   // "" means the spec's first server
	Settings Settings // as written at service level; see Config.Effective
	Include  Filter
	Exclude  Filter
	// Models is ModelsUsed or ModelsAll; "" when not written (ModelsUsed).
	Models string
	// Operations are the per-operation overrides, sorted by ID. Their IDs
	// are not checked against the spec here.
	Operations []*OperationOverride
}

// Values of a service's models: which component schemas become Go types.
const (
	ModelsUsed = "used" // those the generated operations use (the default)
	ModelsAll  = "all"  // every component schema, used or not
)

// Filter selects operations by tag or operationId. The names are not
// checked against the spec here; TagsPos and OperationsPos hold the position
// of each entry so that the generator can point at an unknown one.
type Filter struct {
	Tags          []string
	Operations    []string
	TagsPos       []Pos
	OperationsPos []Pos
}

// IsZero reports whether the filter names nothing (was not written).
func (f Filter) IsZero() bool { return len(f.Tags) == 0 && len(f.Operations) == 0 }

// OperationOverride is one entry of a service's operations:. Its Auth sets
// at most Grant, Scopes, Audiences and Resources.
type OperationOverride struct {
	ID   string // operationId in the spec
	Pos  Pos    // of the key
	Auth Auth
	// Pagination is the operation's pagination (see Pagination); nil when
	// not written.
	Pagination *Pagination
}

// Load reads and validates the services.yaml at path. Paths in errors and
// in the Config are built from path as given, so a relative path stays
// relative. A problem with the file's content is reported as Errors.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err // an *fs.PathError, naming the file
	}
	return Parse(path, data)
}

// Parse validates data as the content of the services.yaml at path. The
// specs it names are looked for relative to filepath.Dir(path).
func Parse(path string, data []byte) (*Config, error) {
	d := newDecoder(path)
	cfg := d.decodeFile(data)
	if len(d.errs) > 0 {
		d.errs.Sort()
		return nil, d.errs
	}
	if cfg == nil { // cannot happen: every failure records an error
		return nil, errors.New("config: internal error: no config and no error")
	}
	return cfg, nil
}

// Effective returns the settings s runs with: the defaults, overridden field
// by field by what s sets (ref_root with its position, lenient,
// validate_responses), then DefaultTimeout
// and DefaultMessageIDHeader where neither sets them. Auth fields that
// nobody sets stay empty; the runtime's own defaults apply to them.
func (c *Config) Effective(s *Service) Settings {
	root := c.refRoot(s)
	return Settings{
		Auth:            MergeAuth(c.Defaults.Auth, s.Settings.Auth),
		MessageIDHeader: cmp.Or(s.Settings.MessageIDHeader, c.Defaults.MessageIDHeader, DefaultMessageIDHeader),
		Timeout:         cmp.Or(s.Settings.Timeout, c.Defaults.Timeout, DefaultTimeout),
		RefRoot:         root.RefRoot,
		RefRootDir:      root.RefRootDir,
		RefRootPos:      root.RefRootPos,
		Lenient:         s.Settings.Lenient || !s.Settings.LenientSet && c.Defaults.Lenient,
		LenientSet:      s.Settings.LenientSet || c.Defaults.LenientSet,
		TokenStore:      c.Defaults.TokenStore,
		ValidateResponses: s.Settings.ValidateResponses ||
			!s.Settings.ValidateResponsesSet && c.Defaults.ValidateResponses,
		ValidateResponsesSet: s.Settings.ValidateResponsesSet || c.Defaults.ValidateResponsesSet,
	}
}

// refRoot returns the settings, service or defaults, whose ref_root s uses.
func (c *Config) refRoot(s *Service) *Settings {
	if s.Settings.RefRoot != "" {
		return &s.Settings
	}
	return &c.Defaults
}

// Service returns the service called name, or nil.
func (c *Config) Service(name string) *Service {
	i, ok := slices.BinarySearchFunc(c.Services, name, func(s *Service, name string) int {
		switch {
		case s.Name < name:
			return -1
		case s.Name > name:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return c.Services[i]
}

// MergeAuth returns parent overridden by child: each field child sets wins.
// Scopes are replaced, not appended, when child.ScopesSet. Issuer and
// TokenURL are one choice, the token endpoint: a child that sets either
// replaces both. The result shares no slice with its inputs.
func MergeAuth(parent, child Auth) Auth {
	out := parent
	if child.Issuer != "" || child.TokenURL != "" {
		out.Issuer, out.TokenURL = child.Issuer, child.TokenURL
	}
	if !child.ClientID.IsZero() {
		out.ClientID = child.ClientID
	}
	if !child.ClientSecret.IsZero() {
		out.ClientSecret = child.ClientSecret
	}
	out.Grant = cmp.Or(child.Grant, parent.Grant)
	out.Audiences = slices.Clone(orList(child.Audiences, parent.Audiences))
	out.Resources = slices.Clone(orList(child.Resources, parent.Resources))
	out.ClientAuth = cmp.Or(child.ClientAuth, parent.ClientAuth)
	out.SubjectTokenType = cmp.Or(child.SubjectTokenType, parent.SubjectTokenType)
	out.RequestedTokenType = cmp.Or(child.RequestedTokenType, parent.RequestedTokenType)
	out.ActorTokenType = cmp.Or(child.ActorTokenType, parent.ActorTokenType)
	for _, r := range []struct{ dst, child *Ref }{
		{&out.ActorToken, &child.ActorToken}, {&out.APIKey, &child.APIKey}, {&out.Username, &child.Username},
		{&out.Password, &child.Password}, {&out.BearerToken, &child.BearerToken},
	} {
		if !r.child.IsZero() {
			*r.dst = *r.child
		}
	}
	// API keys by scheme: the child's names win, the parent's others stay.
	if len(parent.APIKeys)+len(child.APIKeys) > 0 {
		out.APIKeys, out.APIKeysPos = map[string]Ref{}, map[string]Pos{}
		for _, a := range []Auth{parent, child} {
			for k, v := range a.APIKeys {
				out.APIKeys[k], out.APIKeysPos[k] = v, a.APIKeysPos[k]
			}
		}
	}
	if child.ScopesSet {
		out.Scopes, out.ScopesSet = child.Scopes, true
	}
	if out.ScopesSet {
		out.Scopes = append([]string{}, out.Scopes...)
	} else {
		out.Scopes = nil
	}
	return out
}

// orList returns child when it was written (not nil), else parent.
func orList(child, parent []string) []string {
	if child != nil {
		return child
	}
	return parent
}
