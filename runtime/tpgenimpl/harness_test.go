package tpgenimpl_test

import (
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

// newService builds a Service for the test, ignoring the environment.
func newService(t testing.TB, cfg runtime.ServiceConfig, opts ...runtime.Option) *runtime.Service {
	t.Helper()
	noEnv := func(string) (string, bool) { return "", false }
	s, err := runtime.NewService(cfg, append([]runtime.Option{runtime.WithLookupEnv(noEnv)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
