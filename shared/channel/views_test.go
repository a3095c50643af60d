package channel_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/store"
)

// ListChannelMembers, the category list, a category's access list and its
// roles write nothing: they decide who may read with one BatchGetItem
// (eventually consistent), never a TransactGetItems, and consistent=true
// reads the same items at twice the units in as many calls.
func TestChannelMemberAndCategoryReadsDecideOnOneBatchGetItemNotATransaction(t *testing.T) {
	f := newFixture(t)
	cat := f.category("k", model.ChannelPublic)
	_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", cat.CategoryID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}})
	require.NoError(t, err)
	pub := f.channel("pub", model.ChannelPublic)
	synced := f.channel("synced", model.ChannelPublic)
	f.place(synced.ChannelID, cat.CategoryID, model.Synced)
	carol := admins.Actor("carol")
	reads := []struct {
		name  string
		calls map[string]int
		read  func(context.Context) error
	}{
		{"ListChannelMembers of a public channel", map[string]int{"BatchGetItem": 1, "Query": 1}, func(ctx context.Context) error {
			page, err := f.svc.ListChannelMembers(ctx, carol, "g1", pub.ChannelID, 0, "")
			if err == nil {
				assert.Len(t, page.Items, 5)
			}
			return err
		}},
		// The category's record (its full list) is one more item, read
		// as the view reads: CATS came with the channel.
		{"ListChannelMembers of a synced channel", map[string]int{"BatchGetItem": 2, "Query": 1}, func(ctx context.Context) error {
			page, err := f.svc.ListChannelMembers(ctx, carol, "g1", synced.ChannelID, 0, "")
			if err == nil {
				assert.Len(t, page.Items, 4, "erin is on the category's blacklist")
			}
			return err
		}},
		{"ListCategories", map[string]int{"BatchGetItem": 2, "Query": 1}, func(ctx context.Context) error {
			page, err := f.svc.ListCategories(ctx, carol, "g1")
			if err == nil {
				assert.Len(t, page.Items, 1)
			}
			return err
		}},
		{"GetCategoryAccessList", map[string]int{"BatchGetItem": 1}, func(ctx context.Context) error {
			list, err := f.svc.GetCategoryAccessList(ctx, carol, "g1", cat.CategoryID)
			if err == nil {
				assert.Equal(t, []string{"erin"}, list.UserIDs)
			}
			return err
		}},
		{"ListCategoryRoles", map[string]int{"BatchGetItem": 1}, func(ctx context.Context) error {
			_, err := f.svc.ListCategoryRoles(ctx, carol, "g1", cat.CategoryID)
			return err
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			eventual, meter := store.WithMeter(f.ctx)
			require.NoError(t, r.read(eventual))
			assert.Equal(t, r.calls, meter.CallsByOperation())
			consistent, strong := store.WithMeter(store.WithConsistentReads(f.ctx))
			require.NoError(t, r.read(consistent))
			assert.Equal(t, r.calls, strong.CallsByOperation())
			assert.Greater(t, strong.ReadUnits(), meter.ReadUnits(), "consistent=true asks for strongly consistent items")
		})
	}
}
