package redis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tpgen/tpgen/redis"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/token"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// A fleet worker is this test binary run again by TestFleet (or
// BenchmarkColdFleet) with TPGEN_FLEET_WORKER set: one replica of a service,
// calling the backend from many goroutines with tokens of its runtime, until
// its stdin closes (or, cold, once per goroutine). It writes what it saw as
// one line of JSON after resultPrefix.

const (
	workerEnv    = "TPGEN_FLEET_WORKER" // the worker's name
	resultPrefix = "FLEET-RESULT "
)

// workerConfig is what the test process tells a worker, in the environment
// variable TPGEN_FLEET_CONFIG as JSON.
type workerConfig struct {
	Name       string
	TokenURL   string
	BaseURL    string
	Redis      string // "": each process keeps its own tokens (memory store)
	Prefix     string
	Goroutines int
	Pace       time.Duration // mean pause between a goroutine's calls
	Cold       bool          // one call per goroutine, then exit
	LeaseTTL   time.Duration
	OpTimeout  time.Duration
	Retry      time.Duration
	MaxRetry   time.Duration
}

// workerResult is what a worker saw.
type workerResult struct {
	Name  string
	Calls int
	// Failed counts calls that returned an error; Errors holds the first few.
	Failed int
	Errors []string
	// Waited counts calls that waited for a token although they began after
	// a call of this process with the same key had succeeded (after its
	// warm-up).
	Waited int
	// WaitedAt says which calls waited, and when (the first few).
	WaitedAt []string
	// Misses counts the loads from this process's memory (by calls, and by
	// the refreshes themselves) that found no token a call may use for a key
	// it had held one for: a refresh so late that the token it replaces
	// reached its use-by point. Reported, not asserted: the calls that
	// waited are Waited.
	Misses int
	// Calls as [start (unix µs), duration (µs), waited for a token (0/1)].
	Samples [][3]int64
	// TokenRequests counts this process's token requests, by background (a
	// refresh ahead of expiry) or not.
	TokenRequests, BackgroundRequests int
	Store                             *redis.Stats
	// Logged counts the store's log lines by message.
	Logged map[string]int
}

// TestFleetWorker is a fleet worker when TPGEN_FLEET_WORKER is set: see TestFleet.
func TestFleetWorker(t *testing.T) {
	name := os.Getenv(workerEnv)
	if name == "" {
		t.Skip("a worker process of TestFleet and BenchmarkColdFleet, run by them")
	}
	var c workerConfig
	if err := json.Unmarshal([]byte(os.Getenv("TPGEN_FLEET_CONFIG")), &c); err != nil {
		t.Fatal(err)
	}
	res, err := runWorker(c, os.Stdin)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "\n%s%s\n", resultPrefix, out)
}

// workerTransport names the worker on every request, calls and token
// requests alike, so that the test process can tell who sent what.
type workerTransport struct {
	name string
	base http.RoundTripper
}

func (t workerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(workerHeader, t.name)
	return t.base.RoundTrip(r)
}

// logCounter counts the store's log lines by message.
type logCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.n[r.Message]++
	l.mu.Unlock()
	return nil
}
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCounter) WithGroup(string) slog.Handler      { return l }

type callerKey struct{}

// beganKey holds when a call began.
type beganKey struct{}

var workOp = tpgenimpl.Operation{ID: "work", Method: "GET", Path: "/work/{caller}", Accept: "application/json",
	Params: []tpgenimpl.Param{{Name: "caller"}}, Responses: []tpgenimpl.ResponseSpec{{Code: 200, Success: true, Body: tpgenimpl.BodyJSON}}}

