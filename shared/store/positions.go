package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/event"
)

// Positions order categories and channels (a channel's among the channels
// of its category). A reorder is one change of the group: every record it
// names is updated in the change's one transaction, conditioned on the rev
// read, so it applies whole or not at all.
//
// Channels are listed in position order through GSI1, whose key every
// channel write sets:
//
//	channel  G#<gid>  C#<cid>  GSI1: G#<gid>#C / <position, 7 digits>#<cid>
//
// so a page of ListChannels reads only that page's channels; ties sort by
// channelID (creation order for generated IDs, which are ULIDs).

// MaxPosition bounds a category's or a channel's position.
const MaxPosition = 1_000_000

// MaxPositions bounds the entries of one reorder request: each is one item
// of its transaction, beside the group record, the event and the
// idempotency marker, within DynamoDB's 100.
const MaxPositions = 50

func channelsByPositionPK(gid string) string { return "G#" + gid + "#C" }

func channelPositionSK(pos int64, cid string) string { return fmt.Sprintf("%07d#%s", pos, cid) }

// UpdateCategoryPositions writes the positions of categories (each as read,
// live) as one change of g: each record's update is conditioned on its rev.
func (s *Store) UpdateCategoryPositions(ctx context.Context, g *Group, cats []*Category, positions map[string]int64, ev event.Event) (*event.Event, error) {
	if len(cats) > MaxPositions {
		return nil, fmt.Errorf("store: reorder of %d categories", len(cats))
	}
	return s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		for _, c := range cats {
			addTo(t, s.updateCategory(c).Set("position", positions[c.CategoryID]).If("attribute_not_exists($)", "deleted"), categoryMoved(c.CategoryID))
		}
	})
}

// UpdateChannelPositions writes the positions of channels (each as read)
// as one change of g: each channel's update is conditioned on its rev, so a
// channel moved to another category meanwhile fails the whole change.
func (s *Store) UpdateChannelPositions(ctx context.Context, g *Group, channels []*Channel, positions map[string]int64, ev event.Event) (*event.Event, error) {
	if len(channels) > MaxPositions {
		return nil, fmt.Errorf("store: reorder of %d channels", len(channels))
	}
	return s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		for _, ch := range channels {
			p := positions[ch.ChannelID]
			up := s.updateChannel(g.GroupID, ch).Set("position", p).
				Set(gsi1.pk, channelsByPositionPK(g.GroupID)).Set(gsi1.sk, channelPositionSK(p, ch.ChannelID))
			addTo(t, up, channelMoved(ch))
		}
	})
}

// LoadChannels reads channels of a group by ID, each with userID's
// override that applies in it (a synced channel's category override, its
// category's layer attached), in one BatchGetItem with CATS and the user's
// category facts. Missing channels are absent from the answer.
func (s *Store) LoadChannels(ctx context.Context, groupID, userID string, channelIDs []string) (map[string]ChannelGrant, *Categories, error) {
	gpk := groupPK(groupID)
	keys := []map[string]types.AttributeValue{key(gpk, skCategories), key(gpk, userCatsSK(userID))}
	for _, cid := range distinct(channelIDs) {
		keys = append(keys, key(gpk, channelSK(cid)), key(gpk, overrideSK(cid, userID)))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	var catsItem, userItem Item
	chans := map[string]*Channel{}
	ovs := map[string]*MemberOverride{}
	for _, it := range items {
		switch sk := strAttr(it, "SK"); {
		case sk == skCategories:
			catsItem = it
		case strings.HasPrefix(sk, prefixUserCats):
			userItem = it
		case strings.HasPrefix(sk, prefixChannel):
			ch, err := unmarshalChannel(it)
			if err != nil {
				return nil, nil, err
			}
			chans[ch.ChannelID] = ch
		case strings.HasPrefix(sk, prefixOverride):
			ov, err := unmarshal[MemberOverride](it)
			if err != nil {
				return nil, nil, err
			}
			ovs[ov.ChannelID] = ov
		}
	}
	cats, err := unmarshalCategories(catsItem)
	if err != nil {
		return nil, nil, err
	}
	u, err := unmarshalUserCats(groupID, userID, userItem)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]ChannelGrant, len(chans))
	for cid, ch := range chans {
		mine := map[string]*MemberOverride{}
		if ov := ovs[cid]; ov != nil {
			mine[userID] = ov
		}
		attachCategory(ch, cats, map[string]*userCats{userID: u}, mine)
		out[cid] = ChannelGrant{Channel: ch, Override: mine[userID]}
	}
	return out, cats, nil
}
