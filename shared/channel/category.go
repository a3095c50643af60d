package channel

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Categories follow a channel's rules, with the category in the channel's
// place: a category is a channel of its own to the permission rules (its
// layer: viewMode, list, category roles; the actor's category override),
// so who sees it, who may change it and what may be set in it are decided
// exactly as for a channel with those settings.

// CategoryInput is the body of POST and PATCH …/categories: an absent field
// stays as it is (PATCH) or takes its default (POST). CategoryID is POST's
// only.
type CategoryInput struct {
	CategoryID *string `json:"categoryID"`
	Name       *string `json:"name"`
	Ext        *string `json:"ext"`
	ViewMode   *int    `json:"viewMode"`
	Position   *int64  `json:"position"`
}

// MaxPosition bounds positions of categories and channels.
const MaxPosition = store.MaxPosition

func (in CategoryInput) validate(create bool) error {
	if in.CategoryID != nil {
		if !create {
			return errcode.New(errcode.InvalidArgument, "categoryID cannot be changed")
		}
		if err := validate.ID("categoryID", *in.CategoryID); err != nil {
			return err
		}
	}
	if in.Name != nil && *in.Name == "" || create && in.Name == nil {
		return errcode.New(errcode.InvalidArgument, "name must not be empty")
	}
	var errs []error
	if in.Name != nil {
		errs = append(errs, validate.Text("name", *in.Name, validate.MaxText))
	}
	if in.Ext != nil {
		errs = append(errs, validate.Text("ext", *in.Ext, validate.MaxEx))
	}
	if in.ViewMode != nil {
		errs = append(errs, validate.OneOf("viewMode", *in.ViewMode, store.ChannelPublic, store.ChannelPrivate))
	}
	if in.Position != nil && (*in.Position < 0 || *in.Position > MaxPosition) {
		errs = append(errs, errcode.New(errcode.InvalidArgument, "position must be from 0 to %d", MaxPosition))
	}
	return validate.First(errs...)
}

// apply returns c with the present fields applied; a change of viewMode
// empties the access list, as a channel's does.
func (in CategoryInput) apply(c store.Category) store.Category {
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Ext != nil {
		c.Ext = *in.Ext
	}
	if in.Position != nil {
		c.Position = *in.Position
	}
	if in.ViewMode != nil && *in.ViewMode != c.ViewMode {
		c.ViewMode = *in.ViewMode
		c.Users, c.Roles = nil, nil
	}
	return c
}

// asChannel is the category as a channel of its own, for the rules.
func asChannel(c *store.Category) *store.Channel {
	return &store.Channel{GroupID: c.GroupID, ChannelID: c.CategoryID, ViewMode: c.ViewMode, Users: c.Users, Roles: c.Roles, RoleAuths: c.RoleAuths}
}

// loadCategory is load for a category: the view's channel is the
// category as a channel (asChannel) and its overrides the asked users'
// category overrides, so every channel rule of the view applies.
func (s *Service) loadCategory(ctx context.Context, a permission.Actor, groupID, categoryID string, others ...string) (*view, *store.CategoryState, error) {
	cs, err := s.st.LoadCategoryState(ctx, groupID, categoryID, append([]string{a.UserID}, others...)...)
	return categoryView(a, categoryID, cs, err)
}

// seeCategory is loadCategory for a read nothing is written from: the
// same items in one BatchGetItem (store.ViewCategoryState), eventually
// consistent unless the context asks otherwise.
func (s *Service) seeCategory(ctx context.Context, a permission.Actor, groupID, categoryID string) (*view, error) {
	cs, err := s.st.ViewCategoryState(ctx, groupID, categoryID, a.UserID)
	v, _, err := categoryView(a, categoryID, cs, err)
	return v, err
}

// categoryView is the view of cs, refused as admit says.
func categoryView(a permission.Actor, categoryID string, cs *store.CategoryState, err error) (*view, *store.CategoryState, error) {
	if err != nil {
		return nil, nil, err
	}
	st := &store.ChannelState{Group: cs.Group, Members: cs.Members, Custom: cs.Custom, Cats: cs.Cats, Overrides: map[string]*store.MemberOverride{}}
	for uid, ov := range cs.Overrides {
		c := *ov
		c.CategoryID, c.ChannelID = "", categoryID
		st.Overrides[uid] = &c
	}
	v := &view{a: a, st: st, g: cs.Group, self: cs.Members[a.UserID]}
	if cs.Category != nil {
		v.ch = asChannel(cs.Category)
	}
	return v, cs, v.admit("category", categoryID)
}

