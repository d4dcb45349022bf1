// Package runtime is what tpgen's generated clients import: for every call it
// chooses and obtains the token (no auth, client credentials, RFC 8693 token
// exchange of the caller's token, passthrough, or an automatic choice), caches
// tokens until shortly before expiry with one token request however many calls
// wait, sends a message id, retries what may be retried, and records what the
// call cost for logs, metrics and Server-Timing.
//
// Generated code holds the service's non-secret defaults in a ServiceConfig and
// an Operation per operation: its parameters, body, declared responses and
// result. Each method hands its arguments to Service.Invoke, which builds the
// request from that table, sends it and decodes the answer into the method's
// typed result:
//
//	var opGetOrder = runtime.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{orderId}",
//		Params: []runtime.Param{{Name: "orderId"}},
//		Accept: "application/json",
//		Responses: []runtime.ResponseSpec{
//			{Code: 200, Success: true, Body: runtime.BodyJSON},
//			{Code: 404, Body: runtime.BodyJSON, Model: newProblem},
//		}}
//
//	func (c *Client) GetOrder(ctx context.Context, orderID string) (*Order, error) {
//		var out *Order
//		if err := c.svc.Invoke(ctx, &opGetOrder, nil, nil, &out, orderID); err != nil {
//			return nil, err // a 404 is a *ResponseError whose Model is a *Problem
//		}
//		return out, nil
//	}
//
// Keeping that work in the runtime, rather than in code generated per
// operation, keeps the clients of large APIs quick to compile. Call and
// CallResponse take a Request built by hand (for calls the spec does not
// describe, as does HTTPClient); Do is the lower level they all build on.
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
