package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// Channel writes. Every write of a channel item is conditioned on the rev it
// read (attribute_not_exists on create) and moves it to rev+1; every change
// also goes through commitChange, so it is serialized with every other
// change of the group (and its role configuration) on the group's version,
// and commits with its event.

func channelItem(ch *Channel) map[string]types.AttributeValue {
	if ch.RoleAuths == nil {
		// An empty map, never NULL: channel roles are set as
		// roleAuths.<roleID> paths, which need the map to exist.
		ch.RoleAuths = map[string]*ChannelRole{}
	}
	return marshalItem(ch, map[string]string{"PK": groupPK(ch.GroupID), "SK": channelSK(ch.ChannelID), "kind": kindChannel,
		gsi1.pk: channelsByPositionPK(ch.GroupID), gsi1.sk: channelPositionSK(ch.Position, ch.ChannelID)})
}

func overrideItem(ov *MemberOverride) map[string]types.AttributeValue {
	return marshalItem(ov, map[string]string{"PK": groupPK(ov.GroupID), "SK": overrideSK(ov.ChannelID, ov.UserID), "kind": kindOverride})
}

func unmarshalChannel(item map[string]types.AttributeValue) (*Channel, error) {
	ch, err := unmarshal[Channel](item)
	if err != nil {
		return nil, err
	}
	if ch.RoleAuths == nil {
		ch.RoleAuths = map[string]*ChannelRole{}
	}
	for parent, cr := range ch.RoleAuths {
		cr.GroupID, cr.ChannelID, cr.ParentRoleID = ch.GroupID, ch.ChannelID, parent
		if cr.Auths == nil {
			cr.Auths = map[string]string{}
		}
	}
	return ch, nil
}

func channelNotFound(cid string) error {
	return errcode.New(errcode.NotFound, "channel %s not found", cid)
}

// channelAtRev is the condition of a write of a channel as read, with its
// arguments (channelAtRev, "rev", ch.Rev): it still exists at the rev read.
const channelAtRev = "attribute_exists(PK) AND $ = ?"

// channelMoved explains a failed channelAtRev: a channel deleted meanwhile
// answers NOT_FOUND, a channel changed meanwhile is a lost race.
func channelMoved(ch *Channel) func(Item) error {
	cid := ch.ChannelID
	return func(old Item) error {
		if old == nil {
			return channelNotFound(cid)
		}
		return errVersionMoved
	}
}

// updateChannel is the update of ch (of group groupID) as read, conditioned
// on its rev and moving it to the next.
func (s *Store) updateChannel(groupID string, ch *Channel) *dynamo.Update {
	return s.updateItem(groupPK(groupID), channelSK(ch.ChannelID)).
		SetExpr("$ = $ + ?", "rev", "rev", 1).
		If(channelAtRev, "rev", ch.Rev)
}

// CreateChannel writes a new channel (rev 1) as one change of g. The
// group's channelCount rises in the same transaction, on condition that it
// is below MaxChannels (LIMIT_EXCEEDED otherwise).
func (s *Store) CreateChannel(ctx context.Context, g *Group, ch *Channel, ev event.Event) (*event.Event, error) {
	ch.GroupID = g.GroupID
	ch.Rev = 1
	c := s.newChange(g, ev)
	c.meta.Add("channelCount", 1).If("attribute_not_exists($) OR $ < ?", "channelCount", "channelCount", MaxChannels)
	c.onMetaFail = func(map[string]types.AttributeValue) error {
		return errcode.New(errcode.LimitExceeded, "group %s has %d channels; the limit is %d", g.GroupID, MaxChannels, MaxChannels)
	}
	cid := ch.ChannelID
	return s.commitChange(ctx, c, func(t *tx) {
		addTo(t, s.putItem(channelItem(ch)).If(ifAbsent), func(map[string]types.AttributeValue) error {
			// Only a client-chosen ID can exist already; a retry cannot succeed.
			return errcode.New(errcode.InvalidArgument, "channel %s already exists in group %s", cid, g.GroupID)
		})
	})
}

