package group_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// An app admin who is not a member cannot name the owner in the first
// read; the transfer reads once more with the owner, at once, and commits:
// two reads and one transaction, and the owner's read is not taken for a
// lost race.
func TestAnAppAdminTransferReadsAgainWithTheOwnerOnceAndCommits(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "bob", "admin")
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", MemberUserIDs: []string{"bob"}})
	require.NoError(t, err)

	mctx, meter := store.WithMeter(ctx)
	g, err := svc.TransferOwner(mctx, admins.Actor("admin"), "g1", group.TransferInput{NewOwnerUserID: "bob"})
	require.NoError(t, err)
	assert.Equal(t, "bob", g.OwnerUserID)
	assert.Equal(t, map[string]int{"TransactGetItems": 2, "TransactWriteItems": 1}, meter.CallsByOperation())
	after := assertInvariants(t, st, "g1")
	assert.Equal(t, "bob", after.OwnerUserID)
	assert.EqualValues(t, 2, after.Version)

	mctx, meter = store.WithMeter(ctx)
	_, err = svc.TransferOwner(mctx, admins.Actor("bob"), "g1", group.TransferInput{NewOwnerUserID: "alice"})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"TransactGetItems": 1, "TransactWriteItems": 1}, meter.CallsByOperation(), "the owner's own transfer reads once")
}
