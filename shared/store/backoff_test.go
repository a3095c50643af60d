package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoffDoublesWithJitterUpToItsCap(t *testing.T) {
	b := backoff{base: 50 * time.Millisecond, max: 2 * time.Second}
	cases := []struct {
		n        int
		min, max time.Duration // the delay lies in [min, max)
	}{
		{0, 25 * time.Millisecond, 50 * time.Millisecond},
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{5, 800 * time.Millisecond, 1600 * time.Millisecond},
		{6, time.Second, 2 * time.Second},  // capped
		{40, time.Second, 2 * time.Second}, // no overflow however late
	}
	for _, c := range cases {
		assert.Equal(t, c.min, b.delay(c.n, 0), "retry %d, lowest draw", c.n)
		assert.Less(t, b.delay(c.n, 0.999999), c.max, "retry %d, highest draw", c.n)
		assert.Greater(t, b.delay(c.n, 0.999999), b.delay(c.n, 0.5), "retry %d: the draw spreads the delay", c.n)
	}
}

func TestBatchGetBackoffIsBoundedInTotal(t *testing.T) {
	var lo, hi time.Duration
	for n := 0; n < batchGetAttempts-1; n++ {
		lo += batchBackoff.delay(n, 0)
		hi += batchBackoff.delay(n, 0.999999)
	}
	assert.Equal(t, 2575*time.Millisecond, lo)
	assert.Less(t, hi, 5150*time.Millisecond)
}

func TestBackoffWaitStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- backoff{base: time.Hour, max: time.Hour}.wait(ctx, 0) }()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute):
		t.Fatal("wait ignored the cancelled context")
	}
}
