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

// plan is an operation's settled auth: grant, scopes and token cache keys.
type plan struct {
	op                 link.Op
	grant              Grant
	scopes             []string
	audience, resource string
	ccKey              string // cache key for client credentials
	txPrefix           string // cache key prefix for token exchange
}

// plan returns op's plan, settling it on first use.
func (s *Service) plan(op *link.Op) *plan {
	s.plansMu.RLock()
	p, ok := s.plans[op.Key]
	s.plansMu.RUnlock()
	if ok {
		return p
	}
	p = &plan{op: *op, grant: Grant(op.Grant), scopes: op.Scopes, audience: op.Audience, resource: op.Resource}
	if p.audience == "" {
		p.audience = s.audience
	}
	if p.resource == "" {
		p.resource = s.resource
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
	fields := []string{s.name, s.fetcherID, s.endpointID, s.clientID, strconv.Itoa(int(s.clientAuth)),
		strings.Join(p.scopes, " "), p.audience, p.resource}
	p.ccKey = cacheKey("cc", fields...)
	p.txPrefix = cacheKey("tx", append(fields, s.subjectTokenType, s.requestedTokenType)...) + "|"
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

// rawOp is the operation of calls made through HTTPClient and of TokenSource.
var rawOp = link.Op{Key: rawKey{}, ID: "http"}

type rawKey struct{}

// authorize returns the Authorization value for a call of p, the token it came
// from and its cache key (for invalidation), and records the grant. now is the
// current time by the real clock.
func (s *Service) authorize(ctx context.Context, p *plan, rec *Record, mid string, now time.Time) (string, *token.Token, string, error) {
	if ca := callAuthFrom(ctx); ca != nil {
		if ca.skip {
			rec.Grant = GrantNone
			return "", nil, "", nil
		}
		rec.Grant = GrantPassthrough
		return "Bearer " + ca.token, nil, "", nil
	}
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
		key = p.ccKey
	case GrantTokenExchange:
		if subject == "" {
			return "", nil, "", fmt.Errorf("grant token_exchange: %w", noCallerToken(ctx))
		}
		sum := sha256.Sum256([]byte(subject))
		key = p.txPrefix + hex.EncodeToString(sum[:])
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
// finding the token endpoint by discovery when only an issuer is configured.
func (s *Service) tokenRequest(ctx context.Context, p *plan, g Grant, subject, mid string) (*token.Request, error) {
	r := &token.Request{
		Grant: grantType(g), ClientID: s.clientID, ClientSecret: s.secret, Scopes: p.scopes,
		Audience: p.audience, Resource: p.resource, ClientAuth: s.clientAuth,
		Service: s.name, Operation: p.op.ID, MessageID: mid, MessageIDHeader: s.midHeader,
	}
	if g == GrantTokenExchange {
		r.SubjectToken, r.SubjectTokenType, r.RequestedTokenType = subject, s.subjectTokenType, s.requestedTokenType
	}
	if te, isEndpoint := s.fetcher.(*token.Endpoint); isEndpoint {
		prefix := EnvPrefix(s.name)
		var missing error
		switch {
		case s.endpointID == "":
			missing = fmt.Errorf("no token endpoint configured: set auth.issuer or auth.token_url, %sISSUER or %sTOKEN_URL", prefix, prefix)
		case te.Authenticate != nil:
			// The client authenticates its own way (private_key_jwt, mTLS): no secret needed.
		case s.clientID == "" || s.secret == "":
			missing = fmt.Errorf("no client credentials configured: set %sCLIENT_ID and %sCLIENT_SECRET or pass runtime.WithClientCredentials", prefix, prefix)
		}
		if missing != nil {
			return nil, &token.Error{Service: s.name, Operation: p.op.ID, Grant: r.Grant, MessageID: mid, Err: missing}
		}
	}
	if s.endpointID == "" {
		return r, nil // a custom fetcher that needs no endpoint
	}
	u, err := s.tokenEndpoint(ctx, mid)
	if err != nil {
		return nil, &token.Error{Service: s.name, Operation: p.op.ID, Grant: r.Grant, TokenURL: s.issuer, MessageID: mid, Err: err}
	}
	r.TokenURL = u
	return r, nil
}

// tokenEndpoint returns the configured token URL or the discovered one, which
// the service's https rule applies to as it does to a configured one.
func (s *Service) tokenEndpoint(ctx context.Context, mid string) (string, error) {
	if s.tokenURL != "" {
		return s.tokenURL, nil
	}
	u, err := token.Discover(ctx, s.tokenClient, s.issuer, s.tokenTimeout, http.Header{s.midHeader: {mid}})
	if err != nil {
		return "", err
	}
	if err := s.checkTokenURL(u); err != nil {
		return "", fmt.Errorf("discovery of %s: %w", s.issuer, err)
	}
	return u, nil
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
		level = slog.LevelWarn
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
