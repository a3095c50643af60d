package permission

import (
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

// AppOp is an operation that belongs to no one group, or a part of one that
// reaches beyond the actor's own groups: app admins only.
type AppOp string

// The app-level operations DecideApp decides.
const (
	OpImportUser       AppOp = "ImportUser"
	OpCreateCustomAuth AppOp = "CreateCustomAuth"
	OpListCustomAuths  AppOp = "ListCustomAuths"
	// OpNameAnotherOwner is CreateGroup with an ownerUserID other than the
	// actor's own.
	OpNameAnotherOwner AppOp = "CreateGroup.ownerUserID"
	OpCheckGroup       AppOp = "CheckGroup"
)

var appOpRefusals = map[AppOp]string{
	OpImportUser:       "only app admins may import users",
	OpCreateCustomAuth: "only app admins may create custom permission items",
	OpListCustomAuths:  "only app admins may list custom permission items",
	OpNameAnotherOwner: "only app admins may name another owner",
	OpCheckGroup:       "only app admins may check groups",
}

// DecideApp answers whether the actor may perform an app-level operation:
// nil for app admins, NO_PERMISSION for everyone else (and for an
// operation it does not know).
func DecideApp(a Actor, op AppOp) error {
	if a.AppAdmin {
		if _, known := appOpRefusals[op]; known {
			return nil
		}
	}
	msg, known := appOpRefusals[op]
	if !known {
		msg = "unknown app operation " + string(op)
	}
	return errcode.New(errcode.NoPermission, "%s", msg)
}

// RequireMember refuses an actor who is neither a member of g (self is
// their member record, nil if none) nor an app admin: NOT_IN_GROUP.
func RequireMember(a Actor, g *model.Group, self *model.Member) error {
	if self == nil && !a.AppAdmin {
		return errcode.New(errcode.NotInGroup, "you are not a member of group %s", g.GroupID)
	}
	return nil
}

// MayInspect answers whether the actor may ask what userID holds
// (CheckPermissions): their own permissions always; another user's with
// manageRole in the group, or as an app admin (in a dismissed group too,
// where everyone holds nothing).
func MayInspect(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, userID string) error {
	if userID == a.UserID || a.AppAdmin || HoldsIn(a, g, self, custom, nil, nil, ManageRole) {
		return nil
	}
	return errcode.New(errcode.NoPermission, "asking about another user needs the manageRole permission")
}
