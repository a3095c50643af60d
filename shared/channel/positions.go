package channel

import (
	"context"
	"maps"
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Reorders: a request names up to store.MaxPositions categories (or
// channels of one category) with their new positions, from 0 to
// MaxPosition, no two the same; the others keep theirs. It needs
// manageChannel in every category (or channel) it names, as a PATCH of
// that one's position would, and an ID the actor cannot see answers as a
// missing one. It commits whole, in one transaction, or changes nothing.

// CategoryPositionsInput is the body of PUT /groups/{groupID}/category-positions.
type CategoryPositionsInput struct {
	Positions map[string]int64 `json:"positions"`
}

// ChannelPositionsInput is the body of PUT /groups/{groupID}/channel-positions:
// the channels must all be in CategoryID ("" or absent: the uncategorised
// channels).
type ChannelPositionsInput struct {
	CategoryID string           `json:"categoryID"`
	Positions  map[string]int64 `json:"positions"`
}

func validatePositions(field string, positions map[string]int64) error {
	if len(positions) == 0 {
		return errcode.New(errcode.InvalidArgument, "positions must name at least one %s", field)
	}
	if len(positions) > store.MaxPositions {
		return errcode.New(errcode.InvalidArgument, "a reorder names at most %d %ss, not %d", store.MaxPositions, field, len(positions))
	}
	at := map[int64]string{}
	for _, id := range slices.Sorted(maps.Keys(positions)) {
		p := positions[id]
		if err := validate.ID(field+"ID", id); err != nil {
			return err
		}
		if p < 0 || p > MaxPosition {
			return errcode.New(errcode.InvalidArgument, "position of %s must be from 0 to %d", id, MaxPosition)
		}
		if other, ok := at[p]; ok {
			return errcode.New(errcode.InvalidArgument, "%s and %s are both given position %d", other, id, p)
		}
		at[p] = id
	}
	return nil
}

// UpdateCategoryPositions sets the positions of categories and answers the
// categories the actor sees, in their new order.
func (s *Service) UpdateCategoryPositions(ctx context.Context, a permission.Actor, groupID string, in CategoryPositionsInput) (*store.Page[*store.Category], error) {
	if err := validate.First(validate.ID("groupID", groupID), validatePositions("category", in.Positions)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Page[*store.Category], error) {
		v, err := s.load(ctx, a, groupID, "")
		if err != nil {
			return nil, err
		}
		cats, err := s.st.ListCategories(ctx, groupID)
		if err != nil {
			return nil, err
		}
		facts, err := s.st.LoadCategoryFacts(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		var named []*store.Category
		for _, c := range cats {
			if _, ok := in.Positions[c.CategoryID]; !ok {
				continue
			}
			ch := asChannel(c)
			if !permission.VisibleTo(a, v.g, v.self, ch) {
				continue // answered as missing below
			}
			if !permission.HoldsIn(a, v.g, v.self, v.st.Custom, ch, facts.CategoryOverride(c.CategoryID, a.UserID), permission.ManageChannel) {
				return nil, errcode.New(errcode.NoPermission, "UpdateCategoryPositions needs the manageChannel permission in category %s", c.CategoryID)
			}
			named = append(named, c)
		}
		if missing := absent(in.Positions, named, func(c *store.Category) string { return c.CategoryID }); missing != "" {
			return nil, errcode.New(errcode.NotFound, "category %s not found", missing)
		}
		ev := event.New(event.CategoryPositionsUpdate, a.UserID, event.CategoryPositionsPayload{Positions: in.Positions})
		if _, err := s.st.UpdateCategoryPositions(ctx, v.g, named, in.Positions, ev); err != nil {
			return nil, err
		}
		for _, c := range cats {
			if p, ok := in.Positions[c.CategoryID]; ok {
				c.Position = p
			}
		}
		return visibleCategories(v, cats), nil
	})
}

// UpdateChannelPositions sets the positions of channels of one category
// (or of the uncategorised ones) and answers those channels in their new
// order. A channel of another category is INVALID_ARGUMENT.
func (s *Service) UpdateChannelPositions(ctx context.Context, a permission.Actor, groupID string, in ChannelPositionsInput) (*store.Page[*store.Channel], error) {
	errs := []error{validate.ID("groupID", groupID), validatePositions("channel", in.Positions)}
	if in.CategoryID != "" {
		errs = append(errs, validate.ID("categoryID", in.CategoryID))
	}
	if err := validate.First(errs...); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Page[*store.Channel], error) {
		v, err := s.load(ctx, a, groupID, "")
		if err != nil {
			return nil, err
		}
		if in.CategoryID != "" {
			if _, _, err := s.loadCategory(ctx, a, groupID, in.CategoryID); err != nil {
				return nil, err
			}
		}
		loaded, cats, err := s.st.LoadChannels(ctx, groupID, a.UserID, slices.Collect(maps.Keys(in.Positions)))
		if err != nil {
			return nil, err
		}
		v.st.Cats = cats
		var named []*store.Channel
		for _, id := range slices.Sorted(maps.Keys(in.Positions)) {
			got, ok := loaded[id]
			if !ok || !permission.VisibleTo(a, v.g, v.self, got.Channel) {
				return nil, errcode.New(errcode.NotFound, "channel %s not found", id)
			}
			if shown(v, got.Channel).CategoryID != in.CategoryID {
				return nil, errcode.New(errcode.InvalidArgument, "channel %s is not in category %q", id, in.CategoryID)
			}
			if !permission.HoldsIn(a, v.g, v.self, v.st.Custom, got.Channel, got.Override, permission.ManageChannel) {
				return nil, errcode.New(errcode.NoPermission, "UpdateChannelPositions needs the manageChannel permission in channel %s", id)
			}
			named = append(named, got.Channel)
		}
		ev := event.New(event.ChannelPositionsUpdate, a.UserID, event.ChannelPositionsPayload{CategoryID: in.CategoryID, Positions: in.Positions})
		if _, err := s.st.UpdateChannelPositions(ctx, v.g, named, in.Positions, ev); err != nil {
			return nil, err
		}
		out := &store.Page[*store.Channel]{Items: []*store.Channel{}}
		for _, ch := range named {
			ch.Position = in.Positions[ch.ChannelID]
			out.Items = append(out.Items, shown(v, ch))
		}
		store.SortByPosition(out.Items, func(ch *store.Channel) (int64, string) { return ch.Position, ch.ChannelID })
		return out, nil
	})
}

// absent answers an ID of positions that found names none of, in ID
// order ("" if none).
func absent[T any](positions map[string]int64, found []T, id func(T) string) string {
	have := map[string]bool{}
	for _, x := range found {
		have[id(x)] = true
	}
	for _, k := range slices.Sorted(maps.Keys(positions)) {
		if !have[k] {
			return k
		}
	}
	return ""
}
