package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// change is one committed change of a group: the group record moves from the
// version that was read to the next, and the outbox event of that version is
// written in the same transaction (invariant 4).
type change struct {
	t     *tx
	group *Group
	meta  *dynamo.Update
	ev    *event.Event
	// onMetaFail decides the answer when the group record's condition failed
	// for a reason other than not found / dismissed / version moved.
	onMetaFail func(old map[string]types.AttributeValue) error
}

// newChange starts a change of g, which must be the record as read (its
// Version is the expected current version).
func (s *Store) newChange(g *Group, ev event.Event) *change {
	ev.GroupID = g.GroupID
	ev.Version = g.Version + 1
	ev.EventID = NewID()
	ev.OccurredAt = s.nowMillis()
	meta := s.updateItem(groupPK(g.GroupID), skMeta).
		Set("version", g.Version+1).
		If(ifExists).
		If("$ = ?", "version", g.Version).
		If("$ <> ?", "status", StatusDismissed)
	return &change{t: &tx{}, group: g, meta: meta, ev: &ev}
}

// groupFailure explains a failed condition on the group record.
func groupFailure(old map[string]types.AttributeValue, expected int64, other func(map[string]types.AttributeValue) error) error {
	if old == nil {
		return errcode.New(errcode.GroupNotFound, "group not found")
	}
	if st, _ := intAttr(old, "status"); st == StatusDismissed {
		return errcode.New(errcode.GroupDismissed, "the group is dismissed")
	}
	if v, _ := intAttr(old, "version"); v != expected {
		return errVersionMoved
	}
	if other != nil {
		return other(old)
	}
	return errVersionMoved
}

// commitChange writes the group update first, then the items the change
// added, then the event, all in one transaction.
func (s *Store) commitChange(ctx context.Context, c *change, items func(t *tx)) (*event.Event, error) {
	expected := c.group.Version
	addTo(c.t, c.meta, func(old map[string]types.AttributeValue) error {
		return groupFailure(old, expected, c.onMetaFail)
	})
	// Set before items, which may name the change's version (the joined log).
	c.t.ref = &changeRef{groupID: c.group.GroupID, version: expected + 1}
	if items != nil {
		items(c.t)
	}
	// A repeated version is impossible while the version condition holds;
	// the condition on the event is a second lock on invariant 4.
	addTo(c.t, s.putItem(s.eventItem(c.ev)).If(ifAbsent), func(map[string]types.AttributeValue) error {
		return errVersionMoved
	})
	if err := s.commit(ctx, c.t); err != nil {
		return nil, err
	}
	c.group.Version++
	return c.ev, nil
}
