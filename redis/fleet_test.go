package redis_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFleet runs a fleet: 8 processes of a service (this test binary run
// again as TestFleetWorker) with 100 goroutines each, calling a backend with
// client-credentials tokens and, for five users, exchanged tokens, which a
// token endpoint in this process issues with a lifetime of a few seconds and
// counts. The processes share one real redis-server. Tokens are refreshed
// ahead of expiry several times over; the run stops in the middle of a
// token's life, so that the number of tokens each key needed is known.
//
//   - shared: every key gets exactly one token request per generation
//     fleet-wide (expiries + 1 per key), no call fails, and after its warm-up
//     no call waits for a token.
//   - memory: the same fleet without Redis, for comparison: each process
//     asks once per key per generation of its own tokens.
//   - redis killed: Redis is killed (SIGKILL) in the middle of a generation
//     and started again (empty) two refreshes later: meanwhile each process
//     fetches its own tokens (once per key per generation of its own), no
//     call fails or waits, each process logs the outage and the recovery
//     once, and once Redis is back the fleet shares again: one request per
//     key per generation.
//   - fetcher killed: the process that sends the first token request of the
//     second generation is killed (SIGKILL) while the token endpoint holds
//     that request: its lease in Redis expires, another process fetches,
//     every key still gets exactly one token per generation, and no call of
//     the other processes fails or waits.
//
// Counts are asserted exactly; timings (call latency p50/p99, how soon the
// fleet failed over and took over) are reported with t.Log. TPGEN_FLEET_SCALE
// (a number, default 1) stretches token lifetimes and leases on a machine
// too slow for a refresh within a second or so.
func TestFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("a fleet of 8 processes for about 40 s; not with -short")
	}
	srv := startRedis(t)
	scale := 1.0
	if v := os.Getenv("TPGEN_FLEET_SCALE"); v != "" {
		if _, err := fmt.Sscan(v, &scale); err != nil || scale < 1 {
			t.Fatalf("TPGEN_FLEET_SCALE=%q: want a number of at least 1", v)
		}
	}
	f := fleetSetup{
		procs: 8, goroutines: 100,
		life:     time.Duration(scale * float64(4*time.Second)),
		leaseTTL: time.Duration(scale * float64(800*time.Millisecond)),
		pace:     200 * time.Millisecond,
	}
	if raceEnabled {
		f.pace = time.Second // a call costs several times its CPU under the race detector
	}
	t.Logf("fleet: %d processes × %d goroutines, a call every %s per goroutine on average, tokens of %s (refreshed ahead of expiry from half their life), leases of %s; keys: cc (client credentials) and tx:u1..u5 (token exchange)",
		f.procs, f.goroutines, f.pace, f.life, f.leaseTTL)

	t.Run("shared", func(t *testing.T) {
		srv.ensure()
		r := f.start(t, srv, "shared")
		r.waitGenerations(4)
		r.stop()
		r.checkCalls()
		r.checkGenerations(r.requests(), 4)
		r.checkStores(0)
		r.report()
	})
	t.Run("memory", func(t *testing.T) {
		r := f.start(t, nil, "memory")
		r.waitOwnGenerations(4)
		r.stop()
		r.checkCalls()
		r.checkOwnGenerations(r.requests(), 4)
		r.report()
	})
	t.Run("redis killed", func(t *testing.T) {
		srv.ensure()
		r := f.start(t, srv, "outage")
		r.waitGenerations(2)
		killed := time.Now()
		srv.Kill()
		r.mark("Redis killed", killed)
		time.Sleep(f.life) // two refreshes come due without Redis
		restarted := time.Now()
		srv.Start()
		r.mark("Redis started again (empty)", restarted)
		recovered := r.waitRecovered(restarted, 2)
		var shared time.Time // when every key was shared again
		for _, at := range recovered {
			if at.After(shared) {
				shared = at
			}
		}
		r.mark("the fleet shared every key again", shared)
		r.stop()
		r.checkCalls()
		before, during, after := r.split(killed, recovered)
		r.checkGenerations(before, 2)
		r.checkOwnGenerations(during, 1)
		r.checkGenerations(after, 2)
		r.checkStores(1)
		r.report()
		r.reportFailover(killed, restarted, shared, during)
	})
	t.Run("fetcher killed", func(t *testing.T) {
		srv.ensure()
		r := f.start(t, srv, "takeover")
		victim := make(chan string, 1)
		r.world.idp.mu.Lock()
		chosen := ""
		r.world.idp.hold = func(req tokenRequest, answered map[string]int) bool {
			if chosen == "" && answered[req.Key] == 1 { // the first request of the second generation
				chosen = req.Worker
				victim <- chosen
			}
			return req.Worker == chosen // and every later request of that process: it dies holding them
		}
		r.world.idp.mu.Unlock()
		var killedAt time.Time
		select {
		case name := <-victim:
			killedAt = time.Now()
			r.kill(name)
			r.mark("killed "+name+" while the token endpoint held its request", killedAt)
		case <-time.After(10 * f.life):
			t.Fatal("no token request of the second generation")
		}
		r.waitGenerations(3)
		r.stop()
		r.checkCalls()
		r.checkGenerations(r.requests(), 3)
		r.checkStores(0)
		r.report()
		r.reportTakeover(killedAt)
	})
}

