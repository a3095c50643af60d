package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

func TestAppOperationsAreForAppAdminsOnly(t *testing.T) {
	ops := []AppOp{OpImportUser, OpCreateCustomAuth, OpListCustomAuths, OpNameAnotherOwner, OpCheckGroup}
	for _, op := range ops {
		t.Run(string(op), func(t *testing.T) {
			assert.NoError(t, DecideApp(appAdmin, op))
			for _, a := range []Actor{{UserID: "u"}, {UserID: "owner"}, {}} {
				assert.Equal(t, errcode.NoPermission, errcode.CodeOf(DecideApp(a, op)), "actor %+v", a)
			}
		})
	}
	assert.Equal(t, errcode.NoPermission, errcode.CodeOf(DecideApp(appAdmin, AppOp("Nope"))), "an unknown operation is refused even to app admins")
}

func TestRequireMemberAdmitsMembersAndAppAdminsOnly(t *testing.T) {
	g, _ := roleFixture()
	cases := []struct {
		name  string
		actor Actor
		self  *model.Member
		want  errcode.Code
	}{
		{"a member", Actor{UserID: "u"}, plain, ""},
		{"the owner", Actor{UserID: "owner"}, owner, ""},
		{"an app admin who is not a member", appAdmin, nil, ""},
		{"a non-member", Actor{UserID: "eve"}, nil, errcode.NotInGroup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, errcode.CodeOf(RequireMember(c.actor, g, c.self)))
		})
	}
}

func TestMayInspectAnotherUserNeedsManageRoleOrAnAppAdmin(t *testing.T) {
	g, custom := roleFixture()
	cases := []struct {
		name    string
		actor   Actor
		self    *model.Member
		subject string
		want    errcode.Code
	}{
		{"oneself, as a plain member", Actor{UserID: "u"}, plain, "u", ""},
		{"another user, as a plain member", Actor{UserID: "u"}, plain, "v", errcode.NoPermission},
		{"another user, with manageRole from a custom role", Actor{UserID: "u"}, moderator, "v", ""},
		{"another user, as an admin", Actor{UserID: "u"}, admin, "v", ""},
		{"another user, as an app admin", appAdmin, nil, "v", ""},
		{"another user, as a non-member", Actor{UserID: "eve"}, nil, "v", errcode.NoPermission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, errcode.CodeOf(MayInspect(c.actor, g, c.self, custom, c.subject)))
		})
	}
	dismissed := *g
	dismissed.Status = model.StatusDismissed
	assert.NoError(t, MayInspect(appAdmin, &dismissed, nil, custom, "v"), "app admins may ask in a dismissed group")
	assert.Equal(t, errcode.NoPermission, errcode.CodeOf(MayInspect(Actor{UserID: "u"}, &dismissed, admin, custom, "v")), "nobody holds manageRole in a dismissed group")
}
