package redis_test

// Benchmarks of the Redis store against the in-memory one:
//
//	go test -run '^$' -bench . -benchmem ./   (in redis/; needs redis-server)
//
// BenchmarkWarmCall: with a cached client-credentials token, through the
// runtime with each store, alternately: the token alone (TokenSource, the
// store's part), a call without a network (a transport that answers at once)
// and a call to a loopback server. memory-ns/op and redis-ns/op are the
// times of each, redis/memory their ratio; redis-cmds/op is what Redis was
// asked per operation: a warm call is served from the near cache. BenchmarkColdFleet: 8 processes of 100 goroutines start at
// once and make one call each; token-requests/op is what the fleet asked the
// token endpoint for its 6 keys, first-call-p50-ms and -p99-ms how long those
// first calls took (ns/op is mostly the processes' start).

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tpgen/tpgen/redis"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// benchFetcher hands out one long-lived token of a realistic JWT size.
type benchFetcher struct{ tok string }

func (f benchFetcher) FetchToken(context.Context, *token.Request) (*token.Token, error) {
	return &token.Token{AccessToken: f.tok, TokenType: "Bearer", Expiry: time.Now().Add(24 * time.Hour)}, nil
}

// answer is a transport that answers every request at once, without a network.
type answer struct{}

func (answer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"id":"42"}`)), Request: r}, nil
}

func BenchmarkWarmCall(b *testing.B) {
	srv := startRedis(b)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"42"}`)
	}))
	defer api.Close()
	tok := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("x", 700) + ".sig"
	op := tpgenimpl.Operation{ID: "getOrder", Method: "GET", Path: "/orders/{id}", Accept: "application/json",
		Params: []tpgenimpl.Param{{Name: "id"}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}
	ctx := context.Background()
	service := func(b *testing.B, store token.Store, hc *http.Client) *runtime.Service {
		svc, err := runtime.NewService(runtime.ServiceConfig{Name: "orders"}, runtime.WithLookupEnv(func(string) (string, bool) { return "", false }),
			runtime.WithBaseURL(api.URL), runtime.WithAuth(runtime.Auth{Grant: runtime.GrantClientCredentials}), runtime.WithHTTPClient(hc),
			runtime.WithAuth(runtime.Auth{Tokens: token.Config{Fetcher: benchFetcher{tok}, Store: store}}))
		if err != nil {
			b.Fatal(err)
		}
		return svc
	}
	// Each variant is one operation made with either store, alternately
	// (the order swapped every iteration), so that both see the same machine.
	variants := []struct {
		name string
		hc   *http.Client
		op   func(b *testing.B, svc *runtime.Service)
	}{
		{"token", nil, func(b *testing.B, svc *runtime.Service) { // the store's part alone: a token from the cache
			if _, err := svc.TokenSource(ctx).Token(); err != nil {
				b.Fatal(err)
			}
		}},
		{"call_no_network", &http.Client{Transport: answer{}}, func(b *testing.B, svc *runtime.Service) {
			var out map[string]any
			if err := tpgenimpl.Invoke(ctx, svc, &op, nil, nil, nil, &out, "42"); err != nil {
				b.Fatal(err)
			}
		}},
		{"call_loopback", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}, func(b *testing.B, svc *runtime.Service) {
			var out map[string]any
			if err := tpgenimpl.Invoke(ctx, svc, &op, nil, nil, nil, &out, "42"); err != nil {
				b.Fatal(err)
			}
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			rs, _ := newStore(b, srv, redis.Config{KeyPrefix: "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)})
			hc := v.hc
			if hc == nil {
				hc = &http.Client{Transport: answer{}}
			}
			svcs := [2]*runtime.Service{service(b, token.NewMemoryStore(0), hc), service(b, rs, hc)}
			for _, svc := range svcs {
				v.op(b, svc) // the token is cached from here on
			}
			info := srv.Client()
			cmds := redisCommands(b, info)
			var took [2]time.Duration
			i := 0
			for b.Loop() {
				for _, j := range [2]int{i % 2, 1 - i%2} {
					start := time.Now()
					v.op(b, svcs[j])
					took[j] += time.Since(start)
				}
				i++
			}
			b.ReportMetric(float64(took[0].Nanoseconds())/float64(b.N), "memory-ns/op")
			b.ReportMetric(float64(took[1].Nanoseconds())/float64(b.N), "redis-ns/op")
			b.ReportMetric(float64(took[1])/float64(took[0]), "redis/memory")
			b.ReportMetric(float64(redisCommands(b, info)-cmds-1)/float64(b.N), "redis-cmds/op") // -1: the first INFO
		})
	}
}

// redisCommands returns how many commands the server has processed.
func redisCommands(b *testing.B, c *goredis.Client) int64 {
	info, err := c.Info(context.Background(), "stats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no total_commands_processed in INFO stats")
	return 0
}

func BenchmarkColdFleet(b *testing.B) {
	srv := startRedis(b)
	f := fleetSetup{procs: 8, goroutines: 100, life: time.Hour, leaseTTL: time.Second, pace: time.Second}
	for _, kind := range []string{"memory", "redis"} {
		b.Run(kind, func(b *testing.B) {
			var requests int
			var calls []int64
			for b.Loop() {
				var rs *redisServer
				if kind == "redis" {
					rs = srv
				}
				r := f.startCold(b, rs)
				r.stop()
				for _, w := range r.res {
					if w.Failed != 0 {
						b.Fatalf("%s: %d calls failed: %v", w.Name, w.Failed, w.Errors)
					}
					for _, c := range w.Samples {
						calls = append(calls, c[1])
					}
				}
				requests += len(r.world.idp.requests())
				r.world.Close()
			}
			b.ReportMetric(float64(requests)/float64(b.N), "token-requests/op")
			b.ReportMetric(float64(pct(calls, 50))/1e6, "first-call-p50-ms")
			b.ReportMetric(float64(pct(calls, 99))/1e6, "first-call-p99-ms")
		})
	}
}
