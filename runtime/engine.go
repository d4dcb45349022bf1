package runtime

import (
	"context"

	"github.com/tpgen/tpgen/runtime/internal/link"
)

// engine is a Service as package tpgenimpl drives it (see internal/link):
// the operation tables of generated code become calls here.
type engine Service

func init() {
	link.Lend(func(s *Service) link.Engine { return (*engine)(s) })
}

func (e *engine) Do(ctx context.Context, op link.Op, r link.Request) (link.Response, error) {
	resp, err := (*Service)(e).do(ctx, &op, &r)
	if err != nil {
		return nil, err // not a typed nil in an interface
	}
	return resp, nil
}

func (e *engine) Fail(ctx context.Context, op link.Op, err error) error {
	return (*Service)(e).fail(ctx, &op, err)
}

func (e *engine) ValidateResponses() bool { return e.validate }

func (e *engine) MaxPages(ctx context.Context) int { return maxPages(ctx) }