// fleetSetup is the shape of a fleet.
type fleetSetup struct {
	procs, goroutines int
	life, leaseTTL    time.Duration
	pace              time.Duration
}

// fleetRun is one run of a fleet.
type fleetRun struct {
	t      testing.TB
	f      fleetSetup
	world  *fleetWorld
	shared bool
	procs  []*proc
	marks  []string
	began  time.Time
	// stopped is when stop was called.
	stopped time.Time
	res     []*workerResult
}

// proc is one worker process.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    lockedBuffer
	errOut lockedBuffer
	done   chan error
	killed bool
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// start starts the world and the workers; srv nil: without Redis.
func (f fleetSetup) start(t testing.TB, srv *redisServer, name string) *fleetRun {
	return f.startWith(t, srv, name, false)
}

// startCold starts workers that make one call per goroutine and stop.
func (f fleetSetup) startCold(t testing.TB, srv *redisServer) *fleetRun {
	return f.startWith(t, srv, "cold", true)
}

func (f fleetSetup) startWith(t testing.TB, srv *redisServer, name string, cold bool) *fleetRun {
	r := &fleetRun{t: t, f: f, world: newFleetWorld(f.life), shared: srv != nil, began: time.Now()}
	t.Cleanup(r.world.Close)
	c := workerConfig{TokenURL: r.world.idpSrv.URL, BaseURL: r.world.apiSrv.URL, Goroutines: f.goroutines, Pace: f.pace,
		Prefix: fmt.Sprintf("fleet-%s-%d", name, time.Now().UnixNano()), LeaseTTL: f.leaseTTL,
		// Bounds for a loaded machine: a Redis operation that takes longer
		// than this makes a process fall back, which a fleet of 8 race-built
		// processes on 2 cores must not do by accident (the default is 250 ms).
		OpTimeout: time.Second, Retry: 200 * time.Millisecond, MaxRetry: time.Second, Cold: cold}
	if srv != nil {
		c.Redis = srv.Addr()
	}
	for i := range f.procs {
		p := r.spawn(t, c, fmt.Sprintf("w%d", i+1))
		r.procs = append(r.procs, p)
	}
	t.Cleanup(func() {
		for _, p := range r.procs {
			if p.cmd.ProcessState == nil {
				p.cmd.Process.Kill()
				<-p.done
			}
		}
	})
	return r
}

func (r *fleetRun) spawn(t testing.TB, c workerConfig, name string) *proc {
	c.Name = name
	cfg, _ := json.Marshal(c)
	p := &proc{name: name, done: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], "-test.run=^TestFleetWorker$", "-test.count=1", "-test.timeout=5m")
	p.cmd.Env = append(os.Environ(), workerEnv+"="+name, "TPGEN_FLEET_CONFIG="+string(cfg))
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p
}

func (r *fleetRun) mark(what string, at time.Time) {
	r.marks = append(r.marks, fmt.Sprintf("%s at %.2f s", what, at.Sub(r.began).Seconds()))
}

