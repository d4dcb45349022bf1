package model

// The small kinds of the model (Grant, ParamIn, ClientAuth, ...) are
// numbers with a table of the words services.yaml or the spec writes for
// them; nameOf and parseName are the two directions, once for all of them.

// nameOf is k's word in names; "" for a number outside the table.
func nameOf[K ~uint8](names []string, k K) string {
	if int(k) < len(names) {
		return names[k]
	}
	return ""
}

// parseName is the kind whose word in names is s; false, and the zero
// kind, when s is none of them.
func parseName[K ~uint8](names []string, s string) (K, bool) {
	for k, n := range names {
		if n == s {
			return K(k), true
		}
	}
	return 0, false
}
