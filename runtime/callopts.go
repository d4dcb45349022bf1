package runtime

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tpgen/tpgen/internal/keyheader"
	"github.com/tpgen/tpgen/runtime/internal/quote"
)

// CallOption changes one call: every generated method takes them last
// (client.GetOrder(ctx, id, runtime.CallTimeout(2*time.Second))), and
// ContextWithCallOptions hands them to calls that take none (those made
// with HTTPClient). Later options win over earlier ones, and options given
// to a method over those of its context.
type CallOption func(*callOptions)

// callOptions is what the CallOptions of a call set.
type callOptions struct {
	header     http.Header // canonical names
	timeout    time.Duration
	timeoutSet bool
	retry      *RetryPolicy
	auth       *callAuth
	maxPages   int   // CallMaxPages; 0: DefaultMaxPages
	err        error // the first option that cannot be honoured: the call fails before it is sent
}

// callAuth is a per-call override of authentication.
type callAuth struct {
	skip  bool
	token string
}

// CallHeader adds a header to the call (several values of one name are
// sent as several header lines). Headers that authentication, message ids
// or HTTP itself set (Authorization: see CallToken; Cookie, Host,
// Content-Length, the message id header, ...) cannot be set, nor values
// with a line break or NUL: the call then fails before anything is sent.
// Like credentials, these headers go only to the service's own origin: a
// redirect elsewhere drops them.
func CallHeader(name, value string) CallOption {
	return func(o *callOptions) {
		if o.err != nil {
			return
		}
		h := http.CanonicalHeaderKey(name)
		switch {
		case !quote.IsToken(name):
			o.err = fmt.Errorf("call option: header name %q is not an HTTP token", quote.Truncate(name, 60))
		case h == "Authorization":
			o.err = fmt.Errorf("call option: the Authorization header is the runtime's: pass runtime.CallToken to send a token of your own")
		case keyheader.Reserved(h, DefaultMessageIDHeader):
			o.err = fmt.Errorf("call option: header %s is set by HTTP or the runtime and cannot be set per call", h)
		case strings.ContainsAny(value, "\r\n\x00"):
			o.err = fmt.Errorf("call option: header %s: the value has a line break or NUL", h)
		default:
			if o.header == nil {
				o.header = http.Header{}
			}
			o.header[h] = append(o.header[h], value)
		}
	}
}

// CallTimeout bounds the call, retries included, instead of the service's
// timeout (WithTimeout); 0 leaves only the context's deadline.
func CallTimeout(d time.Duration) CallOption {
	return func(o *callOptions) { o.timeout, o.timeoutSet = d, true }
}

// CallRetry retries the call as p says instead of the service's policy
// (WithRetry); NoRetry sends it once.
func CallRetry(p RetryPolicy) CallOption {
	return func(o *callOptions) { p := p.withDefaults(); o.retry = &p }
}

// CallWithoutAuth sends the call without credentials: no token, no API key,
// whatever the service, the operation and the spec's security say.
func CallWithoutAuth() CallOption {
	return func(o *callOptions) { o.auth = &callAuth{skip: true} }
}

// CallToken sends token (a "Bearer " prefix is removed) as the call's
// bearer token instead of obtaining one, and no other credential. Like
// every token, it goes only to the service's own origin.
func CallToken(token string) CallOption {
	return func(o *callOptions) { o.auth = &callAuth{token: stripBearer(token)} }
}

// ContextWithCallOptions returns a context whose calls take opts, after
// those ctx carries already: for calls made with HTTPClient, and for code
// that hands a context down to where the calls are made.
func ContextWithCallOptions(ctx context.Context, opts ...CallOption) context.Context {
	if len(opts) == 0 {
		return ctx
	}
	o := &callOptions{}
	if prev := callOptionsFrom(ctx); prev != nil {
		*o = *prev
		o.header = prev.header.Clone()
	}
	for _, f := range opts {
		f(o)
	}
	return context.WithValue(ctx, callOptsKey, o)
}

// callOptionsFrom returns the call options ctx carries, nil when none.
func callOptionsFrom(ctx context.Context) *callOptions {
	o, _ := ctx.Value(callOptsKey).(*callOptions)
	return o
}

// authOf returns the call's override of authentication, nil when none.
func (o *callOptions) authOf() *callAuth {
	if o == nil {
		return nil
	}
	return o.auth
}

// check returns why the options cannot be honoured by s, nil when they can.
func (o *callOptions) check(s *Service) error {
	if o.err != nil {
		return o.err
	}
	if _, ok := o.header[s.midHeader]; ok {
		return fmt.Errorf("call option: header %s carries the message id: use runtime.ContextWithMessageID", s.midHeader)
	}
	return nil
}

// apply sets the option's headers on req, replacing what the call's
// parameters set under the same names.
func (o *callOptions) apply(req *http.Request) {
	for k, v := range o.header {
		req.Header[k] = v
	}
}
