package group_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// faultRate is the share of DynamoDB calls of the workload that fail.
const faultRate = 0.1

// Random group, role and channel operations run on a client whose DynamoDB
// calls fail now and then, after the SDK's own retries would have given up:
// throttled, a 500 before sending, or a 500 or a timeout after DynamoDB
// applied the request. Each operation either happens once or not at all, so
// the checker finds no violation afterwards, and the only new answer
// clients see is UNAVAILABLE. The seed is logged; CIRCLES_CONCURRENCY_SEED
// and CIRCLES_CONCURRENCY_DURATION apply as in the concurrency test.
func TestRandomOperationsUnderInjectedFaultsKeepEveryInvariant(t *testing.T) {
	seed := concurrencySeed(t)
	t.Logf("seed %d (replay with CIRCLES_CONCURRENCY_SEED=%d)", seed, seed)
	ctx := context.Background()
	svc, st := newService(t)
	us := users("u", 20)
	withProfiles(t, svc, append([]string{"admin"}, us...)...)
	groups := []string{"g0", "g1", "g2"}
	for i, gid := range groups {
		_, err := svc.Create(ctx, admins.Actor(us[i]), group.CreateInput{
			GroupID: gid, NeedVerification: []int{2, 0, 1}[i],
			AdminUserIDs: []string{us[3+i]}, MemberUserIDs: us[6+3*i : 10+3*i],
		})
		require.NoError(t, err)
	}
	rc := newRoleChannelOps(ctx, st, admins)
	rc.seed(t, groups)

	// The workload's client; setup, views and the final checks use st.
	var pickMu sync.Mutex
	pr := rand.New(rand.NewPCG(seed, 99))
	kinds := []stacktest.Fault{stacktest.Throttled, stacktest.ServerErrorBefore, stacktest.ServerErrorAfter, stacktest.TimeoutAfter}
	faults := &stacktest.Faults{Pick: func(string, int) stacktest.Fault {
		pickMu.Lock()
		defer pickMu.Unlock()
		if pr.Float64() >= faultRate {
			return stacktest.NoFault
		}
		return kinds[pr.IntN(len(kinds))]
	}}
	faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), store.Instrument, faults.Option), st.Table())
	fsvc := group.NewService(faulty)
	rc.roles, rc.channels = role.NewService(faulty), channel.NewService(faulty)

	ops := append(memberOps(ctx, fsvc, us), rc.ops()...)

	var (
		mu       sync.Mutex
		view     = map[string][]string{}
		counts   = map[string]map[errcode.Code]int{}
		total    int
		failures []string
		wg       sync.WaitGroup
	)
	refresh := func() {
		rc.refresh(groups)
		for _, gid := range groups {
			if ms, err := st.AllMembers(ctx, gid); err == nil {
				ids := make([]string, len(ms))
				for i, m := range ms {
					ids[i] = m.UserID
				}
				mu.Lock()
				view[gid] = ids
				mu.Unlock()
			}
		}
	}
	refresh()
	member := func(r *rand.Rand, gid string) string {
		mu.Lock()
		defer mu.Unlock()
		if len(view[gid]) == 0 {
			return us[r.IntN(len(us))]
		}
		return view[gid][r.IntN(len(view[gid]))]
	}
	allowed := append(slices.Clone(expectedRefusals), errcode.Unavailable)
	deadline := time.Now().Add(concurrencyDuration(t) / 2)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; time.Now().Before(deadline); i++ {
				if w == 0 && i%20 == 0 {
					refresh()
				}
				o := ops[r.IntN(len(ops))]
				gid := groups[r.IntN(len(groups))]
				actor := admins.Actor(member(r, gid))
				if r.IntN(8) == 0 {
					actor = admins.Actor("admin")
				}
				target := us[r.IntN(len(us))]
				if o.onMember {
					target = member(r, gid)
				}
				err := o.run(r, actor, gid, target)
				code := errcode.CodeOf(err)
				mu.Lock()
				total++
				if counts[o.name] == nil {
					counts[o.name] = map[errcode.Code]int{}
				}
				counts[o.name][cmp.Or(code, "ok")]++
				if err != nil && !slices.Contains(allowed, code) {
					failures = append(failures, fmt.Sprintf("%s by %s on %s (target %s): %v", o.name, actor.UserID, gid, target, err))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	injected := faults.Injected()
	t.Logf("%d operations, %d DynamoDB calls failed on purpose (%v); outcomes: %v",
		total, injected[stacktest.Throttled]+injected[stacktest.ServerErrorBefore]+injected[stacktest.ServerErrorAfter]+injected[stacktest.TimeoutAfter], injected, counts)
	assert.Empty(t, failures, "unexpected errors (seed %d)", seed)
	assert.Positive(t, injected[stacktest.ServerErrorAfter]+injected[stacktest.TimeoutAfter], "faults after commit were injected")

	// Every committed event reaches each of its recipients exactly once,
	// through a consumer whose DynamoDB calls fail too.
	before := faults.Injected()
	entries := deliverUnderFaults(t, st, faulty, groups, append([]string{"admin"}, us...))
	after := faults.Injected()
	t.Logf("delivery: %d inbox entries checked, exactly once each; %d consumer DynamoDB calls failed on purpose",
		entries, after[stacktest.Throttled]+after[stacktest.ServerErrorBefore]+after[stacktest.ServerErrorAfter]+after[stacktest.TimeoutAfter]-
			(before[stacktest.Throttled]+before[stacktest.ServerErrorBefore]+before[stacktest.ServerErrorAfter]+before[stacktest.TimeoutAfter]))

	violations := 0
	for _, gid := range groups {
		g, err := st.GetGroup(ctx, gid)
		require.NoError(t, err)
		in := group.CheckInput{}
		if g.Status == store.StatusDismissed { // its owner quit alone
			for done := false; !done; {
				done, err = svc.CleanupDismissed(ctx, gid, 1000)
				require.NoError(t, err)
			}
			in.CleanupDue = true
		} else {
			rc.finishCleanups(t, gid)
		}
		rep, err := svc.Check(ctx, checker, gid, in)
		require.NoError(t, err)
		violations += len(rep.Violations)
		assert.Empty(t, rep.Violations, "group %s at version %d (seed %d)", gid, rep.Version, seed)
		if g.Status != store.StatusDismissed {
			assertInvariants(t, st, gid)
		}
		evs, err := st.ListEvents(ctx, gid, 0, 10000)
		require.NoError(t, err)
		for i, ev := range evs {
			require.EqualValues(t, i+1, ev.Version, "group %s: one event per version, no gap", gid)
		}
	}
	t.Logf("violations found: %d", violations)
}
