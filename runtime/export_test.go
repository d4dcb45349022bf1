package runtime

// What the tests in package runtime_test may see of the runtime's insides.

// TokenBookkeeping reports the size of what a service's token manager keeps
// beside its store: keys it holds state for, and token requests in flight.
func TokenBookkeeping(s *Service) (states, flights int) {
	m := s.tokens
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.states.len(), len(m.flights)
}

// Bounds of the token manager.
const (
	MaxTokenFlights  = maxTokenFlights
	ReauthInterval   = reauthInterval
	MaxTokenLifetime = maxTokenLifetime
	MinTokenLifetime = minTokenLifetime
)
