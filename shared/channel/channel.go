package channel

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// ChannelInput is the body of POST and PATCH …/channels: an absent field
// stays as it is (PATCH) or takes its default (POST). ChannelID is POST's
// only: a client-chosen ID, so that a client (or a fixture loader) can name
// the channel before it exists.
type ChannelInput struct {
	ChannelID *string `json:"channelID"`
	Name      *string `json:"name"`
	Topic     *string `json:"topic"`
	Ext       *string `json:"ext"`
	ViewMode  *int    `json:"viewMode"`
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
	var mode error
	if in.ViewMode != nil {
		mode = validate.OneOf("viewMode", *in.ViewMode, store.ChannelPublic, store.ChannelPrivate)
	}
	return validate.First(
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
	out.Users, out.Roles, out.RoleAuths = nil, nil, nil
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
		next := in.apply(*v.ch)
		if next.Name == v.ch.Name && next.Topic == v.ch.Topic && next.Ext == v.ch.Ext && next.ViewMode == v.ch.ViewMode {
			return v.ch, nil
		}
		next.UpdateTime = s.now()
		if _, err := s.st.UpdateChannel(ctx, v.g, &next, event.New(event.ChannelUpdated, a.UserID, event.ChannelPayload{Channel: summary(&next)})); err != nil {
			return nil, err
		}
		return &next, nil
	})
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
	v, err := s.load(ctx, a, groupID, "")
	if err != nil {
		return nil, err
	}
	page, err := s.st.ListChannels(ctx, groupID, limit, cursor)
	if err != nil {
		return nil, err
	}
	out := &store.Page[*store.Channel]{Items: []*store.Channel{}, NextCursor: page.NextCursor}
	for _, ch := range page.Items {
		if permission.VisibleTo(a, v.g, v.self, ch) {
			out.Items = append(out.Items, ch)
		}
	}
	return out, nil
}
