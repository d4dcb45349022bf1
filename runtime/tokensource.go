package runtime

import (
	"context"

	"golang.org/x/oauth2"
)

// TokenSource returns an oauth2.TokenSource that serves the service's tokens
// for op (the service's own grant and scopes when op is nil) from the same
// cache, single flight and refresh ahead as calls, for code that speaks
// golang.org/x/oauth2: gRPC credentials, other clients. ctx carries the
// caller's token for token exchange and the message id, as for calls.
func (s *Service) TokenSource(ctx context.Context, op *Operation) oauth2.TokenSource {
	if op == nil {
		op = &s.rawOp
	}
	return &tokenSource{s: s, ctx: ctx, op: op}
}

type tokenSource struct {
	s   *Service
	ctx context.Context
	op  *Operation
}

// Token implements oauth2.TokenSource.
func (ts *tokenSource) Token() (*oauth2.Token, error) {
	s := ts.s
	rec := &Record{Service: s.name, Operation: ts.op.ID, MessageID: MessageID(ts.ctx)}
	if rec.MessageID == "" {
		rec.MessageID = NewMessageID()
	}
	_, tok, _, err := s.authorize(ts.ctx, s.plan(ts.op), rec, rec.MessageID, s.tokens.now())
	if err != nil {
		return nil, err
	}
	if tok == nil {
		// No token is obtained for this grant (none, passthrough, or a token
		// given with WithToken): there is nothing to hand out.
		return nil, &CallError{Service: s.name, Operation: ts.op.ID, MessageID: rec.MessageID,
			Err: errNoTokenGrant(rec.Grant)}
	}
	return &oauth2.Token{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Expiry: tok.Expiry}, nil
}

type errNoTokenGrant Grant

func (g errNoTokenGrant) Error() string {
	return "grant " + Grant(g).String() + " obtains no token to hand out"
}
