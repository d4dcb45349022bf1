package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tpgen/tpgen/runtime/internal/link"
	"github.com/tpgen/tpgen/runtime/token"
)

// plan is an operation's settled auth: grant, scopes, token cache keys, and
// the security requirement its calls meet.
type plan struct {
	op                   link.Op
	grant                Grant
	scopes               []string
	audiences, resources []string
	ccKey                string // cache key for client credentials
	txPrefix             string // cache key prefix for token exchange
	// alt is the security requirement the calls meet, nil when the spec
	// states none (the grant decides) or none can be met: then altErr says
	// what to configure, or is nil when the calls go without credentials.
	alt    *alternative
	altErr error
}

// plan returns op's plan, settling it on first use.
func (s *Service) plan(op *link.Op) *plan {
	s.plansMu.RLock()
	p, ok := s.plans[op.Key]
	s.plansMu.RUnlock()
	if ok {
		return p
	}
	p = &plan{op: *op, grant: Grant(op.Grant), scopes: op.Scopes, audiences: op.Audiences, resources: op.Resources}
	if p.audiences == nil {
		p.audiences = s.audiences
	}
	if p.resources == nil {
		p.resources = s.resources
	}
	if p.grant == GrantInherit {
		p.grant = s.grant
	}
	if p.scopes == nil {
		p.scopes = s.scopes
	}
	p.scopes = slices.Clone(p.scopes)
	slices.Sort(p.scopes)
	p.scopes = slices.Compact(p.scopes)
	sec := op.Security
	if sec == nil {
		sec = s.security
	}
	if len(sec) > 0 {
		// No requirements (security: []) leave it to the grant, as no
		// security in the spec does.
		p.alt, p.altErr = s.choose(sec, p.grant)
		if p.alt == nil && p.altErr == nil {
			// GrantNone: the operator chose to call without credentials. Said
			// once per operation, since the service will likely refuse.
			s.logger.LogAttrs(context.Background(), slog.LevelWarn, "tpgen: calling without credentials: grant none, and none of the operation's security requirements has its credentials configured",
				slog.String("service", s.name), slog.String("operation", op.ID))
		}
	}
	fields := []string{s.name, s.fetcherID, s.endpointID, s.clientID, strconv.Itoa(int(s.clientAuth)),
		strings.Join(p.scopes, " "), listKey(p.audiences), listKey(p.resources)}
	p.ccKey = cacheKey("cc", fields...)
	actor := ""
	if s.actorToken != "" {
		actor = hashToken(s.actorToken)
	}
	p.txPrefix = cacheKey("tx", append(fields, s.subjectTokenType, s.requestedTokenType, s.actorType, actor)...) + "|"
	s.plansMu.Lock()
	defer s.plansMu.Unlock()
	if first, ok := s.plans[op.Key]; ok {
		return first // another call planned op meanwhile: keep one plan per operation
	}
	if s.plans == nil {
		s.plans = map[any]*plan{}
	}
	s.plans[op.Key] = p
	return p
}

