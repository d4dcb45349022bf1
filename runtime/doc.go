// Package runtime is what tpgen's generated clients import: for every call it
// chooses and obtains the token (no auth, client credentials, RFC 8693 token
// exchange of the caller's token, passthrough, or an automatic choice), caches
// tokens until shortly before expiry with one token request however many calls
// wait, sends a message id, retries what may be retried, and records what the
// call cost for logs, metrics and Server-Timing.
//
// Generated code holds the service's non-secret defaults in a ServiceConfig and
// an Operation per operation, builds the HTTP side of each call in a Request,
// and hands both to Service.Do:
//
//	var opGetOrder = runtime.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}"}
//
//	func (c *Client) GetOrder(ctx context.Context, id string) (*Order, error) {
//		resp, err := c.svc.Do(ctx, &opGetOrder, &runtime.Request{
//			Path: "/orders/" + runtime.PathSimple(id), Accept: "application/json"})
//		if err != nil {
//			return nil, err
//		}
//		defer resp.Close()
//		switch resp.StatusCode {
//		case 200:
//			out := new(Order)
//			return out, resp.DecodeJSON(out)
//		case 404:
//			return nil, resp.ErrorJSON(new(Problem))
//		}
//		return nil, resp.Error()
//	}
//
// An application creates each client once, with secrets from options or the
// environment, and wraps its HTTP handlers in Middleware so that outgoing
// calls carry the caller's token and message id:
//
//	orders, err := ordersclient.New(runtime.WithLogger(logger))
//	http.ListenAndServe(":8080", runtime.Middleware(mux))
//
// Errors are *ResponseError (a non-2xx answer), *TokenError (a failed token
// request) or *CallError (anything else); each names the service, operation and
// message id, and none holds a token or secret.
package runtime
