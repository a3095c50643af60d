package role

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// RoleInput is the body of CreateRole (absent: default) and UpdateRole
// (absent: unchanged). Auths map items to "allow", "deny" or "inherit".
// RoleID is CreateRole's only: a client-chosen ID, so that a client (or a
// fixture loader) can name the role before it exists.
type RoleInput struct {
	RoleID   *string           `json:"roleID"`
	Name     *string           `json:"name"`
	Icon     *string           `json:"icon"`
	Ext      *string           `json:"ext"`
	Priority *int              `json:"priority"`
	Auths    map[string]string `json:"auths"`
}

func (in RoleInput) validate(create bool) error {
	if in.RoleID != nil {
		if !create {
			return errcode.New(errcode.InvalidArgument, "roleID cannot be changed")
		}
		if err := validate.ID("roleID", *in.RoleID); err != nil {
			return err
		}
	}
	if create && in.Name == nil {
		return errcode.New(errcode.InvalidArgument, "name is required")
	}
	if in.Name != nil {
		if strings.TrimSpace(*in.Name) == "" {
			return errcode.New(errcode.InvalidArgument, "name must not be empty")
		}
		if err := validate.Text("name", *in.Name, validate.MaxText); err != nil {
			return err
		}
	}
	if in.Icon != nil {
		if err := validate.Text("icon", *in.Icon, validate.MaxText); err != nil {
			return err
		}
	}
	if in.Ext != nil {
		if err := validate.Text("ext", *in.Ext, validate.MaxEx); err != nil {
			return err
		}
	}
	if in.Priority != nil {
		return permission.CheckPriorityRange("priority", *in.Priority)
	}
	return nil
}

// PrioritiesInput is the body of UpdateRolePriorities.
type PrioritiesInput struct {
	Priorities map[string]int `json:"priorities"`
}

// CreateRole creates a custom role. Without a priority it ranks
// one below the lowest role; without auths it allows every item the actor
// holds.
func (s *Service) CreateRole(ctx context.Context, a permission.Actor, groupID string, in RoleInput) (*store.Role, error) {
	if err := validate.First(validate.ID("groupID", groupID), in.validate(true)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Role, error) {
		g, ms, custom, err := s.manage(ctx, a, groupID)
		if err != nil {
			return nil, err
		}
		self := ms[a.UserID]
		if err := permission.ParseRoleAuths(in.Auths, custom); err != nil {
			return nil, err
		}
		if n := g.Roles.Custom(); n >= s.maxRoles {
			return nil, errcode.New(errcode.LimitExceeded, "group %s has %d custom roles; the limit is %d", groupID, n, s.maxRoles)
		}
		var priority int
		if in.Priority != nil {
			priority = *in.Priority
		} else if priority, err = permission.NextPriority(g.Roles); err != nil {
			return nil, err
		}
		if err := permission.CheckRolePriority(a, g, self, "", priority); err != nil {
			return nil, err
		}
		var auths map[string]string
		if in.Auths == nil {
			auths = permission.DefaultAuths(a, g, self, custom)
		} else {
			if err := permission.CheckItemsHeld(a, g, self, custom, nil, in.Auths); err != nil {
				return nil, err
			}
			auths = permission.ApplyAuths(nil, in.Auths)
		}
		id := store.NewID()
		if in.RoleID != nil {
			// A tombstoned ID is taken too: its memberships are still being
			// removed, and would otherwise land on the new role. The rev
			// condition on the role configuration makes this check hold at
			// the write.
			if id = *in.RoleID; g.Roles.Roles[id] != nil || g.Roles.Deleted[id] != 0 {
				return nil, errcode.New(errcode.InvalidArgument, "role %s already exists in group %s", id, groupID)
			}
		}
		now := s.st.Now().UnixMilli()
		r := &store.Role{
			RoleID: id, GroupID: groupID, Name: *in.Name, Icon: deref(in.Icon), Ext: deref(in.Ext),
			Type: store.RoleTypeCustom, Priority: priority, Auths: auths, CreateTime: now, UpdateTime: now,
		}
		next := g.Roles.Clone()
		next.Roles[r.RoleID] = r
		if _, err := s.st.CommitRoles(ctx, g, next, event.New(event.RoleCreated, a.UserID, event.RolePayload{Role: r})); err != nil {
			return nil, err
		}
		return r, nil
	})
}

// UpdateRole changes a role's fields and auths. A request that changes
// nothing commits nothing and answers the role as it is.
func (s *Service) UpdateRole(ctx context.Context, a permission.Actor, groupID, roleID string, in RoleInput) (*store.Role, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("roleID", roleID), in.validate(false)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Role, error) {
		g, ms, custom, err := s.manage(ctx, a, groupID)
		if err != nil {
			return nil, err
		}
		self := ms[a.UserID]
		old := g.Roles.Roles[roleID]
		if old == nil {
			return nil, errcode.New(errcode.NotFound, "role %s not found", roleID)
		}
		if err := permission.CheckEveryoneFields(old, in.Name, in.Icon, in.Ext, in.Priority); err != nil {
			return nil, err
		}
		if err := permission.CanEditRole(a, g, self, old); err != nil {
			return nil, err
		}
		if err := permission.ParseRoleAuths(in.Auths, custom); err != nil {
			return nil, err
		}
		next := g.Roles.Clone()
		r := next.Roles[roleID]
		changed := false
		for _, f := range []struct {
			in  *string
			cur *string
		}{{in.Name, &r.Name}, {in.Icon, &r.Icon}, {in.Ext, &r.Ext}} {
			if f.in != nil && *f.in != *f.cur {
				*f.cur, changed = *f.in, true
			}
		}
		if in.Priority != nil && *in.Priority != r.Priority {
			if err := permission.CheckRolePriority(a, g, self, roleID, *in.Priority); err != nil {
				return nil, err
			}
			r.Priority, changed = *in.Priority, true
		}
		authsChanged := false
		if in.Auths != nil {
			if err := permission.CheckItemsHeld(a, g, self, custom, old.Auths, in.Auths); err != nil {
				return nil, err
			}
			if auths := permission.ApplyAuths(old.Auths, in.Auths); !maps.Equal(auths, old.Auths) {
				r.Auths, authsChanged = auths, true
			}
		}
		if !changed && !authsChanged {
			return old, nil
		}
		if err := permission.CheckSelfLockout(a, g, self, custom, next); err != nil {
			return nil, err
		}
		r.UpdateTime = s.st.Now().UnixMilli()
		typ := event.RoleUpdated
		if authsChanged {
			typ = event.ServerRoleAuthUpdate
		}
		if _, err := s.st.CommitRoles(ctx, g, next, event.New(typ, a.UserID, event.RolePayload{Role: r})); err != nil {
			return nil, err
		}
		return r, nil
	})
}

