// Package redis keeps the tokens of tpgen clients in Redis, shared by every
// process of a fleet, so that the fleet makes one token request per key per
// expiry, however many replicas it runs: a token.SharedStore.
//
// From services.yaml's defaults.token_store (kind: redis, addr, username,
// password: ${VAR}, tls, key_prefix, encryption_key: ${VAR}) and the
// TPGEN_TOKEN_STORE variables, by linking the package into the program:
//
//	import _ "github.com/tpgen/tpgen/redis"
//
// Every generated client of the process then shares one Store (see Open).
// Or in code, with every setting of Config:
//
//	store, err := redis.New(redis.Config{Addr: "redis:6379", Password: pw, EncryptionKey: key})
//	orders, err := ordersclient.New(runtime.WithAuth(runtime.Auth{Tokens: token.Config{Store: store}}))
//
// What it promises:
//
//   - Fleet-wide single flight: when no process holds a usable token for a
//     key, or its token is due for refresh, one process fetches it under a
//     lease (SET NX PX, renewed while it fetches) while the others wait for
//     the token it stores or keep using the token they have; a process that
//     dies holding the lease loses it within Config.LeaseTTL.
//   - A near cache: warm calls are served from the process's memory; Redis is
//     asked only in the token cache's single flight.
//   - Tokens at rest are encrypted (AES-256-GCM, bound to their key name),
//     key names are HMACs of the cache keys (no service, client, scope or
//     user can be read from them or confirmed by a guess), each entry expires
//     with its token, and the entries under a prefix are bounded
//     (Config.MaxEntries, those that expire first going first).
//   - Redis down or slow is not an outage: every operation is bounded by
//     Config.OpTimeout; after a failure the processes fetch their own tokens,
//     say so once in the log and in Stats, and share again when Redis answers.
//
// This package is a module of its own, so that importing tpgen's runtime
// pulls no Redis client into a build.
package redis
