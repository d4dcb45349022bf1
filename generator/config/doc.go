// Package config loads and validates services.yaml, the file that tells
// tpgen which services to generate clients for.
//
// Load reads the file strictly: every problem is reported, not just the
// first, as Errors ordered by position, each reading "file:line:col: message"
// with the path as the user gave it. Unknown keys, wrong types, duplicate
// keys, YAML aliases and merge keys, literal secrets and bad values are
// errors; "did you mean" hints (see Suggest) name the closest valid key or
// value. The generator reports problems with what the config points at (an
// operationId that is not in the spec) through the positions the config
// keeps: Service.Pos, OperationOverride.Pos, Filter.TagsPos and
// Filter.OperationsPos, with Pos.Errorf.
//
// # The file, version 1
//
//	version: 1                  # required, must be 1
//	output: gen                 # where generated packages go, relative to this file; default gen
//	defaults:                   # inherited by every service, and through it by every operation
//	  auth:
//	    issuer: https://auth.example.com          # OIDC issuer: the token endpoint by discovery; or
//	    # token_url: https://auth.example.com/token  the token endpoint itself (not both)
//	    client_id: ${SHOP_CLIENT_ID}              # ${VAR} read at run time, or a literal id
//	    client_secret: ${SHOP_CLIENT_SECRET}      # only ever ${VAR}
//	    grant: auto                               # none | client_credentials | token_exchange | passthrough | auto
//	    scopes: [shop]
//	    audience: shop
//	    resource: https://api.example.com         # RFC 8707
//	    client_auth: basic                        # basic | post
//	    subject_token_type: access_token          # access_token | jwt | id_token | urn:ietf:params:oauth:token-type:*
//	    requested_token_type: jwt                 # same set
//	  message_id_header: X-Message-Id
//	  timeout: 30s
//	  ref_root: specs                           # where $refs may read files; default: each spec's directory
//	services:                   # at least one; key: [a-z][a-z0-9_-]*
//	  orders:
//	    spec: specs/orders.yaml                   # required, relative to this file; must exist
//	    package: orders                           # Go package; default: the name without '-' and '_'
//	    base_url: https://api.example.com/orders  # default: the spec's first server
//	    auth: {grant: token_exchange, audience: orders-api, scopes: [orders.read]}
//	    message_id_header: X-Request-Id
//	    timeout: 10s
//	    include: {tags: [orders], operations: [getOrder]}
//	    exclude: {operations: [deleteOrder]}
//	    operations:                               # keyed by operationId
//	      createOrder: {auth: {grant: client_credentials, scopes: [orders.write]}}
//
// Top level: version (required, 1), output (a relative directory; default
// DefaultOutput), defaults (auth, message_id_header, timeout, ref_root,
// lenient, validate_responses and token_store) and services (required, at
// least one).
//
// A service: spec (required), package, base_url, auth, message_id_header,
// timeout, ref_root, lenient, validate_responses, include, exclude and
// operations. Its name prefixes the
// environment variables that override it at run time (orders-v2:
// TPGEN_ORDERS_V2_*), so two names that differ only in '-' and '_' are
// refused, as are two services with one Go package name.
//
// auth: issuer or token_url (absolute http(s) URLs without credentials or
// fragment; an issuer without a query), client_id, client_secret, grant,
// scopes, audience, resource, client_auth, subject_token_type and
// requested_token_type. client_id and client_secret may be ${VAR}, VAR
// matching [A-Za-z_][A-Za-z0-9_]*; client_secret must be. No other value
// takes ${VAR}: the generated client reads TPGEN_<SERVICE>_* variables to
// override the rest at run time. Token types are normalised to full URNs.
//
// An operation's entry sets auth, and in it only grant, scopes, audience
// and resource, and pagination (see Pagination), from which the generator
// makes a method that iterates over every page.
//
// include and exclude take tags and operations, lists of names as written
// in the spec. An operation is generated if include is absent or names one
// of its tags or its operationId, and exclude names neither. A name both
// included and excluded is an error.
//
// timeout is a positive Go duration (10s, 1m30s); message_id_header an
// HTTP header name. ref_root is a directory relative to this file that holds
// the spec: the tree the spec's $refs may read files in, wider than the
// spec's own directory, which is the default. lenient (true or false,
// default false) generates from a spec broken as published, repairing what
// has an honest repair with a warning each (see the README).
// validate_responses (true or false, default false) makes the generated
// client check decoded success bodies against their schemas by default.
//
// token_store, in defaults only, says where every service of a process keeps
// its tokens: kind memory (the default) or redis, with addr (host:port),
// username, password (${VAR} only), tls, key_prefix and encryption_key
// (${VAR} only); see TokenStore and REFERENCE.md.
//
// # Inheritance
//
// An operation inherits from its service, a service from defaults; each
// field that is set wins (MergeAuth, Config.Effective). scopes replaces the
// inherited list, and scopes: [] requests none. issuer and token_url are one
// setting, the token endpoint: setting either replaces both. When nothing
// sets them, timeout is DefaultTimeout and message_id_header
// DefaultMessageIDHeader; an unset grant means none, an unset client_auth
// basic and an unset subject_token_type access_token, as the runtime
// defines them.
//
// # Editors
//
// Schema is a JSON Schema of the format, for editor completion and help.
// It checks what JSON Schema can; Load checks more.
package config