// ChannelIDReusable refuses a client-chosen channel ID that still has member
// overrides: its channel exists, or was deleted and CleanupDeletedChannel
// has not removed them yet. A new channel would inherit them, and that
// cleanup could never finish.
// Reading first is safe here because nothing adds an override to a channel
// that does not exist, so once none is left none can appear before the new
// channel is created (whose own condition refuses an existing channel).
func (s *Store) ChannelIDReusable(ctx context.Context, groupID, channelID string) error {
	keys, err := s.recordKeys(ctx, groupID, overrideSK(channelID, ""), 1)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return errcode.New(errcode.InvalidArgument, "channel %s of group %s exists, or was deleted and is still being cleaned up; choose another channelID", channelID, groupID)
	}
	return nil
}

// UpdateChannel writes next, the channel built from the one read (whose Rev
// it carries), as one change of g. On success next.Rev is the new rev.
func (s *Store) UpdateChannel(ctx context.Context, g *Group, next *Channel, ev event.Event) (*event.Event, error) {
	read := next.Rev
	onFail := channelMoved(next)
	next.Rev = read + 1
	put := s.putItem(channelItem(next)).If(channelAtRev, "rev", read)
	out, err := s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, put, onFail)
	})
	if err != nil {
		next.Rev = read
	}
	return out, err
}

// DeleteChannel deletes ch (as read) as one change of g, lowering the
// group's channelCount with it. Its member overrides are removed afterwards
// by CleanupDeletedChannel.
func (s *Store) DeleteChannel(ctx context.Context, g *Group, ch *Channel, ev event.Event) (*event.Event, error) {
	c := s.newChange(g, ev)
	c.meta.Add("channelCount", -1)
	return s.commitChange(ctx, c, func(t *tx) {
		addTo(t, s.deleteItem(groupPK(g.GroupID), channelSK(ch.ChannelID)).If(channelAtRev, "rev", ch.Rev), channelMoved(ch))
	})
}

// UpdateChannelAccess adds the user and role IDs to the channel's access
// list (add) or removes them, as one change of g: a string-set ADD or
// DELETE conditioned on the rev read. When adding, the caller has checked
// the limits on the list as read; the rev condition makes that check hold
// at the write.
func (s *Store) UpdateChannelAccess(ctx context.Context, g *Group, ch *Channel, add bool, userIDs, roleIDs []string, ev event.Event) (*event.Event, error) {
	up := s.updateChannel(g.GroupID, ch).Set("updateTime", s.nowMillis())
	for name, ids := range map[string][]string{"users": userIDs, "roles": roleIDs} {
		switch {
		case len(ids) == 0:
		case add:
			up.AddStringsToSet(name, ids...)
		default:
			up.DeleteStringsFromSet(name, ids...)
		}
	}
	out, err := s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, up, channelMoved(ch))
	})
	if err == nil {
		ch.Rev++
	}
	return out, err
}

// PutChannelRole writes the channel role cr of ch (as read), as one change
// of g: create means it must not exist yet, otherwise it must.
func (s *Store) PutChannelRole(ctx context.Context, g *Group, ch *Channel, cr *ChannelRole, create bool, ev event.Event) (*event.Event, error) {
	cr.GroupID, cr.ChannelID = ch.GroupID, ch.ChannelID
	if cr.Auths == nil {
		cr.Auths = map[string]string{}
	}
	// Role IDs may hold characters a path cannot: the map key is a name
	// placeholder too.
	up := s.updateChannel(g.GroupID, ch).SetExpr("$.$ = ?", "roleAuths", cr.ParentRoleID, attr(cr))
	if create {
		up.If("attribute_not_exists($.$)", "roleAuths", cr.ParentRoleID)
	} else {
		up.If("attribute_exists($.$)", "roleAuths", cr.ParentRoleID)
	}
	out, err := s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, up, channelMoved(ch))
	})
	if err == nil {
		ch.Rev++
	}
	return out, err
}