func (r *fleetRun) kill(name string) {
	for _, p := range r.procs {
		if p.name == name {
			p.killed = true
			p.cmd.Process.Kill()
		}
	}
}

// generations groups a key's token requests into generations: requests less
// than 3/8 of a token's life apart are of one generation (a refresh comes
// half a life after the token it replaces; a takeover after a lease's TTL).
func (r *fleetRun) generations(reqs []tokenRequest) map[string][][]tokenRequest {
	return groupGenerations(reqs, r.f.life*3/8)
}

// ownGenerations groups one process's requests: within a process there is
// no takeover, so requests less than a quarter of a life apart are of one
// generation (a second request of one would come right after the first was
// answered). The wider gap of generations would take a refresh whose
// request reached the token endpoint late on a loaded machine, and the next
// one that did not, as one generation.
func (r *fleetRun) ownGenerations(reqs []tokenRequest) map[string][][]tokenRequest {
	return groupGenerations(reqs, r.f.life/4)
}

func groupGenerations(reqs []tokenRequest, gap time.Duration) map[string][][]tokenRequest {
	gens := map[string][][]tokenRequest{}
	for _, q := range reqs {
		g := gens[q.Key]
		if n := len(g); n > 0 && q.At.Sub(g[n-1][len(g[n-1])-1].At) < gap {
			g[n-1] = append(g[n-1], q)
		} else {
			g = append(g, []tokenRequest{q})
		}
		gens[q.Key] = g
	}
	return gens
}

func fleetKeys() []string {
	keys := []string{"cc"}
	for _, u := range fleetUsers {
		keys = append(keys, "tx:"+u)
	}
	return keys
}

