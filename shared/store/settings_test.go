package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

func TestSetGroupInfoWritesTheChangedFieldsUnderTheVersionRead(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	g := loadGroupForTest(t, s, "g1", 3)
	stale := *g

	next := *g
	next.GroupName, next.Notification, next.LookMemberInfo = "renamed", "hi", 1
	assert.Equal(t, map[string]any{"groupName": "renamed", "notification": "hi", "lookMemberInfo": 1}, InfoChanges(g, &next))
	ev, err := s.SetGroupInfo(ctx, g, &next, event.New(event.GroupInfoSet, "u00000", event.FieldChanges[event.GroupInfoPayload](InfoChanges(g, &next))))
	require.NoError(t, err)
	assert.EqualValues(t, 2, ev.Version)
	assert.EqualValues(t, 2, g.Version)
	assert.Equal(t, "renamed", g.GroupName)

	stored, err := s.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, g, stored)

	lost := stale
	lost.GroupName = "lost update"
	_, err = s.SetGroupInfo(ctx, &stale, &lost, event.New(event.GroupInfoSetName, "u00000", nil))
	assert.True(t, IsRetryable(err), "a write decided on version 1 loses: %v", err)
	again, err := s.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, stored, again)

	_, err = s.SetGroupInfo(ctx, g, g, event.New(event.GroupInfoSet, "u00000", nil))
	assert.Error(t, err, "a change that changes nothing is not written")
	evs, err := s.ListEvents(ctx, "g1", 0, 10)
	require.NoError(t, err)
	assert.Len(t, evs, 2)
}

func TestSetGroupStatusIsFinalOnceDismissed(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	g := loadGroupForTest(t, s, "g1", 3)
	for _, st := range []int{StatusMuted, StatusOK, StatusDismissed} {
		_, err := s.SetGroupStatus(ctx, g, st, event.New(event.GroupMuted, "u00000", nil))
		require.NoError(t, err)
		assert.Equal(t, st, g.Status)
	}
	before, err := s.GetGroup(ctx, "g1")
	require.NoError(t, err)
	for _, st := range []int{StatusOK, StatusMuted, StatusDismissed} {
		fresh, err := s.GetGroup(ctx, "g1")
		require.NoError(t, err)
		_, err = s.SetGroupStatus(ctx, fresh, st, event.New(event.GroupCancelMuted, "u00000", nil))
		assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
	}
	next := *before
	next.GroupName = "zombie"
	_, err = s.SetGroupInfo(ctx, before, &next, event.New(event.GroupInfoSetName, "u00000", nil))
	assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
	after, err := s.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, before, after)

	_, err = s.SetGroupStatus(ctx, after, 7, event.New(event.GroupMuted, "u00000", nil))
	assert.Error(t, err)
}
