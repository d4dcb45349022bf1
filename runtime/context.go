package runtime

import "context"

// Context helpers are named ContextWithX (a context carrying X) and XFrom (X
// from a context), so that none can be mistaken for a client Option (WithX).

type ctxKey uint8

const (
	callerTokenKey ctxKey = iota
	messageIDKey
	callOptsKey
	timingKey
	callerKey
	actorKey
)

// ContextWithCallerToken returns a context carrying the caller's token: the
// token that token exchange exchanges and passthrough forwards. Middleware
// sets it from the incoming request. A "Bearer " prefix is removed. The
// context then belongs to work done for a caller: with an empty token, that
// caller is anonymous (see ErrAnonymous), not the service itself.
func ContextWithCallerToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, callerTokenKey, stripBearer(token))
}

// CallerTokenFrom returns the caller's token carried by ctx, or "".
func CallerTokenFrom(ctx context.Context) string {
	s, _ := ctx.Value(callerTokenKey).(string)
	return s
}

// ContextWithMessageID returns a context carrying the correlation id that every
// outgoing call made with it sends, logs and reports in its errors.
func ContextWithMessageID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, messageIDKey, id)
}

// MessageIDFrom returns the message id carried by ctx, or "".
func MessageIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(messageIDKey).(string)
	return s
}

// actor is an actor token for token exchanges, set by ContextWithActorToken.
type actor struct{ token, typ string }

// ContextWithActorToken returns a context whose token exchanges send token as
// their actor_token (delegation, RFC 8693 §1.1: the party acting for the
// caller), of type typ (token.TypeAccessToken when ""), instead of the one
// Auth.ActorToken configured. Exchanged tokens are cached per caller and
// actor. A "Bearer " prefix is removed.
func ContextWithActorToken(ctx context.Context, token, typ string) context.Context {
	return context.WithValue(ctx, actorKey, actor{token: stripBearer(token), typ: typ})
}

func actorTokenFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey).(actor)
	return a.token
}

func actorTypeFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey).(actor)
	return a.typ
}

func stripBearer(v string) string {
	if len(v) > 7 && (v[:7] == "Bearer " || v[:7] == "bearer " || v[:7] == "BEARER ") {
		return v[7:]
	}
	return v
}
