package store

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestANewIDIsAULIDOfItsMillisecond(t *testing.T) {
	// Later than any ID the other tests of the process make: an earlier
	// time would take the last ID's millisecond.
	at := time.Date(2200, 1, 2, 3, 4, 5, 123_000_000, time.UTC)
	id := newIDAt(at)
	u, err := ulid.ParseStrict(id)
	require.NoError(t, err, id)
	assert.Equal(t, uint64(at.UnixMilli()), u.Time())
	assert.Equal(t, id, u.String(), "the canonical spelling")
}

func TestIDsOfOneMillisecondOrABackwardClockStillIncrease(t *testing.T) {
	at := time.UnixMilli(1_764_633_600_000)
	prev := newIDAt(at)
	for i, t0 := range []time.Time{at, at, at.Add(-time.Second), at.Add(time.Millisecond), at} {
		id := newIDAt(t0)
		assert.Greater(t, id, prev, "ID %d", i)
		prev = id
	}
}

// The encoding keeps the order of the 128-bit values, which is what makes
// IDs sort by time, and matches the ULID library's digit for digit.
func TestEncodeIDIsTheULIDSpellingAndKeepsOrder(t *testing.T) {
	value := func(ms, hi, lo uint64) *big.Int {
		v := new(big.Int).Lsh(new(big.Int).SetUint64(ms), 80)
		v.Or(v, new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64))
		return v.Or(v, new(big.Int).SetUint64(lo))
	}
	rapid.Check(t, func(t *rapid.T) {
		draw := func(name string) (uint64, uint64, uint64) {
			return rapid.Uint64Range(0, 1<<48-1).Draw(t, name+"ms"), rapid.Uint64Range(0, 0xFFFF).Draw(t, name+"hi"), rapid.Uint64().Draw(t, name+"lo")
		}
		ams, ahi, alo := draw("a")
		bms, bhi, blo := draw("b")
		a, b := encodeID(ams, ahi, alo), encodeID(bms, bhi, blo)
		var u ulid.ULID
		require.NoError(t, u.SetTime(ams))
		entropy := value(0, ahi, alo).FillBytes(make([]byte, 10))
		require.NoError(t, u.SetEntropy(entropy))
		assert.Equal(t, u.String(), a)
		assert.Equal(t, value(ams, ahi, alo).Cmp(value(bms, bhi, blo)), strings.Compare(a, b))
	})
}
