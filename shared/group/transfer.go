package group

import (
	"context"
	"fmt"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// TransferInput is the body of POST /groups/{groupID}/owner.
type TransferInput struct {
	NewOwnerUserID string `json:"newOwnerUserID"`
}

// TransferOwner hands the group to another member. Of many concurrent
// transfers exactly one wins; the others lose the version race, re-read, and
// are refused by the rules or answer CONFLICT.
func (s *Service) TransferOwner(ctx context.Context, a permission.Actor, groupID string, in TransferInput) (*store.Group, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("newOwnerUserID", in.NewOwnerUserID)); err != nil {
		return nil, err
	}
	var out *store.Group
	owner := "" // the owner's ID once known, so the snapshot includes them
	err := store.RetryErr(ctx, func() error {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID, in.NewOwnerUserID, owner)
		if err != nil {
			return err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpTransferOwner, Actor: a, Group: g,
			Self: ms[a.UserID], Target: ms[in.NewOwnerUserID], TargetID: in.NewOwnerUserID}); err != nil {
			return err
		}
		oldOwner, newOwner := ms[g.OwnerUserID], ms[in.NewOwnerUserID]
		if oldOwner == nil {
			if owner == g.OwnerUserID {
				return errcode.New(errcode.Internal, "group %s has no owner record; run the consistency checker", groupID)
			}
			// An app admin acting as a non-owner: read again with the owner.
			owner = g.OwnerUserID
			return errRereadWithOwner
		}
		ev := event.New(event.GroupOwnerTransferred, a.UserID, map[string]any{
			"oldOwnerUserID": oldOwner.UserID, "newOwnerUserID": newOwner.UserID,
			"oldOwnerRoleLevel": newOwner.RoleLevel,
		})
		if _, err := s.st.TransferOwner(ctx, g, oldOwner, newOwner, a.UserID, ev); err != nil {
			return err
		}
		out = g
		return nil
	})
	return out, err
}

// errRereadWithOwner asks Retry for another read, one that includes the owner.
var errRereadWithOwner = fmt.Errorf("re-read with the owner: %w", store.ErrRetry)
