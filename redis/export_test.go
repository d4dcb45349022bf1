package redis

// What the tests in package redis_test may see of the store's insides.

// Names returns the Redis keys of key's token and lease in s.
func Names(s *Store, key string) (tok, lease string) {
	n := s.seal.names(s.prefix, key)
	return n.token, n.lease
}
