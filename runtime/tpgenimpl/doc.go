// Package tpgenimpl is the part of tpgen's runtime that only generated code
// uses: the operation tables that describe each operation, Invoke, which
// interprets a table to make a call, the parameter and body codecs behind it,
// and the helpers that generated types call (unions, nullable values,
// additional properties).
//
// It is for generated code only; not meant to be called by hand. Its API
// changes whenever the generator needs it to, and SupportPackageIsVersionN
// says which generated code fits: an application calls the client methods
// that tpgen generated and configures them with package runtime.
//
// A generated method hands its arguments to Invoke with its operation's table:
//
//	var opGetOrder = tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{orderId}",
//		Params: []tpgenimpl.Param{{Name: "orderId"}},
//		Accept: "application/json",
//		Responses: []tpgenimpl.ResponseSpec{
//			{Code: 200, Success: true, Body: tpgenimpl.BodyJSON},
//			{Code: 404, Body: tpgenimpl.BodyJSON, Model: newProblem},
//		}}
//
//	func (c *Client) GetOrder(ctx context.Context, orderID string, opts ...runtime.CallOption) (*Order, error) {
//		var out *Order
//		if err := tpgenimpl.Invoke(ctx, c.svc, &opGetOrder, opts, nil, nil, &out, orderID); err != nil {
//			return nil, err // a 404 is a *runtime.ResponseError whose Model is a *Problem
//		}
//		return out, nil
//	}
//
// Invoke builds the request from the table, sends it through the
// runtime.Service (auth, message ids, retries, diagnostics) and decodes the
// answer into the method's typed result. runtime/DESIGN.md says why calls are
// interpreted from tables rather than generated per operation.
package tpgenimpl
