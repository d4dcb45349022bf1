package generator

import (
	"fmt"
	"math"

	"github.com/tpgen/tpgen/generator/internal/model"
)

// kin-openapi reads every number of a spec as a float64, so an enum value
// from 2^53 on (9007199254740993, 1e20) is not known exactly, and one beyond
// int64 does not fit the integer types at all: int64(1e20) would be a
// constant of another value, silently. Such enums get no constants; their
// schema is typed as its plain type, or float64 when the values do not fit
// int64, with a note. An integer enum with a value that is not an integer is
// typed float64; one whose values do not fit int32 (format: int32) int64.

// maxExactInt is 2^53: below it float64 holds every integer exactly; from
// it on, a float64 may stand for several integers (2^53 + 1 reads as 2^53).
const maxExactInt = 1 << 53

// numericEnum checks the values of a numeric enum against base (an integer
// or float type) and returns the base that fits them, and whether the
// values are exact (constants can be declared). why says what changed, ""
// when nothing did.
func numericEnum(values []any, base *model.Type) (fit *model.Type, exact bool, why string) {
	isInt := base == model.TInt || base == model.TInt64 || base == model.TInt32
	fit, exact = base, true
	for _, v := range values {
		f, ok := v.(float64)
		if !ok {
			continue
		}
		switch {
		case isInt && f != math.Trunc(f):
			return model.TFloat64, true, fmt.Sprintf("the integer enum has a value that is not an integer (%v): typed as float64", f)
		case math.Abs(f) >= maxExactInt && f == math.Trunc(f):
			exact = false
			if math.Abs(f) >= math.MaxInt64 && isInt {
				fit = model.TFloat64
			}
		case base == model.TInt32 && (f > math.MaxInt32 || f < math.MinInt32) && fit == model.TInt32:
			fit, why = model.TInt64, fmt.Sprintf("format int32, but the value %v does not fit 32 bits: typed as int64", f)
		}
	}
	if !exact {
		why = fmt.Sprintf("values from 2^53 on are not known exactly (numbers are read as float64): no constants; typed as %s", fit.Expr())
	}
	return fit, exact, why
}
