package runtime

import (
	"context"
	"fmt"
)

// CallMaxPages bounds how many pages an iteration of a paging method
// (the generated XxxAll methods) fetches, instead of DefaultMaxPages; when
// the service announces a page beyond it, the iteration ends with an error
// that matches ErrTooManyPages. Other calls ignore it. n must be at least 1.
func CallMaxPages(n int) CallOption {
	return func(o *callOptions) {
		if n < 1 && o.err == nil {
			o.err = fmt.Errorf("call option: CallMaxPages(%d): an iteration fetches at least one page", n)
		}
		o.maxPages = n
	}
}

// maxPages is the page limit of the iterations made with ctx.
func maxPages(ctx context.Context) int {
	if co := callOptionsFrom(ctx); co != nil && co.maxPages > 0 {
		return co.maxPages
	}
	return DefaultMaxPages
}
