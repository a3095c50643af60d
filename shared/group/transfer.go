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
	owner := "" // the owner's ID once known, so the snapshot includes them
	read := func() (*store.Group, map[string]*store.Member, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID, in.NewOwnerUserID, owner)
		if err != nil {
			return nil, nil, err
		}
		return g, ms, permission.Decide(permission.Request{Op: permission.OpTransferOwner, Actor: a, Group: g,
			Self: ms[a.UserID], Target: ms[in.NewOwnerUserID], TargetID: in.NewOwnerUserID})
	}
	return store.Retry(ctx, func() (*store.Group, error) {
		g, ms, err := read()
		if err != nil {
			return nil, err
		}
		if ms[g.OwnerUserID] == nil && owner != g.OwnerUserID {
			// An app admin acting as a non-owner: the read could not name
			// the owner. Read again at once, with the owner; this is no
			// lost race, so it waits for no backoff.
			owner = g.OwnerUserID
			if g, ms, err = read(); err != nil {
				return nil, err
			}
		}
		oldOwner, newOwner := ms[g.OwnerUserID], ms[in.NewOwnerUserID]
		if oldOwner == nil {
			if owner == g.OwnerUserID {
				return nil, errcode.New(errcode.Internal, "group %s has no owner record; run the consistency checker", groupID)
			}
			// The group changed owner between the two reads: a lost race.
			owner = g.OwnerUserID
			return nil, errOwnerMoved
		}
		ev := event.New(event.GroupOwnerTransferred, a.UserID, event.OwnerTransferredPayload{
			OldOwnerUserID: oldOwner.UserID, NewOwnerUserID: newOwner.UserID,
			OldOwnerRoleLevel: newOwner.RoleLevel,
		})
		if _, err := s.st.TransferOwner(ctx, g, oldOwner, newOwner, a.UserID, ev); err != nil {
			return nil, err
		}
		return g, nil
	})
}

// errOwnerMoved is a lost race: the owner changed between two reads.
var errOwnerMoved = fmt.Errorf("the owner changed while reading: %w", store.ErrRetry)
