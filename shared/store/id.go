package store

import (
	"math/rand/v2"
	"sync"
	"time"
)

// IDs are ULIDs: 48 bits of Unix milliseconds then 80 random bits, in
// Crockford's base32, so that they sort by creation time. They are made
// here rather than by a ULID library because that library seeds a random
// source in its package init, on every cold start of every function,
// including the many that never make an ID; math/rand/v2's global source
// needs no seeding.

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// idClock is the last ID's time and randomness: an ID in the same
// millisecond (or after the clock stepped back) takes the last one's
// randomness plus one, so that IDs of one process strictly increase.
var idClock struct {
	sync.Mutex
	ms      uint64
	hi, lo  uint64 // the 80 random bits: hi holds the top 16
	started bool
}

// NewID returns a new sortable identifier (a ULID).
func NewID() string { return newIDAt(time.Now()) }

func newIDAt(t time.Time) string {
	ms := uint64(t.UnixMilli()) & (1<<48 - 1)
	c := &idClock
	c.Lock()
	if c.started && ms <= c.ms {
		ms = c.ms
		c.lo++
		if c.lo == 0 {
			c.hi = (c.hi + 1) & 0xFFFF
		}
	} else {
		c.ms, c.hi, c.lo, c.started = ms, rand.Uint64()&0xFFFF, rand.Uint64(), true
	}
	hi, lo := c.hi, c.lo
	c.Unlock()
	return encodeID(ms, hi, lo)
}

// encodeID writes the 128 bits ms(48) hi(16) lo(64) as 26 base32 digits,
// the first of which holds only the top 3 bits.
func encodeID(ms, hi, lo uint64) string {
	var b [26]byte
	// The 128 bits as two words: top = ms<<16 | hi, bottom = lo.
	top := ms<<16 | hi
	for i := 25; i >= 0; i-- {
		b[i] = crockford[lo&31]
		lo = lo>>5 | top<<59
		top >>= 5
	}
	return string(b[:])
}