// needInCategory refuses unless the actor sees the category and holds the
// items in it.
func (s *Service) needInCategory(ctx context.Context, a permission.Actor, groupID, categoryID, op string, items ...permission.Item) error {
	v, _, err := s.loadCategory(ctx, a, groupID, categoryID)
	if err != nil {
		return err
	}
	return v.need(op, items...)
}

func categorySummary(c *store.Category) store.Category {
	out := *c
	out.Users, out.Roles, out.RoleAuths, out.OverrideUsers = nil, nil, nil, nil
	return out
}

// CreateCategory creates a category; it needs manageChannel. A group holds
// at most store.MaxCategories categories (LIMIT_EXCEEDED).
func (s *Service) CreateCategory(ctx context.Context, a permission.Actor, groupID string, in CategoryInput) (*store.Category, error) {
	if err := validate.First(validate.ID("groupID", groupID), in.validate(true)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Category, error) {
		v, cs, err := s.loadCategory(ctx, a, groupID, "")
		if err != nil {
			return nil, err
		}
		if err := v.need("CreateCategory", permission.ManageChannel); err != nil {
			return nil, err
		}
		id := store.NewID()
		if in.CategoryID != nil {
			id = *in.CategoryID
		}
		now := s.now()
		c := in.apply(store.Category{GroupID: groupID, CategoryID: id, CreateTime: now, UpdateTime: now, RoleAuths: map[string]*store.ChannelRole{}})
		if _, err := s.st.CreateCategory(ctx, cs, &c, event.New(event.CategoryCreated, a.UserID, event.CategoryPayload{Category: categorySummary(&c)})); err != nil {
			return nil, err
		}
		return &c, nil
	})
}

// UpdateCategory changes a category's name, ext, position or viewMode; it
// needs manageChannel in the category. A change of viewMode empties its
// list, and applies at once to every channel that follows the category.
func (s *Service) UpdateCategory(ctx context.Context, a permission.Actor, groupID, categoryID string, in CategoryInput) (*store.Category, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), in.validate(false)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Category, error) {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID)
		if err != nil {
			return nil, err
		}
		if err := v.need("UpdateCategory", permission.ManageChannel); err != nil {
			return nil, err
		}
		next := in.apply(*cs.Category)
		c := cs.Category
		if next.Name == c.Name && next.Ext == c.Ext && next.Position == c.Position && next.ViewMode == c.ViewMode {
			return c, nil
		}
		next.UpdateTime = s.now()
		if _, err := s.st.UpdateCategory(ctx, cs, &next, store.CategoryListChange{}, event.New(event.CategoryUpdated, a.UserID, event.CategoryPayload{Category: categorySummary(&next)})); err != nil {
			return nil, err
		}
		return &next, nil
	})
}

// DeleteCategory deletes a category; it needs manageChannel in the
// category. Its channels read as uncategorised at once and keep the
// settings they followed (store.DeleteCategory).
func (s *Service) DeleteCategory(ctx context.Context, a permission.Actor, groupID, categoryID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID)); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID)
		if err != nil {
			return err
		}
		if err := v.need("DeleteCategory", permission.ManageChannel); err != nil {
			return err
		}
		_, err = s.st.DeleteCategory(ctx, cs, event.New(event.CategoryDeleted, a.UserID, event.CategoryDeletedPayload{CategoryID: categoryID}))
		return err
	})
}

