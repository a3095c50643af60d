package channel_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/permission/matrix"
)

// The DynamoDB half of the category and channel rows of the permission
// matrix: every row through the service, on one group whose successful
// rows change nothing the other rows decide on; a refused row leaves the
// group's version as it was.
func TestTheServiceAnswersEveryCategoryAndChannelRowOfThePermissionMatrix(t *testing.T) {
	f := newFixture(t)
	user := map[string]string{"o": "alice", "a1": "bob", "m1": "carol", "m2": "dave", "x": "stranger", "admin": "admin"}
	f.role("mgr", map[string]string{"manageChannel": "allow", "manageRole": "allow", "manageBlackWhiteList": "allow"}, "carol")
	k, kp := f.category("k", model.ChannelPublic), f.category("kp", model.ChannelPrivate)
	c := f.channel("c", model.ChannelPublic)
	f.place(c.ChannelID, k.CategoryID, model.Unsynced)
	id := map[string]string{"k": k.CategoryID, "kp": kp.CategoryID, "c": c.ChannelID}

	run := func(row matrix.ChannelRow) error {
		a, target := admins.Actor(user[row.Actor]), id[row.Target]
		var err error
		switch row.Op {
		case "createCategory":
			_, err = f.svc.CreateCategory(f.ctx, a, "g1", channel.CategoryInput{Name: ptr("new")})
		case "updateCategory":
			_, err = f.svc.UpdateCategory(f.ctx, a, "g1", target, channel.CategoryInput{Name: ptr("renamed " + row.Actor)})
		case "deleteCategory":
			err = f.svc.DeleteCategory(f.ctx, a, "g1", target)
		case "listCategories":
			_, err = f.svc.ListCategories(f.ctx, a, "g1")
		case "categoryAccess": // removing a member who is not listed: no change
			_, err = f.svc.UpdateCategoryAccessList(f.ctx, a, "g1", target, channel.AccessListInput{Op: "remove", UserIDs: []string{"alice"}})
		case "getCategoryAccess":
			_, err = f.svc.GetCategoryAccessList(f.ctx, a, "g1", target)
		case "addCategoryRole":
			_, err = f.svc.AddCategoryRole(f.ctx, a, "g1", target, channel.ChannelRoleInput{ParentRoleID: "everyone"})
		case "setCategoryMemberAuths":
			_, err = f.svc.SetCategoryMemberAuths(f.ctx, a, "g1", target, "dave", channel.AuthsInput{Auths: map[string]string{"sendMsg": "allow"}})
		case "reorderCategories":
			_, err = f.svc.UpdateCategoryPositions(f.ctx, a, "g1", channel.CategoryPositionsInput{Positions: map[string]int64{target: 3}})
		case "reorderChannels":
			_, err = f.svc.UpdateChannelPositions(f.ctx, a, "g1", channel.ChannelPositionsInput{CategoryID: k.CategoryID, Positions: map[string]int64{target: 3}})
		case "listChannelMembers":
			_, err = f.svc.ListChannelMembers(f.ctx, a, "g1", target, 0, "")
		default:
			require.FailNow(t, "no operation "+row.Op)
		}
		return err
	}
	for i, row := range matrix.ChannelRows {
		t.Run(fmt.Sprintf("%02d %s by %s on %q -> %q", i, row.Op, row.Actor, row.Target, row.Want), func(t *testing.T) {
			before := f.version()
			err := run(row)
			if row.Want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, row.Want, string(errcode.CodeOf(err)), "%v", err)
			assert.Equal(t, before, f.version(), "a refused request changes nothing")
		})
	}
}
