package channel

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// ChannelInput is the body of POST and PATCH …/channels: an absent field
// stays as it is (PATCH) or takes its default (POST). ChannelID is POST's
// only: a client-chosen ID, so that a client (or a fixture loader) can name
// the channel before it exists.
//
// CategoryID and SyncMode are PATCH's only: they move the channel into a
// category ("" for none) and make it follow its category's settings (1)
// or keep its own (0).
type ChannelInput struct {
	ChannelID  *string `json:"channelID"`
	Name       *string `json:"name"`
	Topic      *string `json:"topic"`
	Ext        *string `json:"ext"`
	ViewMode   *int    `json:"viewMode"`
	CategoryID *string `json:"categoryID"`
	SyncMode   *int    `json:"syncMode"`
}

func (in ChannelInput) validate(create bool) error {
	text := func(field string, p *string, max int) error {
		if p == nil {
			return nil
		}
		return validate.Text(field, *p, max)
	}
	if in.ChannelID != nil {
		if !create {
			return errcode.New(errcode.InvalidArgument, "channelID cannot be changed")
		}
		if err := validate.ID("channelID", *in.ChannelID); err != nil {
			return err
		}
	}
	if in.Name != nil && *in.Name == "" || create && in.Name == nil {
		return errcode.New(errcode.InvalidArgument, "name must not be empty")
	}
	var mode, sync, cat error
	if in.ViewMode != nil {
		mode = validate.OneOf("viewMode", *in.ViewMode, store.ChannelPublic, store.ChannelPrivate)
	}
	if create && (in.CategoryID != nil || in.SyncMode != nil) {
		return errcode.New(errcode.InvalidArgument, "categoryID and syncMode are set by UpdateChannel, once the channel exists")
	}
	if in.SyncMode != nil {
		sync = validate.OneOf("syncMode", *in.SyncMode, model.Unsynced, model.Synced)
	}
	if in.CategoryID != nil && *in.CategoryID != "" {
		cat = validate.ID("categoryID", *in.CategoryID)
	}
	return validate.First(
		sync, cat,
		text("name", in.Name, validate.MaxText),
		text("topic", in.Topic, validate.MaxText),
		text("ext", in.Ext, validate.MaxEx),
		mode,
	)
}

// apply returns ch with the present fields applied. A change of viewMode
// empties the access list: a public channel's blacklist is not a private
// channel's whitelist.
func (in ChannelInput) apply(ch store.Channel) store.Channel {
	if in.Name != nil {
		ch.Name = *in.Name
	}
	if in.Topic != nil {
		ch.Topic = *in.Topic
	}
	if in.Ext != nil {
		ch.Ext = *in.Ext
	}
	if in.ViewMode != nil && *in.ViewMode != ch.ViewMode {
		ch.ViewMode = *in.ViewMode
		ch.Users, ch.Roles = nil, nil
	}
	return ch
}

// summary is a channel as events carry it: without its access list and
// channel roles, which have their own events.
func summary(ch *store.Channel) store.Channel {
	out := *ch
	out.Users, out.Roles, out.RoleAuths, out.Category = nil, nil, nil, nil
	return out
}

// CreateChannel creates a channel; it needs manageChannel. A group holds at
// most store.MaxChannels channels (LIMIT_EXCEEDED).
func (s *Service) CreateChannel(ctx context.Context, a permission.Actor, groupID string, in ChannelInput) (*store.Channel, error) {
	if err := validate.First(validate.ID("groupID", groupID), in.validate(true)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Channel, error) {
		v, err := s.load(ctx, a, groupID, "")
		if err != nil {
			return nil, err
		}
		if err := v.need("CreateChannel", permission.ManageChannel); err != nil {
			return nil, err
		}
		id := store.NewID()
		if in.ChannelID != nil {
			id = *in.ChannelID
			if err := s.st.ChannelIDReusable(ctx, groupID, id); err != nil {
				return nil, err
			}
		}
		now := s.now()
		ch := in.apply(store.Channel{GroupID: groupID, ChannelID: id, CreateTime: now, UpdateTime: now})
		ch.RoleAuths = map[string]*store.ChannelRole{}
		if _, err := s.st.CreateChannel(ctx, v.g, &ch, event.New(event.ChannelCreated, a.UserID, event.ChannelPayload{Channel: summary(&ch)})); err != nil {
			return nil, err
		}
		return &ch, nil
	})
}

