package group_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// TestTheUnhandledApplicationCountFollowsEveryTransition reads the count,
// of one group and across the caller's groups, right after each change of
// an application.
func TestTheUnhandledApplicationCountFollowsEveryTransition(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, _ := membershipGroup(t, 0)
	alice := admins.Actor("alice")
	_, err := svc.Create(ctx, alice, group.CreateInput{GroupID: "g2"})
	require.NoError(t, err)
	count := func(t *testing.T, gid string, want int64) {
		t.Helper()
		c, err := svc.CountUnhandledApplications(ctx, alice, gid)
		require.NoError(t, err)
		assert.Equal(t, want, c.Count, "count of %q", gid)
	}
	join := func(uid, gid string) {
		_, err := svc.Join(ctx, admins.Actor(uid), gid, group.JoinInput{})
		require.NoError(t, err)
	}
	respond := func(uid string, result int) {
		_, err := svc.RespondApplication(ctx, alice, "g1", uid, group.ApplicationResponseInput{HandleResult: result})
		require.NoError(t, err)
	}
	steps := []struct {
		name       string
		do         func()
		g1, g2, of int64
	}{
		{"nothing yet", func() {}, 0, 0, 0},
		{"dave applies to g1", func() { join("dave", "g1") }, 1, 0, 1},
		{"erin applies to g1 and g2", func() { join("erin", "g1"); join("erin", "g2") }, 2, 1, 3},
		{"dave applies again (replaces his pending one)", func() { join("dave", "g1") }, 2, 1, 3},
		{"dave is accepted", func() { respond("dave", store.ApplicationAgreed) }, 1, 1, 2},
		{"erin is rejected in g1", func() { respond("erin", store.ApplicationRefused) }, 0, 1, 1},
		{"erin re-applies after her rejection", func() { join("erin", "g1") }, 1, 1, 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.do()
			count(t, "g1", s.g1)
			count(t, "g2", s.g2)
			count(t, "", s.of)
		})
	}
	t.Run("bob handles g1 only", func(t *testing.T) {
		c, err := svc.CountUnhandledApplications(ctx, admins.Actor("bob"), "")
		require.NoError(t, err)
		assert.EqualValues(t, 1, c.Count)
		_, err = svc.CountUnhandledApplications(ctx, admins.Actor("carol"), "g1")
		assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err), "a member without handleApplication")
		c, err = svc.CountUnhandledApplications(ctx, admins.Actor("carol"), "")
		require.NoError(t, err)
		assert.Zero(t, c.Count)
	})
	t.Run("g1 is dismissed", func(t *testing.T) {
		require.NoError(t, svc.Dismiss(ctx, alice, "g1"))
		count(t, "", 1)
		_, err := svc.CountUnhandledApplications(ctx, alice, "g1")
		assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
	})
	checkClean(t, svc, "g2")
}
