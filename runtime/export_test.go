package runtime

// What the tests in package runtime_test may see of the runtime's insides.

// TokenBookkeeping reports the size of what a service's token cache keeps
// beside its store: keys it holds state for, and token requests in flight.
func TokenBookkeeping(s *Service) (states, flights int) {
	st := s.tokens.Stats()
	return st.Keys, st.Flights
}