func runWorker(c workerConfig, stop io.Reader) (*workerResult, error) {
	res := &workerResult{Name: c.Name, Logged: map[string]int{}}
	logs := &logCounter{n: map[string]int{}}
	// The store: Redis's, or the process's memory, counting the loads that
	// find no token a call may use.
	miss := &missCounter{warm: map[string]bool{}}
	var store token.Store = counting{token.NewMemoryStore(0), miss}
	var rs *redis.Store
	if c.Redis != "" {
		var err error
		rs, err = redis.New(redis.Config{Addr: c.Redis, EncryptionKey: testKey, KeyPrefix: c.Prefix, Logger: slog.New(logs),
			LeaseTTL: c.LeaseTTL, OpTimeout: c.OpTimeout, RetryInterval: c.Retry, MaxRetryInterval: c.MaxRetry})
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		store = sharedCounting{rs, miss}
	}
	var (
		mu       sync.Mutex
		warm     = map[string]time.Time{} // when a call with each key first succeeded
		samples  [][3]int64
		tokens   atomic.Int64
		bgTokens atomic.Int64
	)
	obs := &workerObserver{
		call: func(ctx context.Context, r *runtime.Record) {
			// The call's end is read before the lock, its start where it
			// began (a start worked out as now-Total after waiting for the
			// lock is later than the real one: a call that joined the
			// warm-up's token request just before it was answered looked
			// as if it had begun after the first success and waited).
			now := time.Now()
			caller, _ := ctx.Value(callerKey{}).(string)
			began, _ := ctx.Value(beganKey{}).(time.Time)
			waited := !r.TokenCache
			mu.Lock()
			defer mu.Unlock()
			res.Calls++
			w := int64(0)
			if waited {
				w = 1
			}
			samples = append(samples, [3]int64{began.UnixMicro(), r.Total.Microseconds(), w})
			if r.Err != nil {
				res.Failed++
				if len(res.Errors) < 5 {
					res.Errors = append(res.Errors, r.Err.Error())
				}
				return
			}
			if at, ok := warm[caller]; waited && ok && began.After(at) {
				res.Waited++ // began after a call with its key had succeeded
				if len(res.WaitedAt) < 5 {
					res.WaitedAt = append(res.WaitedAt, fmt.Sprintf("%s at %s, %s after its key's first success, for %s",
						caller, began.Format("15:04:05.000"), began.Sub(at).Round(time.Millisecond), r.Total.Round(time.Millisecond)))
				}
			}
			if _, ok := warm[caller]; !ok {
				warm[caller] = now
			}
		},
		token: func(e *runtime.TokenEvent) {
			tokens.Add(1)
			if e.Background {
				bgTokens.Add(1)
			}
		},
	}
	hc := &http.Client{Transport: workerTransport{c.Name, &http.Transport{MaxIdleConnsPerHost: c.Goroutines}}}
	svc, err := runtime.NewService(runtime.ServiceConfig{Name: "fleet", BaseURL: c.BaseURL, TokenURL: c.TokenURL,
		Grant: runtime.GrantAuto, ClientID: fleetClientID},
		runtime.WithLookupEnv(func(string) (string, bool) { return "", false }),
		runtime.WithAuth(runtime.Auth{
			ClientID:     fleetClientID,
			ClientSecret: fleetClientSecret,
			Tokens:       token.Config{Store: store},
		}), runtime.WithHTTPClient(hc), runtime.WithObserver(obs),
		runtime.WithRetry(runtime.RetryPolicy{MaxAttempts: 1})) // a failure shows as one, not hidden by a retry
	if err != nil {
		return nil, err
	}
	var stopped atomic.Bool
	if !c.Cold {
		go func() {
			io.Copy(io.Discard, stop)
			stopped.Store(true)
		}()
	}
	callers := append([]string{"cc"}, fleetUsers...)
	var wg sync.WaitGroup
	for g := range c.Goroutines {
		wg.Go(func() {
			for i := 0; ; i++ {
				caller := "cc" // half the calls for the service itself, half for its users
				if (g+i)%2 == 1 {
					caller = callers[1+(g+i/2)%len(fleetUsers)]
				}
				ctx := context.WithValue(context.Background(), callerKey{}, caller)
				ctx = context.WithValue(ctx, beganKey{}, time.Now())
				if caller != "cc" {
					ctx = runtime.ContextWithCallerToken(ctx, subjectToken(caller))
				}
				var out map[string]any
				tpgenimpl.Invoke(ctx, svc, &workOp, nil, nil, nil, &out, caller)
				if c.Cold || stopped.Load() {
					return
				}
				time.Sleep(time.Duration(rand.Int64N(int64(2 * c.Pace)))) // mean c.Pace
				if stopped.Load() {
					return
				}
			}
		})
	}
	wg.Wait()
	res.Samples = samples
	res.TokenRequests, res.BackgroundRequests = int(tokens.Load()), int(bgTokens.Load())
	res.Misses = int(miss.misses.Load())
	if rs != nil {
		st := rs.Stats()
		res.Store = &st
	}
	logs.mu.Lock()
	res.Logged = logs.n
	logs.mu.Unlock()
	return res, nil
}

// missCounter counts the loads from a store that found no token a call may
// use (none, or one past the point where the token cache stops using it and
// fetches: min(5 s, a tenth of its life) before its expiry) for a key that
// had one before.
type missCounter struct {
	mu     sync.Mutex
	warm   map[string]bool
	misses atomic.Int64
}

func (m *missCounter) loaded(key string, t *token.Token, ok bool) {
	usable := ok && time.Until(t.Expiry) > min(5*time.Second, t.Expiry.Sub(t.Obtained)/10)
	m.mu.Lock()
	defer m.mu.Unlock()
	if usable {
		m.warm[key] = true
	} else if m.warm[key] {
		m.misses.Add(1)
	}
}

// counting is a token.Store that counts misses; sharedCounting a
// token.SharedStore that does.
type counting struct {
	*token.MemoryStore
	m *missCounter
}

func (c counting) Load(key string) (*token.Token, bool) {
	t, ok := c.MemoryStore.Load(key)
	c.m.loaded(key, t, ok)
	return t, ok
}

type sharedCounting struct {
	token.SharedStore
	m *missCounter
}

func (c sharedCounting) Load(key string) (*token.Token, bool) {
	t, ok := c.SharedStore.Load(key)
	c.m.loaded(key, t, ok)
	return t, ok
}

type workerObserver struct {
	call  func(context.Context, *runtime.Record)
	token func(*runtime.TokenEvent)
}

func (o *workerObserver) ObserveCall(ctx context.Context, r *runtime.Record)    { o.call(ctx, r) }
func (o *workerObserver) ObserveToken(_ context.Context, e *runtime.TokenEvent) { o.token(e) }

// parseResult finds a worker's result in its output.
func parseResult(out []byte) (*workerResult, error) {
	for _, line := range bytes.Split(out, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(resultPrefix)); ok {
			var r workerResult
			if err := json.Unmarshal(rest, &r); err != nil {
				return nil, err
			}
			return &r, nil
		}
	}
	return nil, fmt.Errorf("no result in the worker's output: %s", strings.TrimSpace(string(out[max(0, len(out)-2000):])))
}
