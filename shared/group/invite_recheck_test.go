package group_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// afterFirstCommit runs hook once, right after the first TransactWriteItems
// that succeeds once armed: between the first and the second batch of a
// multi-batch operation.
type afterFirstCommit struct {
	armed atomic.Bool
	fired atomic.Bool
	hook  func()
}

func (h *afterFirstCommit) options(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("afterFirstCommit", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if _, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok && err == nil && h.armed.Load() && h.fired.CompareAndSwap(false, true) {
				h.hook()
			}
			return out, md, err
		}), middleware.After)
	})
}

// A multi-batch invite read the group again for each batch but did not
// decide again: an actor kicked, or who lost inviteMember, after the first
// batch went on adding members. Each batch now re-decides.
func TestEachBatchOfAnInviteChecksTheActorMayStillInvite(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	invitees := users("u", store.AddBatch+10)
	cases := []struct {
		name             string
		needVerification int
		between          func(t *testing.T, svc *group.Service, roles *role.Service, roleID string)
		code             errcode.Code
	}{
		{"the actor is kicked", 0, func(t *testing.T, svc *group.Service, _ *role.Service, _ string) {
			_, err := svc.Kick(ctx, admins.Actor("alice"), "g1", group.KickInput{UserIDs: []string{"carol"}})
			require.NoError(t, err)
		}, errcode.NotInGroup},
		{"the actor loses inviteMember", 1, func(t *testing.T, _ *group.Service, roles *role.Service, roleID string) {
			_, err := roles.RemoveRoleMembers(ctx, admins.Actor("alice"), "g1", roleID, role.RoleMembersInput{UserIDs: []string{"carol"}})
			require.NoError(t, err)
		}, errcode.NoPermission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &afterFirstCommit{}
			db, table := stacktest.NewTable(t, store.Instrument, h.options)
			st := store.New(db, table)
			svc, roles := group.NewService(st), role.NewService(st)
			withProfiles(t, svc, append([]string{"alice", "carol"}, invitees...)...)
			_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", NeedVerification: c.needVerification, MemberUserIDs: []string{"carol"}})
			require.NoError(t, err)
			inviters, err := roles.CreateRole(ctx, admins.Actor("alice"), "g1", role.RoleInput{Name: ptr("inviters"), Auths: map[string]string{"inviteMember": "allow"}})
			require.NoError(t, err)
			_, err = roles.AddRoleMembers(ctx, admins.Actor("alice"), "g1", inviters.RoleID, role.RoleMembersInput{UserIDs: []string{"carol"}})
			require.NoError(t, err)
			h.hook = func() { c.between(t, svc, roles, inviters.RoleID) }
			h.armed.Store(true)

			res, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: invitees})
			require.NoError(t, err)
			require.True(t, h.fired.Load())
			assert.Equal(t, invitees[:store.AddBatch], res.Joined, "the first batch, decided before the change, joined")
			require.Len(t, res.Failed, 10)
			for i, f := range res.Failed {
				assert.Equal(t, invitees[store.AddBatch+i], f.UserID)
				assert.Equal(t, c.code, f.Code)
			}
			ms, err := st.GetMembers(ctx, "g1", invitees[store.AddBatch:])
			require.NoError(t, err)
			assert.Empty(t, ms, "nobody of the later batch was added")
			assertInvariants(t, st, "g1")
		})
	}
}
