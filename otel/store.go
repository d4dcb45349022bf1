package otel

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tpgen/tpgen/runtime/token"
)

// Metrics of a shared token store, see ObserveStore.
const (
	// MetricStoreAvailable is 1 while the store answers, 0 while the process fetches its own tokens.
	MetricStoreAvailable = "tpgen.token.store.available"
	// MetricStoreClaims counts what the store gave the token cache, by
	// tpgen.token.store.outcome: "lease" (this process fetched for the
	// fleet), "shared" (another process's token), "waited" (another
	// process's token, after waiting for its request), "fallback" (the
	// store could not coordinate: this process fetched on its own).
	MetricStoreClaims = "tpgen.token.store.claims"
	// MetricStoreOutages counts the times the store became unavailable.
	MetricStoreOutages = "tpgen.token.store.outages"
	// MetricStoreErrors counts the store's failed operations.
	MetricStoreErrors = "tpgen.token.store.errors"
)

// Attributes of the store metrics.
const (
	AttrStore        = attribute.Key("tpgen.token.store")
	AttrStoreOutcome = attribute.Key("tpgen.token.store.outcome")
)

// SharedStatser is a shared token store that reports what it did
// (a *redis.Store of github.com/tpgen/tpgen/redis).
type SharedStatser interface {
	SharedStats() token.SharedStats
}

// ObserveStore reports s's figures as metrics under the attribute
// tpgen.token.store=name, read when the metrics are collected: whether it is
// available, its claims by outcome (a fallback to per-process fetching is
// visible there), outages and errors. Unregister the registration when s is
// closed.
func (o *Observer) ObserveStore(name string, s SharedStatser) (metric.Registration, error) {
	m := o.meter
	avail, err := m.Int64ObservableGauge(MetricStoreAvailable, metric.WithUnit("1"),
		metric.WithDescription("1 while the shared token store answers, 0 while each process fetches its own tokens."))
	if err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	claims, err := m.Int64ObservableCounter(MetricStoreClaims, metric.WithUnit("{claim}"),
		metric.WithDescription("What the shared token store gave the token cache, by outcome."))
	if err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	outages, err := m.Int64ObservableCounter(MetricStoreOutages, metric.WithUnit("{outage}"),
		metric.WithDescription("Times the shared token store became unavailable."))
	if err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	errs, err := m.Int64ObservableCounter(MetricStoreErrors, metric.WithUnit("{error}"),
		metric.WithDescription("Failed operations of the shared token store."))
	if err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	store := metric.WithAttributes(AttrStore.String(name))
	outcome := func(v string) metric.ObserveOption {
		return metric.WithAttributes(AttrStore.String(name), AttrStoreOutcome.String(v))
	}
	reg, err := m.RegisterCallback(func(_ context.Context, obs metric.Observer) error {
		st := s.SharedStats()
		up := int64(0)
		if st.Available {
			up = 1
		}
		obs.ObserveInt64(avail, up, store)
		obs.ObserveInt64(claims, st.Leases, outcome("lease"))
		obs.ObserveInt64(claims, st.Shared-st.Waited, outcome("shared"))
		obs.ObserveInt64(claims, st.Waited, outcome("waited"))
		obs.ObserveInt64(claims, st.Fallbacks, outcome("fallback"))
		obs.ObserveInt64(outages, st.Outages, store)
		obs.ObserveInt64(errs, st.Errors, store)
		return nil
	}, avail, claims, outages, errs)
	if err != nil {
		return nil, fmt.Errorf("tpgen otel: %w", err)
	}
	return reg, nil
}
