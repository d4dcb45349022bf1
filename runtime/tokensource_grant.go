package runtime

import (
	"context"
	"time"

	"github.com/tpgen/tpgen/runtime/token"
)

// sourceToken is a client credentials token from the service's
// oauth2.TokenSource (Auth.TokenSource), which caches and refreshes its
// tokens itself: the runtime neither caches nor re-authenticates it, and its
// key is "" (no cache entry to forget on a 401).
func (s *Service) sourceToken(ctx context.Context, p *plan, mid string) (string, *token.Token, string, error) {
	start := time.Now()
	ot, err := s.source.Token()
	if err == nil && (ot == nil || ot.AccessToken == "") {
		err = errNoSourceToken
	}
	if to, ok := s.observer.(TokenObserver); ok {
		to.ObserveToken(ctx, &TokenEvent{Service: s.name, Operation: p.op.ID, Grant: GrantClientCredentials,
			MessageID: mid, Duration: time.Since(start), Err: err})
	}
	if err != nil {
		return "", nil, "", &token.Error{Service: s.name, Operation: p.op.ID, Grant: token.ClientCredentials, MessageID: mid,
			TokenURL: "the oauth2.TokenSource of runtime.Auth{TokenSource}", Err: err}
	}
	t := &token.Token{AccessToken: ot.AccessToken, TokenType: ot.Type(), Expiry: ot.Expiry}
	return t.Authorization(), t, "", nil
}

type sourceError string

func (e sourceError) Error() string { return string(e) }

const errNoSourceToken = sourceError("the oauth2.TokenSource returned no access token and no error")
