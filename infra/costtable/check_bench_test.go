package costtable_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// BenchmarkCheckLargeGroup checks a group of COSTTABLE_MEMBERS (default
// 100000) bulk-loaded members as the check-group function would: each call
// gets the template's timeout as its deadline and passes the last call's
// continuation back, until a report is finished. It fails unless the
// report finds nothing (the bulk-loaded records are what the operations
// write) and every call ended within its timeout, and reports how many
// calls, the longest, and the DynamoDB calls and read units in all.
func BenchmarkCheckLargeGroup(b *testing.B) {
	ctx := context.Background()
	members, _, groups, _, timeout, load := largeGroup(b, "functions/check-group")

	var durations []time.Duration
	calls, reads := 0, 0.0
	in := group.CheckInput{}
	for {
		inv, cancel := context.WithTimeout(ctx, timeout)
		inv, meter := store.WithMeter(inv)
		start := time.Now()
		rep, err := groups.Check(inv, group.CheckerActor, "big", in)
		took := time.Since(start)
		cancel()
		require.NoError(b, err, "call %d", len(durations)+1)
		require.Less(b, took, timeout, "call %d overran its timeout", len(durations)+1)
		durations = append(durations, took)
		calls, reads = calls+meter.Calls(), reads+meter.ReadUnits()
		if rep.Continuation == "" {
			require.Empty(b, rep.Violations, "the bulk-loaded group is consistent")
			break
		}
		in.Continuation = rep.Continuation
	}
	for range b.N {
	}
	longest, total := reportInvocations(b, durations, "check-calls")
	fmt.Printf("check of %d members: %d calls of the %v timeout, longest %v, total %v, %d DynamoDB calls, %.0f read units, no violation (bulk load %v) on DynamoDB Local\n",
		members, len(durations), timeout, longest.Round(time.Millisecond), total.Round(time.Millisecond), calls, reads, load.Round(time.Second))
}