// UpdateChannel changes a channel's name, topic, ext or viewMode; it needs
// manageChannel in the channel. A request that changes nothing answers the
// channel and commits nothing.
func (s *Service) UpdateChannel(ctx context.Context, a permission.Actor, groupID, channelID string, in ChannelInput) (*store.Channel, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), in.validate(false)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Channel, error) {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return nil, err
		}
		if err := v.need("UpdateChannel", permission.ManageChannel); err != nil {
			return nil, err
		}
		if in.CategoryID != nil || in.SyncMode != nil || (v.ch.IsSynced() && in.ViewMode != nil) {
			return s.placeChannel(ctx, v, in)
		}
		next := in.apply(*v.ch)
		if next.Name == v.ch.Name && next.Topic == v.ch.Topic && next.Ext == v.ch.Ext && next.ViewMode == v.ch.ViewMode {
			return shown(v, v.ch), nil
		}
		next.UpdateTime = s.now()
		if _, err := s.st.UpdateChannel(ctx, v.g, &next, event.New(event.ChannelUpdated, a.UserID, event.ChannelPayload{Channel: summary(&next)})); err != nil {
			return nil, err
		}
		return shown(v, &next), nil
	})
}

// shown is ch as a client is told of it: a deleted category reads as none.
func shown(v *view, ch *store.Channel) *store.Channel {
	out := *ch
	out.Category = nil
	if v.st.Cats != nil {
		store.ShowCategory(&out, v.st.Cats)
	}
	return &out
}

// placeChannel is UpdateChannel when it moves the channel between
// categories, syncs or unsyncs it, or edits a synced channel's viewMode,
// each in one transaction with its one ChannelUpdated event:
//   - A channel that stops following its category (moved out or to another
//     category, syncMode 0, or its viewMode edited while synced, which
//     unsyncs it as Discord does) keeps a copy of the category's settings:
//     viewMode, list, roles and member overrides.
//   - A channel that starts following a category (syncMode 1) drops its
//     own settings: its layer is emptied and its generation moves, so its
//     member overrides stop applying without a write to each.
//   - A move alone (syncMode not given) keeps the channel's own settings.
//
// Moving into a category needs manageChannel in the channel and in the
// category, which the actor must see.
func (s *Service) placeChannel(ctx context.Context, v *view, in ChannelInput) (*store.Channel, error) {
	cur := shown(v, v.ch)
	cat, sync := cur.CategoryID, cur.SyncMode
	if in.CategoryID != nil && *in.CategoryID != cat {
		cat, sync = *in.CategoryID, model.Unsynced
	}
	if in.SyncMode != nil {
		sync = *in.SyncMode
	}
	editsSettings := in.ViewMode != nil && v.ch.IsSynced()
	if editsSettings && sync == model.Synced {
		if in.SyncMode != nil {
			return nil, errcode.New(errcode.InvalidArgument, "a synced channel's viewMode is its category's; give syncMode 0 with it")
		}
		sync = model.Unsynced
	}
	if sync == model.Synced && cat == "" {
		return nil, errcode.New(errcode.InvalidArgument, "syncMode 1 needs a categoryID")
	}
	joins := ""
	if cat != "" && cat != cur.CategoryID {
		joins = cat
		if err := s.needInCategory(ctx, v.a, v.g.GroupID, cat, "UpdateChannel", permission.ManageChannel); err != nil {
			return nil, err
		}
	}
	follows := v.ch.IsSynced() && cur.CategoryID != ""
	if follows && sync == model.Synced && cat == cur.CategoryID {
		// Still following the same category: only the plain fields change.
		return s.updateFields(ctx, v, in)
	}
	if v.ch.IsSynced() {
		if err := s.unsync(ctx, v); err != nil {
			return nil, err
		}
	}
	next := in.apply(*v.ch)
	next.CategoryID, next.SyncMode, next.Category = cat, sync, nil
	overrides := v.copied
	if sync == model.Synced && !follows {
		next.ViewMode, next.Users, next.Roles = model.ChannelPublic, nil, nil
		next.RoleAuths = map[string]*store.ChannelRole{}
		next.Gen = v.ch.Gen + 1
		overrides = nil
	}
	if next.Name == v.ch.Name && next.Topic == v.ch.Topic && next.Ext == v.ch.Ext && next.ViewMode == v.ch.ViewMode &&
		next.CategoryID == v.ch.CategoryID && next.SyncMode == v.ch.SyncMode && !v.unsynced {
		return cur, nil
	}
	next.UpdateTime = s.now()
	ev := event.New(event.ChannelUpdated, v.a.UserID, event.ChannelPayload{Channel: summary(&next)})
	if _, err := s.st.RewriteChannel(ctx, v.g, &next, joins, overrides, nil, ev); err != nil {
		return nil, err
	}
	return shown(v, &next), nil
}