// RemoveChannelRole removes the channel role of parentRoleID from ch (as
// read), as one change of g.
func (s *Store) RemoveChannelRole(ctx context.Context, g *Group, ch *Channel, parentRoleID string, ev event.Event) (*event.Event, error) {
	up := s.updateChannel(g.GroupID, ch).RemoveExpr("$.$", "roleAuths", parentRoleID)
	out, err := s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, up, channelMoved(ch))
	})
	if err == nil {
		ch.Rev++
	}
	return out, err
}

// PutMemberOverride writes m's override in ch (both as read) as one change
// of g. The override carries m's joinTime, and the transaction checks that
// m is still a member with that joinTime and that the channel is still at
// the rev read: an override is never written for a membership that ended.
func (s *Store) PutMemberOverride(ctx context.Context, g *Group, ch *Channel, m *Member, ov *MemberOverride, ev event.Event) (*event.Event, error) {
	ov.GroupID, ov.ChannelID, ov.UserID, ov.JoinTime, ov.Gen = g.GroupID, ch.ChannelID, m.UserID, m.JoinTime, ch.Gen
	if ov.Auths == nil {
		ov.Auths = map[string]string{}
	}
	uid := m.UserID
	return s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, s.checkItem(groupPK(g.GroupID), channelSK(ch.ChannelID)).If(channelAtRev, "rev", ch.Rev), channelMoved(ch))
		addTo(t, s.checkItem(groupPK(g.GroupID), memberSK(uid)).If(ifExists).If("$ = ?", "joinTime", m.JoinTime),
			func(old map[string]types.AttributeValue) error {
				if old == nil {
					return errcode.New(errcode.NotInGroup, "user %s is not a member", uid)
				}
				return errVersionMoved
			})
		addTo(t, s.putItem(overrideItem(ov)), nil)
	})
}

// DeleteMemberOverride deletes userID's override in ch (as read) as one
// change of g; NOT_FOUND when there is none.
func (s *Store) DeleteMemberOverride(ctx context.Context, g *Group, ch *Channel, userID string, ev event.Event) (*event.Event, error) {
	return s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, s.checkItem(groupPK(g.GroupID), channelSK(ch.ChannelID)).If(channelAtRev, "rev", ch.Rev), channelMoved(ch))
		addTo(t, s.deleteItem(groupPK(g.GroupID), overrideSK(ch.ChannelID, userID)).If(ifExists), func(map[string]types.AttributeValue) error {
			return errcode.New(errcode.NotFound, "user %s has no settings in channel %s", userID, ch.ChannelID)
		})
	})
}

// GetChannel reads a channel with a strongly consistent read.
func (s *Store) GetChannel(ctx context.Context, groupID, channelID string) (*Channel, error) {
	item, err := s.get(ctx, groupPK(groupID), channelSK(channelID))
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, channelNotFound(channelID)
	}
	return unmarshalChannel(item)
}

// GetMemberOverride reads a member's override in a channel; nil if none.
func (s *Store) GetMemberOverride(ctx context.Context, groupID, channelID, userID string) (*MemberOverride, error) {
	item, err := s.get(ctx, groupPK(groupID), overrideSK(channelID, userID))
	if err != nil || item == nil {
		return nil, err
	}
	return unmarshal[MemberOverride](item)
}

// ListChannels pages through a group's channels in position order, ties
// in channelID order (creation order: generated IDs are ULIDs), through
// GSI1's partition of the group's channels, so a page reads only that
// page's channel items. Like every index read it is eventually consistent.
func (s *Store) ListChannels(ctx context.Context, groupID string, limit int, cursor string) (*Page[*Channel], error) {
	items, next, err := s.page(ctx, pageQuery{ix: gsi1, partition: channelsByPositionPK(groupID), forward: true, limit: limit, cursor: cursor})
	if err != nil {
		return nil, err
	}
	page := &Page[*Channel]{Items: make([]*Channel, 0, len(items)), NextCursor: next}
	for _, it := range items {
		ch, err := unmarshalChannel(it)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, ch)
	}
	return page, nil
}