// listKey is a list of audiences or resources as one cache key field, each
// element length-prefixed so that none can shift another.
func listKey(l []string) string {
	if len(l) == 1 {
		return l[0]
	}
	return cacheKey("list", l...)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// rawOp is the operation of calls made through HTTPClient and of TokenSource.
var rawOp = link.Op{Key: rawKey{}, ID: "http"}

type rawKey struct{}

// authorize returns the Authorization value for a call of p, the security
// requirement whose other credentials (API keys) it sends too, the token it
// came from and its cache key (for invalidation), and records the grant and
// the schemes. now is the current time by the real clock.
func (s *Service) authorize(ctx context.Context, p *plan, rec *Record, mid string, now time.Time) (string, *alternative, *token.Token, string, error) {
	if ca := rec.co.authOf(); ca != nil {
		if ca.skip {
			rec.Grant = GrantNone
			return "", nil, nil, "", nil
		}
		rec.Grant = GrantPassthrough
		return "Bearer " + ca.token, nil, nil, "", nil
	}
	if p.altErr != nil {
		rec.Grant = GrantNone
		return "", nil, nil, "", p.altErr
	}
	alt := p.alt
	if alt != nil {
		rec.Scheme = alt.schemes
		if !alt.grant {
			rec.Grant = GrantNone
			return alt.authorization, alt, nil, "", nil
		}
	}
	auth, tok, key, err := s.grantToken(ctx, p, rec, mid, now)
	return auth, alt, tok, key, err
}

// grantToken returns the Authorization value of p's grant for a call, the
// token it came from and its cache key, and records the grant.
func (s *Service) grantToken(ctx context.Context, p *plan, rec *Record, mid string, now time.Time) (string, *token.Token, string, error) {
	g := p.grant
	subject := ""
	if g == GrantAuto || g == GrantTokenExchange || g == GrantPassthrough {
		subject = CallerTokenFrom(ctx)
	}
	if g == GrantAuto {
		var err error
		if g, err = s.autoGrant(ctx, subject); err != nil {
			rec.Grant = g
			return "", nil, "", fmt.Errorf("grant auto: %w", err)
		}
	}
	rec.Grant = g
	var key string
	switch g {
	case GrantNone, GrantInherit:
		rec.Grant = GrantNone
		return "", nil, "", nil
	case GrantPassthrough:
		if subject == "" {
			return "", nil, "", fmt.Errorf("grant passthrough: %w", noCallerToken(ctx))
		}
		return "Bearer " + subject, nil, "", nil
	case GrantClientCredentials:
		if s.source != nil {
			return s.sourceToken(ctx, p, mid)
		}
		key = p.ccKey
	case GrantTokenExchange:
		if subject == "" {
			return "", nil, "", fmt.Errorf("grant token_exchange: %w", noCallerToken(ctx))
		}
		key = p.txPrefix + hashToken(subject)
		if actor := actorTokenFrom(ctx); actor != "" {
			key += "|actor:" + hashToken(actor)
		}
	}
	if t, real := s.now(); !real {
		now = t
	}
	if t, ok := s.tokens.Fresh(key, now); ok {
		rec.TokenCache = true
		return t.Authorization(), t, key, nil
	}
	req, err := s.tokenRequest(ctx, p, g, subject, mid)
	if err != nil {
		return "", nil, "", err
	}
	t, hit, err := s.tokens.Token(ctx, key, req)
	if err != nil {
		return "", nil, "", err
	}
	rec.TokenCache = hit
	return t.Authorization(), t, key, nil
}

// grantType is the token request's grant for g (client credentials or token exchange).
func grantType(g Grant) token.GrantType {
	if g == GrantTokenExchange {
		return token.TokenExchange
	}
	return token.ClientCredentials
}

// tokenRequest builds the token request of a call of p made with grant g,
// finding the token endpoint (and how the client authenticates there) by
// discovery when only an issuer is configured and the fetcher is an
// Endpoint; a fetcher of another kind gets the issuer and the configured
// token URL, and no discovery is made for it.
func (s *Service) tokenRequest(ctx context.Context, p *plan, g Grant, subject, mid string) (*token.Request, error) {
	r := &token.Request{
		Grant: grantType(g), ClientID: s.clientID, ClientSecret: s.secret, Scopes: p.scopes,
		Audiences: p.audiences, Resources: p.resources, ClientAuth: s.clientAuth, Issuer: s.issuer, TokenURL: s.tokenURL,
		Service: s.name, Operation: p.op.ID, MessageID: mid, MessageIDHeader: s.midHeader,
	}
	if g == GrantTokenExchange {
		r.SubjectToken, r.SubjectTokenType, r.RequestedTokenType = subject, s.subjectTokenType, s.requestedTokenType
		r.ActorToken, r.ActorTokenType = s.actorToken, s.actorType
		if a := actorTokenFrom(ctx); a != "" {
			r.ActorToken, r.ActorTokenType = a, actorTypeFrom(ctx)
		}
	}
	te, isEndpoint := s.fetcher.(*token.Endpoint)
	if !isEndpoint {
		return r, nil // a custom fetcher: it asked for no discovery
	}
	prefix := EnvPrefix(s.name)
	var missing error
	switch {
	case s.endpointID == "":
		missing = fmt.Errorf("no token endpoint configured: set auth.issuer or auth.token_url, %sISSUER or %sTOKEN_URL", prefix, prefix)
	case te.Authenticate != nil:
		// The client authenticates its own way (private_key_jwt, mTLS): no secret needed.
	case s.clientID == "" || s.secret == "":
		missing = fmt.Errorf("no client credentials configured: set %sCLIENT_ID and %sCLIENT_SECRET or pass runtime.Auth{ClientID, ClientSecret}", prefix, prefix)
	}
	if missing != nil {
		return nil, &token.Error{Service: s.name, Operation: p.op.ID, Grant: r.Grant, MessageID: mid, Err: missing}
	}
	if s.tokenURL != "" {
		return r, nil
	}
	m, err := token.DiscoverMetadata(ctx, s.tokenClient, s.issuer, s.tokenTimeout, http.Header{s.midHeader: {mid}})
	if err == nil {
		if err = s.checkTokenURL(m.TokenEndpoint, false); err != nil {
			err = fmt.Errorf("discovery of %s: %w", s.issuer, err)
		}
	}
	if err != nil {
		return nil, &token.Error{Service: s.name, Operation: p.op.ID, Grant: r.Grant, TokenURL: s.issuer, MessageID: mid, Err: err}
	}
	r.TokenURL = m.TokenEndpoint
	if !s.clientAuthSet && te.Authenticate == nil {
		r.ClientAuth = m.ClientAuth() // only when the user did not say
	}
	return r, nil
}

// reportToken tells the observer and the logger of a token request.
func (s *Service) reportToken(ctx context.Context, req *token.Request, d time.Duration, background bool, err error) {
	g := GrantClientCredentials
	if req.Grant == token.TokenExchange {
		g = GrantTokenExchange
	}
	if to, ok := s.observer.(TokenObserver); ok {
		to.ObserveToken(ctx, &TokenEvent{Service: req.Service, Operation: req.Operation, Grant: g,
			MessageID: req.MessageID, Duration: d, Background: background, Err: err})
	}
	level := slog.LevelDebug
	if err != nil {
		level = s.failureLevel
	}
	if !s.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("service", req.Service), slog.String("operation", req.Operation),
		slog.String("grant", g.String()), slog.String("message_id", req.MessageID),
		slog.Duration("duration", d), slog.Bool("background", background),
	}
	msg := "tpgen: token obtained"
	if err != nil {
		msg = "tpgen: token request failed"
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.logger.LogAttrs(ctx, level, msg, attrs...)
}