// ListCategories lists the categories the actor sees, in position order
// (ties: creation order); any member may list. It reads at most
// store.MaxCategories records, so it is one page.
func (s *Service) ListCategories(ctx context.Context, a permission.Actor, groupID string) (*store.Page[*store.Category], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	v, err := s.see(ctx, a, groupID, "")
	if err != nil {
		return nil, err
	}
	cats, err := s.st.ViewCategories(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return visibleCategories(v, cats), nil
}

// visibleCategories is the page of cats the view's actor sees, in position
// order (ties: creation order).
func visibleCategories(v *view, cats []*store.Category) *store.Page[*store.Category] {
	out := &store.Page[*store.Category]{Items: []*store.Category{}}
	for _, c := range cats {
		if permission.VisibleTo(v.a, v.g, v.self, asChannel(c)) {
			out.Items = append(out.Items, c)
		}
	}
	store.SortByPosition(out.Items, func(c *store.Category) (int64, string) { return c.Position, c.CategoryID })
	return out
}

// UpdateCategoryAccessList is UpdateChannelAccessList for a category: the
// same rights (manageBlackWhiteList in the category), IDs, failures and
// limits; at most store.MaxCategoryListChange users per request. It applies
// at once to every channel that follows the category.
func (s *Service) UpdateCategoryAccessList(ctx context.Context, a permission.Actor, groupID, categoryID string, in AccessListInput) (*AccessList, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), in.validate()); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*AccessList, error) {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID)
		if err != nil {
			return nil, err
		}
		if err := v.need("UpdateCategoryAccessList", permission.ManageBlackWhiteList); err != nil {
			return nil, err
		}
		ch, err := s.changeAccess(ctx, v, in)
		if err != nil {
			return nil, err
		}
		d, after, out := ch.diff, ch.after, ch.out
		out.ChannelID, out.CategoryID = "", categoryID
		if !ch.changes() {
			return out, nil
		}
		next := *cs.Category
		next.Users, next.Roles = after.Users, after.Roles
		next.UpdateTime = s.now()
		list := store.CategoryListChange{Remove: d.users}
		if in.Op == OpAdd {
			list = store.CategoryListChange{Add: d.users}
		}
		payload := event.CategoryAccessListPayload{CategoryID: categoryID, Op: in.Op, Kind: out.Kind, UserIDs: nonNil(d.users), RoleIDs: nonNil(d.roles)}
		ev := event.New(event.CategoryAccessListUpdate, a.UserID, payload)
		// The category's synced channels follow its list.
		ev.Visibility = visibility(event.Visibility{CategoryID: categoryID, Users: sightChanged(v.g, v.ch, after, ch.members, d.users), Roles: d.roles})
		if _, err := s.st.UpdateCategory(ctx, cs, &next, list, ev); err != nil {
			return nil, err
		}
		return out, nil
	})
}

// GetCategoryAccessList answers the category's access list to a member who
// sees the category.
func (s *Service) GetCategoryAccessList(ctx context.Context, a permission.Actor, groupID, categoryID string) (*AccessList, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID)); err != nil {
		return nil, err
	}
	v, err := s.seeCategory(ctx, a, groupID, categoryID)
	if err != nil {
		return nil, err
	}
	out := accessListOf(v.ch)
	out.ChannelID, out.CategoryID = "", categoryID
	return out, nil
}

// commitCategoryRoles writes the category with its roles as next (the
// asChannel form), for the category role operations.
func (s *Service) commitCategoryRoles(ctx context.Context, cs *store.CategoryState, next *store.Channel, ev event.Event) error {
	c := *cs.Category
	c.RoleAuths = next.RoleAuths
	c.UpdateTime = s.now()
	_, err := s.st.UpdateCategory(ctx, cs, &c, store.CategoryListChange{}, ev)
	return err
}

func categoryRoleEvent(a permission.Actor, categoryID, parentRoleID, op string, auths map[string]string) event.Event {
	return event.New(event.CategoryRoleAuthUpdate, a.UserID, event.CategoryRolePayload{CategoryID: categoryID, ParentRoleID: parentRoleID, Auths: auths, Op: op})
}

// AddCategoryRole is AddChannelRole for a category.
func (s *Service) AddCategoryRole(ctx context.Context, a permission.Actor, groupID, categoryID string, in ChannelRoleInput) (*store.ChannelRole, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), validate.ID("parentRoleID", in.ParentRoleID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.ChannelRole, error) {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID)
		if err != nil {
			return nil, err
		}
		if err := v.needChannelRoleRights("AddCategoryRole"); err != nil {
			return nil, err
		}
		if v.g.Roles.Roles[in.ParentRoleID] == nil {
			return nil, errcode.New(errcode.NotFound, "role %s not found", in.ParentRoleID)
		}
		if v.ch.RoleAuths[in.ParentRoleID] != nil {
			return nil, errcode.New(errcode.InvalidArgument, "category %s already has a category role for %s; change it with PATCH", categoryID, in.ParentRoleID)
		}
		now := s.now()
		cr := &store.ChannelRole{GroupID: groupID, CategoryID: categoryID, ParentRoleID: in.ParentRoleID, Auths: map[string]string{}, CreateTime: now, UpdateTime: now}
		if err := s.commitCategoryRoles(ctx, cs, withRole(v.ch, in.ParentRoleID, cr), categoryRoleEvent(a, categoryID, in.ParentRoleID, opAddRole, cr.Auths)); err != nil {
			return nil, err
		}
		return cr, nil
	})
}

