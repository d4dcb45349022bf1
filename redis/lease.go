package redis

import (
	"context"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The store's scripts: each is one atomic step in Redis.
var (
	// claimScript takes the lease (KEYS[2]) when no one holds it, for
	// ARGV[2] ms under the holder's id ARGV[1], and returns whether it did
	// and the token's value (KEYS[1]).
	claimScript = goredis.NewScript(`
local got = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2])
local v = redis.call('GET', KEYS[1])
if got then return {1, v} end
return {0, v}`)

	// renewScript extends the lease KEYS[1] to ARGV[2] ms if ARGV[1] still holds it.
	renewScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

	// releaseScript deletes the lease KEYS[1] if ARGV[1] still holds it.
	releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

	// storeScript keeps the value ARGV[1] under KEYS[1] until ARGV[2] (unix
	// ms: the token's expiry, so that Redis's clock reading it later cannot
	// keep it longer; Redis 6.2 or newer) and indexes it by expiry (ARGV[3],
	// unix ms) in the sorted set KEYS[2];
	// then it forgets what expired by ARGV[4] and, past ARGV[5] entries,
	// deletes those that expire first. The index itself goes after ARGV[6]
	// ms without a store.
	storeScript = goredis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  for _, k in ipairs(old) do
    redis.call('DEL', k)
    redis.call('ZREM', KEYS[2], k)
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return over`)

	// deleteScript deletes the token KEYS[1] if its value starts with the
	// header ARGV[1] (the same token), and its entry in the index KEYS[2].
	deleteScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], KEYS[1])
  return 1
end
return 0`)
)

// lease is this process's right to fetch one key's token. It is renewed
// every third of its TTL until released, so that a slow token request keeps
// it, while a process that dies loses it within one TTL.
type lease struct {
	s    *Store
	name string
	id   string
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
}

func (s *Store) newLease(name, id string) *lease {
	l := &lease{s: s, name: name, id: id, stop: make(chan struct{})}
	l.done.Go(l.renew)
	return l
}

func (l *lease) renew() {
	tick := time.NewTicker(l.s.leaseTTL / 3)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
			if !l.s.health.ok() {
				continue // it expires on its own; the others fall back meanwhile
			}
			ctx, cancel := context.WithTimeout(context.Background(), l.s.timeout)
			n, err := renewScript.Run(ctx, l.s.rdb, []string{l.name}, l.id, l.s.leaseTTL.Milliseconds()).Int()
			cancel()
			if l.s.result(context.Background(), err) == nil && n == 0 {
				return // lost (it expired while Redis was unreachable): someone else may fetch now
			}
		}
	}
}

// Release implements token.Lease.
func (l *lease) Release() {
	l.once.Do(func() {
		close(l.stop)
		l.done.Wait()
		l.s.release(l.name, l.id)
	})
}

// release deletes the lease name if id still holds it.
func (s *Store) release(name, id string) {
	if !s.health.ok() {
		return // it expires on its own
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.result(context.Background(), releaseScript.Run(ctx, s.rdb, []string{name}, id).Err())
}
