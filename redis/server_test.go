package redis_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// requireRedis is set by CI (.ci/run): a missing redis-server then fails the
// tests instead of skipping them, so that CI cannot pass without running them.
const requireRedis = "TPGEN_REQUIRE_REDIS"

// redisServer is a real redis-server on a free loopback port with a
// temporary directory, started for one test and stopped after it.
type redisServer struct {
	t     testing.TB
	bin   string
	dir   string
	port  int
	cmd   *exec.Cmd
	extra []string    // further arguments of redis-server
	ping  *tls.Config // when the port speaks TLS
	pass  string      // when the server requires a password
}

// startRedis starts a redis-server for t, or skips t when none is installed
// (fails when TPGEN_REQUIRE_REDIS is set).
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	return startRedisWith(t, func(*redisServer) {})
}

// startRedisWith is startRedis with setup, which may add arguments (and
// say how to ping the server) before it starts.
func startRedisWith(t testing.TB, setup func(*redisServer)) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server is not installed (Debian: apt-get install redis-server); the Redis token store tests need a real one"
		if os.Getenv(requireRedis) != "" {
			t.Fatalf("%s, and %s is set", msg, requireRedis)
		}
		t.Skip(msg)
	}
	s := &redisServer{t: t, bin: bin, dir: t.TempDir(), port: freePort(t)}
	setup(s)
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Addr is the server's host:port.
func (s *redisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Start starts the server (again, on the same port) and waits until it answers.
func (s *redisServer) Start() {
	s.t.Helper()
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"}
	if s.ping != nil {
		args = []string{"--port", "0", "--tls-port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"}
	}
	s.cmd = exec.Command(s.bin, append(args, s.extra...)...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), MaxRetries: -1, TLSConfig: s.ping, Password: s.pass})
	defer c.Close()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if i == 200 {
			s.t.Fatalf("redis-server on %s does not answer: %v", s.Addr(), err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// ensure starts the server again if a test killed it.
func (s *redisServer) ensure() {
	if s.cmd == nil {
		s.Start()
	}
}

// Kill stops the server at once (SIGKILL), as a crash would.
func (s *redisServer) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Pause stops the server's process (SIGSTOP): it accepts connections and
// answers nothing, as a Redis that is overloaded or swapping would.
func (s *redisServer) Pause()  { s.cmd.Process.Signal(syscall.SIGSTOP) }
func (s *redisServer) Resume() { s.cmd.Process.Signal(syscall.SIGCONT) }

// Client is a plain connection to the server, for what an attacker with
// access to Redis would see and do.
func (s *redisServer) Client() *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), MaxRetries: -1, TLSConfig: s.ping, Password: s.pass})
	s.t.Cleanup(func() { c.Close() })
	return c
}

func (s *redisServer) String() string { return fmt.Sprintf("redis-server %s", s.Addr()) }