// updateFields commits the plain fields (name, topic, ext) of a
// synced channel that keeps following its category.
func (s *Service) updateFields(ctx context.Context, v *view, in ChannelInput) (*store.Channel, error) {
	next := *v.ch
	in.ViewMode = nil
	next = in.apply(next)
	next.Category = nil
	if next.Name == v.ch.Name && next.Topic == v.ch.Topic && next.Ext == v.ch.Ext {
		return shown(v, v.ch), nil
	}
	next.UpdateTime = s.now()
	if _, err := s.st.UpdateChannel(ctx, v.g, &next, event.New(event.ChannelUpdated, v.a.UserID, event.ChannelPayload{Channel: summary(&next)})); err != nil {
		return nil, err
	}
	return shown(v, &next), nil
}

// DeleteChannel deletes a channel; it needs manageChannel in the channel.
// It commits the deletion and answers; the member overrides are removed by
// the ChannelDeleted event's cleanup consumer, in bounded steps.
func (s *Service) DeleteChannel(ctx context.Context, a permission.Actor, groupID, channelID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID)); err != nil {
		return err
	}
	err := store.RetryErr(ctx, func() error {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return err
		}
		if err := v.need("DeleteChannel", permission.ManageChannel); err != nil {
			return err
		}
		_, err = s.st.DeleteChannel(ctx, v.g, v.ch, event.New(event.ChannelDeleted, a.UserID, event.ChannelDeletedPayload{ChannelID: channelID}))
		return err
	})
	return err
}

// CleanupDeletedChannel removes the overrides of a deleted channel, for the
// consumer of ChannelDeleted events.
func (s *Service) CleanupDeletedChannel(ctx context.Context, groupID, channelID string, maxItems int) (bool, error) {
	return s.st.CleanupDeletedChannel(ctx, groupID, channelID, maxItems)
}

// GetChannel answers one channel to a member who sees it (a synced
// channel through its category); a channel the actor cannot see answers
// exactly as a missing one.
func (s *Service) GetChannel(ctx context.Context, a permission.Actor, groupID, channelID string) (*store.Channel, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID)); err != nil {
		return nil, err
	}
	v, err := s.see(ctx, a, groupID, channelID)
	if err != nil {
		return nil, err
	}
	return shown(v, v.ch), nil
}

// ListChannels pages through the group's channels and returns those
// visible to the actor; any member may list. A page reads limit channels
// whatever their visibility, so its cost is bounded; it may therefore hold
// fewer than limit channels (even none) and still carry a nextCursor.
func (s *Service) ListChannels(ctx context.Context, a permission.Actor, groupID string, limit int, cursor string) (*store.Page[*store.Channel], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	v, err := s.see(ctx, a, groupID, "")
	if err != nil {
		return nil, err
	}
	page, err := s.st.ListChannels(ctx, groupID, limit, cursor)
	if err != nil {
		return nil, err
	}
	// Synced channels are seen through their categories: CATS and the
	// actor's category facts, one more read per page.
	facts, err := s.st.LoadCategoryFacts(ctx, groupID, a.UserID)
	if err != nil {
		return nil, err
	}
	v.st.Cats = facts.Cats
	out := &store.Page[*store.Channel]{Items: []*store.Channel{}, NextCursor: page.NextCursor}
	for _, ch := range page.Items {
		facts.Attach(ch, map[string]*store.MemberOverride{})
		if permission.VisibleTo(a, v.g, v.self, ch) {
			out.Items = append(out.Items, shown(v, ch))
		}
	}
	return out, nil
}