// UpdateCategoryRole is UpdateChannelRole for a category: the rank rule,
// the held-items rule and the self-lockout guard, in the category.
func (s *Service) UpdateCategoryRole(ctx context.Context, a permission.Actor, groupID, categoryID, roleID string, in AuthsInput) (*store.ChannelRole, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), validate.ID("roleID", roleID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.ChannelRole, error) {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID)
		if err != nil {
			return nil, err
		}
		if err := v.needChannelRoleRights("UpdateCategoryRole"); err != nil {
			return nil, err
		}
		next, after, err := v.updatedRole(roleID, in, s.now())
		if err != nil {
			return nil, err
		}
		if err := s.commitCategoryRoles(ctx, cs, after, categoryRoleEvent(a, categoryID, roleID, opUpdateRole, next.Auths)); err != nil {
			return nil, err
		}
		next.ChannelID, next.CategoryID = "", categoryID
		return next, nil
	})
}

// RemoveCategoryRole is RemoveChannelRole for a category.
func (s *Service) RemoveCategoryRole(ctx context.Context, a permission.Actor, groupID, categoryID, roleID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), validate.ID("roleID", roleID)); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID)
		if err != nil {
			return err
		}
		if err := v.needChannelRoleRights("RemoveCategoryRole"); err != nil {
			return err
		}
		parent, _, err := v.channelRole(roleID)
		if err != nil {
			return err
		}
		if err := v.mayEditRole(parent); err != nil {
			return err
		}
		return s.commitCategoryRoles(ctx, cs, withRole(v.ch, roleID, nil), categoryRoleEvent(a, categoryID, roleID, opRemoveRole, map[string]string{}))
	})
}

// ListCategoryRoles lists a category's roles, @everyone's first, then by
// their parent's priority, to a member who sees the category.
func (s *Service) ListCategoryRoles(ctx context.Context, a permission.Actor, groupID, categoryID string) (*store.Page[*store.ChannelRole], error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID)); err != nil {
		return nil, err
	}
	v, err := s.seeCategory(ctx, a, groupID, categoryID)
	if err != nil {
		return nil, err
	}
	return rolesInOrder(v), nil
}

// SetCategoryMemberAuths is SetChannelMemberAuths for a category: the
// actor outranks the member, holds every item set, in the category. A
// category holds at most store.MaxCategoryOverrides member overrides.
func (s *Service) SetCategoryMemberAuths(ctx context.Context, a permission.Actor, groupID, categoryID, userID string, in AuthsInput) (*store.MemberOverride, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), validate.ID("userID", userID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.MemberOverride, error) {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID, userID)
		if err != nil {
			return nil, err
		}
		if err := v.needChannelRoleRights("SetCategoryMemberAuths"); err != nil {
			return nil, err
		}
		m, err := v.target(userID)
		if err != nil {
			return nil, err
		}
		current := map[string]string{}
		if ov := v.st.Overrides[userID]; ov != nil && ov.JoinTime == m.JoinTime {
			current = ov.Auths
		}
		if err := v.checkSettable(current, in.Auths); err != nil {
			return nil, err
		}
		ov := &store.MemberOverride{Auths: permission.ApplyAuths(current, in.Auths), UpdateTime: s.now()}
		ev := event.New(event.CategoryMemberAuthUpdate, a.UserID, event.CategoryOverridePayload{CategoryID: categoryID, UserID: userID, Auths: ov.Auths}, userID)
		if _, err := s.st.PutCategoryOverride(ctx, cs, m, ov, ev); err != nil {
			return nil, err
		}
		return ov, nil
	})
}

// DeleteCategoryMemberAuths removes a member's settings in a category
// (NOT_FOUND if there are none); the rights of SetCategoryMemberAuths
// apply.
func (s *Service) DeleteCategoryMemberAuths(ctx context.Context, a permission.Actor, groupID, categoryID, userID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("categoryID", categoryID), validate.ID("userID", userID)); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		v, cs, err := s.loadCategory(ctx, a, groupID, categoryID, userID)
		if err != nil {
			return err
		}
		if err := v.needChannelRoleRights("DeleteCategoryMemberAuths"); err != nil {
			return err
		}
		if _, err := v.target(userID); err != nil {
			return err
		}
		if v.st.Overrides[userID] == nil {
			return errcode.New(errcode.NotFound, "user %s has no settings in category %s", userID, categoryID)
		}
		ev := event.New(event.CategoryMemberAuthUpdate, a.UserID, event.CategoryOverridePayload{CategoryID: categoryID, UserID: userID, Auths: map[string]string{}}, userID)
		_, err = s.st.DeleteCategoryOverride(ctx, cs, userID, ev)
		return err
	})
}