// DeleteRole deletes a custom role: it commits the tombstone (the role
// grants nothing from then on) and answers. Its memberships and channel
// roles are removed by the RoleDeleted event's cleanup consumer, in bounded
// steps, so the request costs the same whatever the group's size.
func (s *Service) DeleteRole(ctx context.Context, a permission.Actor, groupID, roleID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("roleID", roleID)); err != nil {
		return err
	}
	err := store.RetryErr(ctx, func() error {
		g, ms, _, err := s.manage(ctx, a, groupID)
		if err != nil {
			return err
		}
		self := ms[a.UserID]
		r := g.Roles.Roles[roleID]
		if r == nil {
			return errcode.New(errcode.NotFound, "role %s not found", roleID)
		}
		if r.Type == store.RoleTypeEveryone {
			return errcode.New(errcode.NoPermission, "@everyone cannot be deleted")
		}
		if err := permission.CanEditRole(a, g, self, r); err != nil {
			return err
		}
		_, err = s.st.DeleteRole(ctx, g, roleID, event.New(event.RoleDeleted, a.UserID, event.RoleDeletedPayload{RoleID: roleID}))
		return err
	})
	return err
}

// UpdateRolePriorities sets the priorities of several roles atomically and
// answers every role of the group.
func (s *Service) UpdateRolePriorities(ctx context.Context, a permission.Actor, groupID string, in PrioritiesInput) (*store.Page[*store.Role], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if len(in.Priorities) == 0 {
		return nil, errcode.New(errcode.InvalidArgument, "priorities must not be empty")
	}
	ids := slices.Sorted(maps.Keys(in.Priorities))
	if err := validate.IDs("priorities", ids, true); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Page[*store.Role], error) {
		g, ms, _, err := s.manage(ctx, a, groupID)
		if err != nil {
			return nil, err
		}
		self := ms[a.UserID]
		if err := permission.CheckPriorities(a, g, self, in.Priorities); err != nil {
			return nil, err
		}
		next := g.Roles.Clone()
		now := s.st.Now().UnixMilli()
		for id, p := range in.Priorities {
			if r := next.Roles[id]; r.Priority != p {
				r.Priority, r.UpdateTime = p, now
			}
		}
		if _, err := s.st.CommitRoles(ctx, g, next, event.New(event.RoleUpdated, a.UserID, event.RolePrioritiesPayload{Priorities: in.Priorities})); err != nil {
			return nil, err
		}
		return &store.Page[*store.Role]{Items: sortRoles(slices.Collect(maps.Values(next.Roles)))}, nil
	})
}

// ListRoles answers every role of the group, @everyone first, then by
// priority. Members and app admins may list.
func (s *Service) ListRoles(ctx context.Context, a permission.Actor, groupID string) (*store.Page[*store.Role], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	g, ms, err := s.st.View(ctx, groupID, a.UserID)
	if err != nil {
		return nil, err
	}
	if err := permission.Decide(permission.Request{Op: permission.OpReadMembers, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
		return nil, err
	}
	return &store.Page[*store.Role]{Items: sortRoles(slices.Collect(maps.Values(g.Roles.Roles)))}, nil
}

// ListMemberRoles answers the roles a member holds, @everyone included.
func (s *Service) ListMemberRoles(ctx context.Context, a permission.Actor, groupID, userID string) (*store.Page[*store.Role], error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("userID", userID)); err != nil {
		return nil, err
	}
	g, ms, err := s.st.View(ctx, groupID, a.UserID, userID)
	if err != nil {
		return nil, err
	}
	if err := permission.Decide(permission.Request{Op: permission.OpReadMembers, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
		return nil, err
	}
	m := ms[userID]
	if m == nil {
		return nil, errcode.New(errcode.NotInGroup, "user %s is not a member of group %s", userID, groupID)
	}
	roles := []*store.Role{g.Roles.Roles[store.EveryoneRoleID]}
	for _, id := range m.RoleIDs {
		// A deleted role still being cleaned up is no longer held.
		if r := g.Roles.Roles[id]; r != nil {
			roles = append(roles, r)
		}
	}
	return &store.Page[*store.Role]{Items: sortRoles(roles)}, nil
}

// sortRoles orders roles as ListRoles answers them: @everyone (priority 0)
// first, then by priority, ties by roleID.
func sortRoles(roles []*store.Role) []*store.Role {
	slices.SortFunc(roles, func(x, y *store.Role) int {
		if x.Priority != y.Priority {
			return x.Priority - y.Priority
		}
		return strings.Compare(x.RoleID, y.RoleID)
	})
	return roles
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
