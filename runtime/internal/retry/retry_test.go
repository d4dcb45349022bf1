package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

func TestAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want time.Duration
	}{
		{"0", 0},
		{"30", 30 * time.Second},
		{"10000000000", time.Duration(math.MaxInt64)},             // 317 years: not a negative Duration
		{"99999999999999999999999", time.Duration(math.MaxInt64)}, // beyond int64
		{"-5", 0},
		{now.Add(time.Minute).Format(http.TimeFormat), time.Minute},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0}, // in the past: now
		{"soon", 0},
		{"", 0},
	} {
		if got := After(tt.v, now); got != tt.want {
			t.Errorf("After(%q) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, max := 100*time.Millisecond, time.Second
	for attempt, full := range map[int]time.Duration{1: base, 2: 2 * base, 4: 8 * base, 5: max, 70: max} {
		for range 100 {
			if d := Backoff(base, max, attempt); d < full/2 || d > full {
				t.Fatalf("attempt %d: %s, want within [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
}

func TestTransportFailure(t *testing.T) {
	dial := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	for _, tt := range []struct {
		err               error
		transient, unsent bool
	}{
		{nil, false, false},
		{context.Canceled, false, false},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), false, false},
		{dial, true, true},
		{&net.DNSError{IsTimeout: true}, true, true},
		{&net.DNSError{IsNotFound: true}, false, true},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true, false},
		{io.ErrUnexpectedEOF, true, false},
		{errors.New(`net/http: invalid header field value for "X"`), false, false},
	} {
		transient, unsent := TransportFailure(tt.err)
		if transient != tt.transient || unsent != tt.unsent {
			t.Errorf("%v: transient %v unsent %v, want %v %v", tt.err, transient, unsent, tt.transient, tt.unsent)
		}
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if !Sleep(ctx, time.Millisecond) || !Sleep(ctx, 0) {
		t.Error("Sleep with a live context: false")
	}
	cancel()
	if Sleep(ctx, time.Hour) || Sleep(ctx, 0) {
		t.Error("Sleep with an ended context: true")
	}
}