// ChannelRolesOf reads the channels of the group that have a channel role
// for roleID, each with userID's override in it: what giving that role
// hands out beyond its server-level items. It is one Query of the group's
// channel range (at most MaxChannels items; the filter saves bandwidth,
// not reads) and one BatchGetItem of the overrides.
func (s *Store) ChannelRolesOf(ctx context.Context, groupID, roleID, userID string) ([]ChannelGrant, error) {
	var out []ChannelGrant
	q := s.partition(baseTable, groupPK(groupID)).
		Range("SK", dynamo.BeginsWith, prefixChannel).
		Filter("attribute_exists($.$)", "roleAuths", roleID).
		Consistent(true)
	err := each(ctx, q, func(it Item) error {
		ch, err := unmarshalChannel(it)
		if err != nil {
			return err
		}
		out = append(out, ChannelGrant{Channel: ch})
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	keys := make([]map[string]types.AttributeValue, len(out))
	at := make(map[string]int, len(out))
	for i, g := range out {
		keys[i] = key(groupPK(groupID), overrideSK(g.Channel.ChannelID, userID))
		at[g.Channel.ChannelID] = i
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		ov, err := unmarshal[MemberOverride](it)
		if err != nil {
			return nil, err
		}
		if i, ok := at[ov.ChannelID]; ok {
			out[i].Override = ov
		}
	}
	return out, nil
}

// ChannelState is what a channel operation or a permission check decides
// on, read as one snapshot.
type ChannelState struct {
	Group   *Group
	Members map[string]*Member
	Custom  *CustomAuths
	// Channel is nil when no channel was asked for or it does not exist.
	Channel *Channel
	// Overrides are the asked users' settings that apply in Channel, by
	// userID: in the channel, or in its category while it is synced; a user
	// without one is absent.
	Overrides map[string]*MemberOverride
	// Cats are the group's categories' layers (CATS), read with the channel.
	Cats *Categories
}

// LoadChannelState reads, in ONE TransactGetItems, the group, its roles,
// the custom items, the member records of userIDs and, when channelID is
// given, the channel, each of those users' overrides in it, the group's
// categories' layers (CATS) and each user's category facts (KU#), so that
// a synced channel is decided on its category's layer with no second read
// (attachCategory). It is the single round trip of CheckPermissions. At
// most 31 users.
func (s *Store) LoadChannelState(ctx context.Context, groupID, channelID string, userIDs ...string) (*ChannelState, error) {
	return s.loadChannelState(ctx, readTx, groupID, channelID, userIDs...)
}

// ViewChannelState is LoadChannelState for a read nothing is written from
// (CheckPermissions, GetChannel, ListChannels): the same items in ONE
// BatchGetItem, eventually consistent unless the context asks otherwise
// (view.go).
func (s *Store) ViewChannelState(ctx context.Context, groupID, channelID string, userIDs ...string) (*ChannelState, error) {
	return s.loadChannelState(ctx, readView, groupID, channelID, userIDs...)
}

func (s *Store) loadChannelState(ctx context.Context, how reader, groupID, channelID string, userIDs ...string) (*ChannelState, error) {
	var users []string
	for _, id := range userIDs {
		if id != "" && !slices.Contains(users, id) {
			users = append(users, id)
		}
	}
	extra := []map[string]types.AttributeValue{key(pkApp, skCustom)}
	if channelID != "" {
		extra = append(extra, key(groupPK(groupID), channelSK(channelID)), key(groupPK(groupID), skCategories))
		for _, id := range users {
			extra = append(extra, key(groupPK(groupID), overrideSK(channelID, id)), key(groupPK(groupID), userCatsSK(id)))
		}
	}
	g, ms, items, err := s.readSnapshot(ctx, how, groupID, users, extra)
	if err != nil {
		return nil, err
	}
	st := &ChannelState{Group: g, Members: ms, Overrides: map[string]*MemberOverride{}}
	if st.Custom, err = unmarshalCustomAuths(items[0]); err != nil {
		return nil, err
	}
	if channelID == "" {
		return st, nil
	}
	if items[1] != nil {
		if st.Channel, err = unmarshalChannel(items[1]); err != nil {
			return nil, err
		}
	}
	if st.Cats, err = unmarshalCategories(items[2]); err != nil {
		return nil, err
	}
	facts := make(map[string]*userCats, len(users))
	for i, id := range users {
		if it := items[3+2*i]; it != nil {
			ov, err := unmarshal[MemberOverride](it)
			if err != nil {
				return nil, err
			}
			st.Overrides[id] = ov
		}
		if facts[id], err = unmarshalUserCats(groupID, id, items[4+2*i]); err != nil {
			return nil, err
		}
	}
	attachCategory(st.Channel, st.Cats, facts, st.Overrides)
	return st, nil
}

// CleanupDeletedChannel deletes at most maxItems member overrides of a
// deleted channel, in transactions of at most CleanupBatch deletes, each
// with a check that the channel is still deleted. It answers done once
// none is left. Deletes are unconditional, so running it again or
// concurrently is safe.
func (s *Store) CleanupDeletedChannel(ctx context.Context, groupID, channelID string, maxItems int) (done bool, err error) {
	if maxItems < 1 {
		return false, fmt.Errorf("cleanup of channel %s: maxItems %d < 1", channelID, maxItems)
	}
	left := maxItems
	for {
		if left == 0 {
			return false, nil
		}
		asked := min(left, CleanupBatch)
		keys, err := s.recordKeys(ctx, groupID, overrideSK(channelID, ""), asked)
		if err != nil {
			return false, err
		}
		if len(keys) == 0 {
			return true, nil
		}
		t := &tx{}
		addTo(t, s.checkItem(groupPK(groupID), channelSK(channelID)).If(ifAbsent), func(map[string]types.AttributeValue) error {
			return errcode.New(errcode.InvalidArgument, "channel %s is not deleted", channelID)
		})
		for _, k := range keys {
			addTo(t, s.deleteItem(strAttr(k, "PK"), strAttr(k, "SK")), nil)
		}
		if err := s.commit(ctx, t); err != nil {
			return false, err
		}
		left -= len(keys)
		if len(keys) < asked {
			return true, nil
		}
	}
}

// CleanupStaleOverrides deletes at most maxItems member overrides of a
// channel that no longer apply: those set before the channel last dropped
// its own settings (synced to its category), whose generation is not the
// channel's. Each delete is conditioned on the override still being of
// another generation, so an override set meanwhile stays. A step reads the
// channel's override range (filtered to the stale ones) up to the first
// maxItems+1 of them; done once none is left beyond those deleted. A
// missing channel is done here: CleanupDeletedChannel removes its overrides.
func (s *Store) CleanupStaleOverrides(ctx context.Context, groupID, channelID string, maxItems int) (done bool, err error) {
	if maxItems < 1 {
		return false, fmt.Errorf("cleanup of channel %s: maxItems %d < 1", channelID, maxItems)
	}
	ch, err := s.GetChannel(ctx, groupID, channelID)
	if errcode.CodeOf(err) == errcode.NotFound {
		return true, nil
	}
	if err != nil || ch.Gen == 0 {
		return err == nil, err // generation 0: nothing was ever dropped
	}
	const stale = "attribute_not_exists($) OR $ <> ?"
	q := s.partition(baseTable, groupPK(groupID)).
		Range("SK", dynamo.BeginsWith, overrideSK(channelID, "")).
		Filter(stale, "gen", "gen", ch.Gen).
		Project("PK", "SK").
		Consistent(true)
	var keys []Item
	errEnough := errors.New("enough")
	err = each(ctx, q, func(it Item) error {
		keys = append(keys, it)
		if len(keys) > maxItems {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return false, err
	}
	for _, k := range keys[:min(maxItems, len(keys))] {
		err := s.deleteItem(strAttr(k, "PK"), strAttr(k, "SK")).If(stale, "gen", "gen", ch.Gen).Run(ctx)
		if err != nil && !dynamo.IsCondCheckFailed(err) {
			return false, translate(err)
		}
	}
	return len(keys) <= maxItems, nil
}
