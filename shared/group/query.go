package group

import (
	"context"

	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// GetGroupsInfo returns the public info of the groups that exist, in the
// order asked, each with the caller's roleLevel where they are a member:
// one read of the group and member records (store.GroupsOf), eventually
// consistent unless the context asks otherwise.
func (s *Service) GetGroupsInfo(ctx context.Context, a permission.Actor, groupIDs []string) (*store.Page[*store.Group], error) {
	if err := validate.IDs("groupIDs", groupIDs, true); err != nil {
		return nil, err
	}
	groups, err := s.st.GroupsOf(ctx, a.UserID, groupIDs)
	if err != nil {
		return nil, err
	}
	page := &store.Page[*store.Group]{Items: []*store.Group{}}
	for _, id := range groupIDs {
		if g, ok := groups[id]; ok {
			page.Items = append(page.Items, g)
		}
	}
	return page, nil
}

// ListJoined pages through the actor's groups.
func (s *Service) ListJoined(ctx context.Context, a permission.Actor, limit int, cursor string) (*store.Page[*store.Group], error) {
	return s.st.ListJoinedGroups(ctx, a.UserID, limit, cursor)
}
