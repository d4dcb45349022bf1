package generator

import (
	"testing"

	"github.com/tpgen/tpgen/generator/internal/goname"
)

func TestShortName(t *testing.T) {
	long := []string{"CreateOrderRequest", "Shipping", "Address", "Details", "LinesItem"}
	for _, tc := range []struct {
		name  string
		parts []string
		taken []string
		want  string
	}{
		{"short enough", []string{"Pet", "Owner", "Address"}, nil, "PetOwnerAddress"},
		{"two parts stay", []string{"PostCustomersCustomerSubscriptionsRequest", "PaymentSettings"}, nil, "PostCustomersCustomerSubscriptionsRequestPaymentSettings"},
		{"as many last names as fit", long, nil, "CreateOrderRequestDetailsLinesItem"},
		{"taken: one more name", long, []string{"CreateOrderRequestDetailsLinesItem"}, "CreateOrderRequestAddressDetailsLinesItem"},
		{"all taken: the whole chain", long, []string{"CreateOrderRequestDetailsLinesItem", "CreateOrderRequestAddressDetailsLinesItem"}, "CreateOrderRequestShippingAddressDetailsLinesItem"},
		{"nothing fits: the root and the last", []string{"PostCustomersCustomerSubscriptionsRequest", "PaymentSettings", "PaymentMethodOptions", "Card"}, nil, "PostCustomersCustomerSubscriptionsRequestCard"},
		{"a variant's number keeps its name", []string{"PostCustomersCustomerSubscriptionsRequest", "PaymentSettings", "Card", "0"}, nil, "PostCustomersCustomerSubscriptionsRequestCard0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &typer{ns: goname.NewNamespace(tc.taken...)}
			if got := g.shortName(tc.parts); got != tc.want {
				t.Errorf("shortName(%q) = %q, want %q", tc.parts, got, tc.want)
			}
		})
	}
}
