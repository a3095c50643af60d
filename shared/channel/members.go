package channel

import (
	"context"

	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// ListChannelMembers pages through the members who see a channel: for a
// public channel every member not on its blacklist (directly or by a
// role), for a private one the owner, the admins, the whitelisted users and
// the members of whitelisted roles; a synced channel's list is its
// category's. A channel the actor cannot see answers as a missing one.
// Pages follow store.LayerMembers: O(page) reads plus the list, and a page
// may be short (blacklisted members are left out of it) and still carry a
// nextCursor. lookMemberInfo masks as in the member list.
func (s *Service) ListChannelMembers(ctx context.Context, a permission.Actor, groupID, channelID string, limit int, cursor string) (*store.Page[*store.Member], error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID)); err != nil {
		return nil, err
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	v, err := s.see(ctx, a, groupID, channelID)
	if err != nil {
		return nil, err
	}
	ch := *v.ch
	layer := ch.OwnLayer()
	if ch.IsSynced() {
		c, err := s.st.ViewCategoryLayer(ctx, v.st.Cats, groupID, ch.CategoryID)
		if err != nil {
			return nil, err
		}
		// The whole list: the decision below is about every member read.
		layer = c.Layer()
		ch.Category = layer
	}
	page, err := s.st.LayerMembers(ctx, groupID, layer, limit, cursor)
	if err != nil {
		return nil, err
	}
	out := &store.Page[*store.Member]{Items: []*store.Member{}, NextCursor: page.NextCursor}
	for _, m := range page.Items {
		if !permission.VisibleTo(permission.Actor{UserID: m.UserID}, v.g, m, &ch) {
			continue
		}
		if !permission.SeesFullMemberInfo(a, v.g, v.self, m.UserID) {
			m = m.PublicView()
		}
		out.Items = append(out.Items, m)
	}
	return out, nil
}