// waitGenerations returns in the middle of the n-th generation: once every
// key has n, a quarter of a token's life after the latest one began, well
// before the next is due (half a life after).
func (r *fleetRun) waitGenerations(n int) {
	deadline := time.Now().Add(time.Duration(n+4) * r.f.life)
	for {
		gens := r.generations(r.world.idp.requests())
		var latest time.Time
		ready := true
		for _, k := range fleetKeys() {
			if len(gens[k]) < n {
				ready = false
				break
			}
			if at := gens[k][n-1][0].At; at.After(latest) {
				latest = at
			}
		}
		if ready {
			time.Sleep(time.Until(latest.Add(r.f.life / 4)))
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no %d generations of tokens after %s: %s", n, time.Since(r.began).Round(time.Millisecond), r.describe(gens))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *fleetRun) describe(gens map[string][][]tokenRequest) string {
	var b strings.Builder
	for _, k := range fleetKeys() {
		fmt.Fprintf(&b, "%s:", k)
		for _, g := range gens[k] {
			fmt.Fprintf(&b, " %d", len(g))
		}
		b.WriteString("; ")
	}
	return b.String()
}

// requests returns the token requests of the run until it was stopped:
// while the workers finish, on a loaded machine for a while, the next
// generation may come due, and it is not one the run waited for.
func (r *fleetRun) requests() []tokenRequest {
	var out []tokenRequest
	for _, q := range r.world.idp.requests() {
		if r.stopped.IsZero() || q.At.Before(r.stopped) {
			out = append(out, q)
		}
	}
	return out
}

// stop ends the run: stdin closed, each worker finishes its calls and
// reports.
func (r *fleetRun) stop() {
	r.stopped = time.Now()
	for _, p := range r.procs {
		if !p.killed {
			p.stdin.Close()
		}
	}
	for _, p := range r.procs {
		select {
		case err := <-p.done:
			if p.killed {
				continue
			}
			res, perr := parseResult(p.out.Bytes())
			if err != nil || perr != nil {
				r.t.Fatalf("worker %s: %v, %v\nstderr: %s", p.name, err, perr, p.errOut.Bytes())
			}
			r.res = append(r.res, res)
		case <-time.After(2 * time.Minute):
			r.t.Fatalf("worker %s did not stop", p.name)
		}
	}
}

// checkCalls: no call failed or waited for a token after its warm-up, and
// the backend saw each call once.
func (r *fleetRun) checkCalls() {
	t := r.t
	r.world.api.mu.Lock()
	defer r.world.api.mu.Unlock()
	for _, w := range r.res {
		if w.Failed != 0 {
			t.Errorf("%s: %d of %d calls failed: %v", w.Name, w.Failed, w.Calls, w.Errors)
		}
		if w.Waited != 0 {
			t.Errorf("%s: %d calls waited for a token after the warm-up (the run began at %s): %s",
				w.Name, w.Waited, r.began.Format("15:04:05.000"), strings.Join(w.WaitedAt, "; "))
		}
		if got := r.world.api.calls[w.Name]; got != w.Calls {
			t.Errorf("%s made %d calls, the backend saw %d", w.Name, w.Calls, got)
		}
		if w.Calls < r.f.goroutines {
			t.Errorf("%s made %d calls for %d goroutines", w.Name, w.Calls, r.f.goroutines)
		}
	}
	if len(r.world.api.rejected) > 0 {
		t.Errorf("the backend refused calls: %v", r.world.api.rejected)
	}
}

// checkGenerations: reqs (a span of a run in which the fleet shares its
// tokens) hold n generations of every key, and each has exactly one answered
// token request fleet-wide; requests that were not answered (held by a
// killed process) are only the killed process's.
func (r *fleetRun) checkGenerations(reqs []tokenRequest, n int) {
	gens := r.generations(reqs)
	for _, k := range fleetKeys() {
		if len(gens[k]) != n {
			r.t.Errorf("%s: %d generations, want %d (%s)", k, len(gens[k]), n, r.describe(gens))
		}
		for i, g := range gens[k] {
			answered := 0
			for _, q := range g {
				if q.Answered {
					answered++
				} else if !r.killedWorker(q.Worker) {
					r.t.Errorf("%s generation %d: a request of %s, which was not killed, was not answered", k, i+1, q.Worker)
				}
			}
			if answered != 1 {
				r.t.Errorf("%s generation %d: %d tokens issued fleet-wide, want 1 (%s)", k, i+1, answered, r.describe(gens))
			}
		}
	}
}

func (r *fleetRun) killedWorker(name string) bool {
	for _, p := range r.procs {
		if p.name == name {
			return p.killed
		}
	}
	return false
}

// byWorker splits requests by the process that sent them.
func byWorker(reqs []tokenRequest) map[string][]tokenRequest {
	out := map[string][]tokenRequest{}
	for _, q := range reqs {
		out[q.Worker] = append(out[q.Worker], q)
	}
	return out
}

// checkOwnGenerations: in reqs (a span in which each process fetches its
// own tokens) every process asked exactly once per generation of its own
// tokens, for every key, and had at least n generations.
func (r *fleetRun) checkOwnGenerations(reqs []tokenRequest, n int) {
	procs := byWorker(reqs)
	if len(procs) != r.f.procs {
		r.t.Errorf("%d processes asked for tokens, want %d", len(procs), r.f.procs)
	}
	for w, reqs := range procs {
		gens := r.ownGenerations(reqs)
		for _, k := range fleetKeys() {
			if len(gens[k]) < n {
				r.t.Errorf("%s: %d generations of %s, want at least %d", w, len(gens[k]), k, n)
			}
			for i, g := range gens[k] {
				if len(g) != 1 {
					r.t.Errorf("%s: %s generation %d: %d requests, want 1", w, k, i+1, len(g))
				}
			}
		}
	}
}

// waitOwnGenerations returns once every process has n generations of its
// own tokens for every key.
func (r *fleetRun) waitOwnGenerations(n int) {
	deadline := time.Now().Add(time.Duration(n+4) * r.f.life)
	for {
		ready := true
		procs := byWorker(r.world.idp.requests())
		for _, p := range r.procs {
			gens := r.ownGenerations(procs[p.name])
			for _, k := range fleetKeys() {
				if len(gens[k]) < n {
					ready = false
				}
			}
		}
		if ready && len(procs) == r.f.procs {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("not every process had %d generations of tokens after %s", n, time.Since(r.began).Round(time.Millisecond))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRecovered waits, after since, for the fleet to share its tokens again:
// for every key a run of n generations of one token request each, to its
// latest. It returns in the middle of the n-th, with when each key's run
// began: from then on the fleet shares that key's tokens again.
func (r *fleetRun) waitRecovered(since time.Time, n int) (recovered map[string]time.Time) {
	deadline := time.Now().Add(time.Duration(n+6) * r.f.life)
	for {
		var after []tokenRequest
		for _, q := range r.world.idp.requests() {
			if q.At.After(since) {
				after = append(after, q)
			}
		}
		gens := r.generations(after)
		recovered = map[string]time.Time{}
		var latest time.Time
		for _, k := range fleetKeys() {
			g := gens[k]
			run := 0 // trailing generations of one request
			for run < len(g) && len(g[len(g)-1-run]) == 1 {
				run++
			}
			if run < n {
				break
			}
			recovered[k] = g[len(g)-run][0].At
			if at := g[len(g)-run+n-1][0].At; at.After(latest) {
				latest = at
			}
		}
		if len(recovered) == len(fleetKeys()) {
			time.Sleep(time.Until(latest.Add(r.f.life / 4)))
			return recovered
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the fleet did not share its tokens again after Redis came back: %s", r.describe(gens))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// split divides the token requests at the kill and at each key's recovery.
func (r *fleetRun) split(killed time.Time, recovered map[string]time.Time) (before, during, after []tokenRequest) {
	for _, q := range r.requests() {
		switch {
		case q.At.Before(killed):
			before = append(before, q)
		case q.At.Before(recovered[q.Key]):
			during = append(during, q)
		default:
			after = append(after, q)
		}
	}
	return before, during, after
}

// checkStores: each process's store saw outages outages and as many
// recoveries, and logged each once.
func (r *fleetRun) checkStores(outages int64) {
	for _, w := range r.res {
		st := w.Store
		if st == nil {
			r.t.Fatalf("%s: no store figures", w.Name)
		}
		if st.Outages != outages || st.Recoveries != outages || !st.Available {
			r.t.Errorf("%s: store %+v, want %d outages and recoveries, available at the end", w.Name, *st, outages)
		}
		down, up := 0, 0
		for msg, n := range w.Logged {
			switch {
			case strings.HasPrefix(msg, "tpgen: redis token store unavailable"):
				down += n
			case strings.HasPrefix(msg, "tpgen: redis token store available again"):
				up += n
			}
		}
		if int64(down) != outages || int64(up) != outages {
			r.t.Errorf("%s logged %d outages and %d recoveries, want %d each: %v", w.Name, down, up, outages, w.Logged)
		}
	}
}

// report logs the run's figures.
func (r *fleetRun) report() {
	t := r.t
	reqs := r.requests()
	gens := r.generations(reqs)
	var calls, failed, waited, misses, byProcess int
	var all, warm, cold []int64
	for _, w := range r.res {
		calls += w.Calls
		failed += w.Failed
		waited += w.Waited
		misses += w.Misses
		byProcess += w.TokenRequests
		for _, s := range w.Samples {
			all = append(all, s[1])
			if s[2] == 1 {
				cold = append(cold, s[1])
			} else {
				warm = append(warm, s[1])
			}
		}
	}
	per := []string{}
	total := 0
	for _, k := range fleetKeys() {
		n := 0
		for _, g := range gens[k] {
			n += len(g)
		}
		total += n
		per = append(per, fmt.Sprintf("%s %d", k, n))
	}
	t.Logf("%d generations of tokens per key (%d refreshes); token requests fleet-wide %d (%s; by generation %s)",
		len(gens["cc"]), len(gens["cc"])-1, total, strings.Join(per, ", "), r.describe(gens))
	for _, m := range r.marks {
		t.Log(m)
	}
	t.Logf("%d calls by %d processes, %d failed, %d waited for a token after the warm-up; call latency p50 %s p99 %s (calls that found their token in memory: p50 %s p99 %s; calls that waited for one, at the start: %d, p50 %s p99 %s)",
		calls, len(r.res), failed, waited, pct(all, 50), pct(all, 99), pct(warm, 50), pct(warm, 99), len(cold), pct(cold, 50), pct(cold, 99))
	if misses > 0 {
		// Not a call that waited (those are counted above): a refresh that
		// ran so late on a saturated machine that the token it replaced had
		// reached its use-by point when the refresh (or a call) looked.
		t.Logf("%d times a token was found past its use-by point in a process's memory after the warm-up: refreshes late on a loaded machine", misses)
	}
	if r.shared {
		var leases, shared, waitedFor, fallbacks int64
		for _, w := range r.res {
			leases += w.Store.Leases
			shared += w.Store.Shared
			waitedFor += w.Store.Waited
			fallbacks += w.Store.Fallbacks
		}
		t.Logf("stores: %d leases (token requests made for the fleet), %d tokens taken from Redis (%d after waiting for another process's request), %d fallbacks to a token request of the process's own",
			leases, shared, waitedFor, fallbacks)
	}
}

// reportFailover logs how the fleet went through the outage: latencies
// before, during and after it, and what each process fetched on its own.
func (r *fleetRun) reportFailover(killed, restarted, recovered time.Time, during []tokenRequest) {
	var before, down, after []int64
	for _, w := range r.res {
		for _, s := range w.Samples {
			at := time.UnixMicro(s[0])
			switch {
			case at.Before(killed):
				before = append(before, s[1])
			case at.Before(recovered):
				down = append(down, s[1])
			default:
				after = append(after, s[1])
			}
		}
	}
	r.t.Logf("call latency before the outage p50 %s p99 %s (%d calls), from the kill until the fleet shared again p50 %s p99 %s (%d), after p50 %s p99 %s (%d)",
		pct(before, 50), pct(before, 99), len(before), pct(down, 50), pct(down, 99), len(down), pct(after, 50), pct(after, 99), len(after))
	perKey := map[string]int{}
	for _, q := range during {
		perKey[q.Key]++
	}
	var parts []string
	for _, k := range fleetKeys() {
		parts = append(parts, fmt.Sprintf("%s %d", k, perKey[k]))
	}
	r.t.Logf("Redis down %s; from the kill until the fleet shared every key again (%s after the restart): %d token requests, each process its own (%s)",
		restarted.Sub(killed).Round(time.Millisecond), recovered.Sub(restarted).Round(time.Millisecond), len(during), strings.Join(parts, ", "))
	gens := r.generations(during)
	for i, g := range gens["cc"] {
		r.t.Logf("cc: generation %d without Redis: %d token requests (one per process) within %s of each other",
			i+1, len(g), g[len(g)-1].At.Sub(g[0].At).Round(time.Millisecond))
	}
}

// reportTakeover logs who fetched the tokens the killed process held the
// right to fetch, and how long after its death.
func (r *fleetRun) reportTakeover(killed time.Time) {
	gens := r.generations(r.requests())
	for _, k := range fleetKeys() {
		for i, g := range gens[k] {
			var lost, took *tokenRequest
			for j := range g {
				if !g[j].Answered && lost == nil {
					lost = &g[j]
				} else if g[j].Answered && lost != nil {
					took = &g[j]
				}
			}
			switch {
			case lost != nil && took != nil:
				r.t.Logf("%s generation %d: %s died holding its request; %s fetched %s after the kill (lease TTL %s)",
					k, i+1, lost.Worker, took.Worker, took.At.Sub(killed).Round(time.Millisecond), r.f.leaseTTL)
				if took.Worker == lost.Worker {
					r.t.Errorf("%s: the killed process fetched again", k)
				}
			case lost != nil:
				r.t.Errorf("%s generation %d: no process fetched after %s died", k, i+1, lost.Worker)
			}
		}
	}
}

// pct returns the p-th percentile of durations in µs.
func pct(us []int64, p int) time.Duration {
	if len(us) == 0 {
		return 0
	}
	s := slices.Clone(us)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := min(len(s)-1, len(s)*p/100)
	return (time.Duration(s[i]) * time.Microsecond).Round(10 * time.Microsecond)
}
