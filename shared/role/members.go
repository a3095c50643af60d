package role

import (
	"context"
	"errors"
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// RoleMembersInput is the body of AddRoleMembers and RemoveRoleMembers.
type RoleMembersInput struct {
	UserIDs []string `json:"userIDs"`
}

// RoleMembersResult answers who got (or lost) the role and who could not.
type RoleMembersResult struct {
	SuccessUserIDs []string `json:"successUserIDs"`
	FailedUserIDs  []string `json:"failedUserIDs"`
}

// AddRoleMembers gives a custom role to members. A user who is not a member
// fails; a member who already holds the role succeeds (the request is
// idempotent).
func (s *Service) AddRoleMembers(ctx context.Context, a permission.Actor, groupID, roleID string, in RoleMembersInput) (*RoleMembersResult, error) {
	return s.changeMembers(ctx, a, groupID, roleID, in, true)
}

// RemoveRoleMembers takes a custom role from members. A user who is not a
// member fails; a member who does not hold the role succeeds.
func (s *Service) RemoveRoleMembers(ctx context.Context, a permission.Actor, groupID, roleID string, in RoleMembersInput) (*RoleMembersResult, error) {
	return s.changeMembers(ctx, a, groupID, roleID, in, false)
}

// changeMembers commits the users in batches of store.RoleMemberBatch, each
// decided on its own snapshot and committed as its own change. A refusal of
// the request itself (rights, unknown role) before anything is committed
// fails the request; after an earlier batch is committed it fails the users
// not yet done.
func (s *Service) changeMembers(ctx context.Context, a permission.Actor, groupID, roleID string, in RoleMembersInput, add bool) (*RoleMembersResult, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("roleID", roleID), validate.IDs("userIDs", in.UserIDs, true)); err != nil {
		return nil, err
	}
	if roleID == store.EveryoneRoleID {
		return nil, errcode.New(errcode.InvalidArgument, "every member holds @everyone; its members cannot be changed")
	}
	typ := event.ServerRoleMemberDelete
	if add {
		typ = event.ServerRoleMemberAdd
	}
	res := &RoleMembersResult{SuccessUserIDs: []string{}, FailedUserIDs: []string{}}
	committed := false
	rest := in.UserIDs
	for len(rest) > 0 {
		batch := rest[:min(len(rest), store.RoleMemberBatch)]
		rest = rest[len(batch):]
		// refused are the users a commit's conditions refused; notMembers
		// those the last snapshot did not find.
		refused, notMembers := map[string]bool{}, map[string]bool{}
		var err error
		for {
			err = store.RetryErr(ctx, func() error {
				g, ms, custom, err := s.manage(ctx, a, groupID, batch...)
				if err != nil {
					return err
				}
				self := ms[a.UserID]
				r := g.Roles.Roles[roleID]
				if r == nil {
					return errcode.New(errcode.NotFound, "role %s not found", roleID)
				}
				decide := permission.CanEditRole(a, g, self, r)
				if add {
					// The channels where the role has a channel role are
					// read apart from the snapshot, and the commit is not
					// conditioned on them: a channel role changed in
					// between was allowed by its own held-items rule.
					var channels []store.ChannelGrant
					if decide == nil && !permission.HoldsEverything(a, self) {
						if channels, err = s.st.ChannelRolesOf(ctx, groupID, roleID, a.UserID); err != nil {
							return err
						}
					}
					decide = permission.CanGrantRole(a, g, self, custom, r, channels)
				}
				if decide != nil {
					return decide
				}
				var change []string
				clear(notMembers)
				for _, uid := range batch {
					m := ms[uid]
					if m == nil {
						notMembers[uid] = true
						continue
					}
					if !refused[uid] && slices.Contains(m.RoleIDs, roleID) != add {
						change = append(change, uid)
					}
				}
				if len(change) == 0 {
					return nil
				}
				ev := event.New(typ, a.UserID, event.RoleMembersPayload{RoleID: roleID, UserIDs: change}, change...)
				if add {
					_, err = s.st.AddRoleMembers(ctx, g, roleID, change, ev)
				} else {
					_, err = s.st.RemoveRoleMembers(ctx, g, roleID, change, ev)
				}
				return err
			})
			var ue *store.UserError
			if errors.As(err, &ue) && !refused[ue.UserID] {
				// The batch is retried without the user it named.
				refused[ue.UserID] = true
				continue
			}
			break
		}
		if err != nil {
			if !committed {
				return nil, err
			}
			res.FailedUserIDs = append(res.FailedUserIDs, append(batch, rest...)...)
			return res, nil
		}
		committed = true
		for _, uid := range batch {
			if refused[uid] || notMembers[uid] {
				res.FailedUserIDs = append(res.FailedUserIDs, uid)
			} else {
				res.SuccessUserIDs = append(res.SuccessUserIDs, uid)
			}
		}
	}
	return res, nil
}

// ListRoleMembers pages through the members of a custom role. Members and
// app admins may list.
func (s *Service) ListRoleMembers(ctx context.Context, a permission.Actor, groupID, roleID string, limit int, cursor string) (*store.Page[*store.RoleMembership], error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("roleID", roleID)); err != nil {
		return nil, err
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	if roleID == store.EveryoneRoleID {
		return nil, errcode.New(errcode.InvalidArgument, "every member holds @everyone; list the group's members instead")
	}
	g, ms, err := s.st.View(ctx, groupID, a.UserID)
	if err != nil {
		return nil, err
	}
	if err := permission.Decide(permission.Request{Op: permission.OpReadMembers, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
		return nil, err
	}
	if g.Roles.Roles[roleID] == nil {
		return nil, errcode.New(errcode.NotFound, "role %s not found", roleID)
	}
	return s.st.ListRoleMembers(ctx, groupID, roleID, limit, cursor)
}
