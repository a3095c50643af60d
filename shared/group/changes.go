package group

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Changes is the answer of GetGroupChanges. Full means the client's version
// is not covered by the retained log and it must reload the group; Items is
// then empty.
type Changes struct {
	Version int64         `json:"version"`
	Full    bool          `json:"full"`
	Items   []event.Event `json:"items"`
}

// Changes returns the group's events after sinceVersion, in version order,
// with the group's current version: OpenIM's incremental sync, read with one
// Query of the event partition. Events expire (TTL), so when the log no
// longer starts right after sinceVersion, or has a gap, or sinceVersion is
// ahead of the group, the answer is full=true and the client reloads.
func (s *Service) Changes(ctx context.Context, a permission.Actor, groupID string, sinceVersion int64, limit int) (*Changes, error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if sinceVersion < 0 {
		return nil, errcode.New(errcode.InvalidArgument, "sinceVersion must not be negative")
	}
	limit, err := store.NormalizeLimit(limit)
	if err != nil {
		return nil, err
	}
	g, _, err := s.readMembers(ctx, a, groupID)
	if err != nil {
		return nil, err
	}
	out := &Changes{Version: g.Version, Items: []event.Event{}}
	if sinceVersion == g.Version {
		return out, nil
	}
	if sinceVersion > g.Version {
		out.Full = true
		return out, nil
	}
	evs, err := s.st.ListEvents(ctx, groupID, sinceVersion, limit)
	if err != nil {
		return nil, err
	}
	for i, ev := range evs {
		// Changes committed after the snapshot wait for the next call, so
		// items never run ahead of the version answered.
		if ev.Version > g.Version {
			break
		}
		if ev.Version != sinceVersion+1+int64(i) {
			return &Changes{Version: g.Version, Full: true, Items: []event.Event{}}, nil
		}
		out.Items = append(out.Items, ev)
	}
	if len(out.Items) == 0 {
		// The group is ahead of sinceVersion but its next event is gone.
		out.Full = true
	}
	return out, nil
}
