package group

import (
	"context"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// DefaultCleanupItems is how many records one consumer invocation removes
// before it hands the rest to the next delivery; it bounds the work (and
// the Lambda's time) per message.
const DefaultCleanupItems = 1000

// CleanupDismissed removes up to maxItems member and application records
// of a dismissed group, in transactions of at most store.CleanupBatch
// deletes that keep memberCount equal to the member records. It answers
// done once nothing is left; until then the caller calls it again (the
// pipeline redelivers the GroupDismissed event). Safe to repeat and to run
// concurrently.
func (s *Service) CleanupDismissed(ctx context.Context, groupID string, maxItems int) (done bool, err error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return false, err
	}
	if maxItems <= 0 {
		maxItems = DefaultCleanupItems
	}
	return store.Retry(ctx, func() (bool, error) { return s.st.CleanupDismissed(ctx, groupID, maxItems) })
}

// OnGroupEvent is the cleanup consumer's entry point: a GroupDismissed event
// starts (or continues) the removal of the group's records, RoleDeleted the
// removal of a deleted role's memberships and channel roles, ChannelDeleted
// that of a deleted channel's member overrides, CategoryDeleted the move of
// a deleted category's channels out of it (keeping the settings they
// followed) and the removal of its tombstone, ChannelUpdated of a synced
// channel the removal of its member overrides from before it synced, which
// no longer apply (their generation moved). Other events need nothing
// and are done. Each removal is idempotent, so a redelivery is harmless.
func (s *Service) OnGroupEvent(ctx context.Context, ev event.Event, maxItems int) (done bool, err error) {
	if maxItems <= 0 {
		maxItems = DefaultCleanupItems
	}
	var cleanup func() (bool, error)
	switch ev.Type {
	case event.GroupDismissed:
		return s.CleanupDismissed(ctx, ev.GroupID, maxItems)
	case event.RoleDeleted:
		roleID, _ := ev.Payload["roleID"].(string)
		cleanup = func() (bool, error) { return s.st.CleanupDeletedRole(ctx, ev.GroupID, roleID, maxItems) }
	case event.ChannelDeleted:
		channelID, _ := ev.Payload["channelID"].(string)
		cleanup = func() (bool, error) { return s.st.CleanupDeletedChannel(ctx, ev.GroupID, channelID, maxItems) }
	case event.CategoryDeleted:
		categoryID, _ := ev.Payload["categoryID"].(string)
		cleanup = func() (bool, error) { return s.st.CleanupDeletedCategory(ctx, ev.GroupID, categoryID, maxItems) }
	case event.ChannelUpdated:
		// A synced channel dropped its own settings: its member overrides
		// of the generation before no longer apply and are removed.
		ch, _ := ev.Payload["channel"].(map[string]any)
		channelID, _ := ch["channelID"].(string)
		if sync, _ := ch["syncMode"].(float64); sync != model.Synced || channelID == "" {
			return true, nil
		}
		cleanup = func() (bool, error) { return s.st.CleanupStaleOverrides(ctx, ev.GroupID, channelID, maxItems) }
	default:
		return true, nil
	}
	return store.Retry(ctx, cleanup)
}
