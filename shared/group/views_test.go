package group_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// The lists of bans, invite codes and applications, and one group's count
// of pending applications, write nothing: they decide who may read with one
// BatchGetItem of the group, its roles and the caller (eventually
// consistent), never a TransactGetItems, and consistent=true reads the same
// items at twice the units in as many calls.
func TestListsOfBansCodesAndApplicationsDecideOnOneBatchGetItemNotATransaction(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, _ := membershipGroup(t, 1)
	alice := admins.Actor("alice")
	_, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{ReqMsg: "hi"})
	require.NoError(t, err)
	reads := []struct {
		name  string
		calls map[string]int
		read  func(context.Context) error
	}{
		{"ListBans", map[string]int{"BatchGetItem": 1, "Query": 1}, func(ctx context.Context) error {
			_, err := svc.ListBans(ctx, alice, "g1", 0, "")
			return err
		}},
		{"ListInviteCodes", map[string]int{"BatchGetItem": 1, "Query": 1}, func(ctx context.Context) error {
			_, err := svc.ListInviteCodes(ctx, alice, "g1", 0, "")
			return err
		}},
		{"GetGroupApplicationList of one group", map[string]int{"BatchGetItem": 1, "Query": 1}, func(ctx context.Context) error {
			_, err := svc.ListReceivedApplications(ctx, alice, group.ListApplicationsInput{GroupID: "g1"})
			return err
		}},
		{"GetGroupApplicationUnhandledCount of one group", map[string]int{"BatchGetItem": 1}, func(ctx context.Context) error {
			n, err := svc.CountUnhandledApplications(ctx, alice, "g1")
			if err == nil {
				assert.Equal(t, int64(1), n.Count)
			}
			return err
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			eventual, meter := store.WithMeter(ctx)
			require.NoError(t, r.read(eventual))
			assert.Equal(t, r.calls, meter.CallsByOperation())
			consistent, strong := store.WithMeter(store.WithConsistentReads(ctx))
			require.NoError(t, r.read(consistent))
			assert.Equal(t, r.calls, strong.CallsByOperation())
			assert.Greater(t, strong.ReadUnits(), meter.ReadUnits(), "consistent=true asks for strongly consistent items")
		})
	}
}
