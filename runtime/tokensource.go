package runtime

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// TokenSource returns an oauth2.TokenSource that serves the service's tokens
// (its own grant and scopes) from the same cache, single flight and refresh
// ahead as calls, for code that speaks golang.org/x/oauth2: gRPC credentials,
// other clients. ctx carries the caller's token for token exchange and the
// message id, as for calls.
func (s *Service) TokenSource(ctx context.Context) oauth2.TokenSource {
	return &tokenSource{s: s, ctx: ctx}
}

type tokenSource struct {
	s   *Service
	ctx context.Context
}

// Token implements oauth2.TokenSource.
func (ts *tokenSource) Token() (*oauth2.Token, error) {
	s := ts.s
	rec := &Record{Service: s.name, Operation: rawOp.ID, MessageID: MessageIDFrom(ts.ctx), co: callOptionsFrom(ts.ctx)}
	if rec.MessageID == "" {
		rec.MessageID = NewMessageID()
	}
	_, _, tok, _, err := s.authorize(ts.ctx, s.plan(&rawOp), rec, rec.MessageID, time.Now())
	if err != nil {
		return nil, err
	}
	if tok == nil {
		// No token is obtained for this grant (none, passthrough, or a token
		// given with CallToken): there is nothing to hand out.
		return nil, &CallError{Service: s.name, Operation: rawOp.ID, MessageID: rec.MessageID,
			Err: errNoTokenGrant(rec.Grant)}
	}
	return &oauth2.Token{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Expiry: tok.Expiry}, nil
}

type errNoTokenGrant Grant

func (g errNoTokenGrant) Error() string {
	return "grant " + Grant(g).String() + " obtains no token to hand out"
}
