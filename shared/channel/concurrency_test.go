package channel_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func TestConcurrentAccessListAddsNeverExceedTheLimit(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	const batches, size = 8, 150 // 1200 users offered, 1000 fit
	var members []string
	for b := range batches {
		for i := range size {
			members = append(members, fmt.Sprintf("b%d-u%03d", b, i))
		}
	}
	f.bulkMembers(members...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for b := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]string, size)
			for i := range ids {
				ids[i] = fmt.Sprintf("b%d-u%03d", b, i)
			}
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: ids})
			if err != nil {
				assert.Contains(t, []errcode.Code{errcode.LimitExceeded, errcode.Conflict}, errcode.CodeOf(err), "%v", err)
				return
			}
			mu.Lock()
			accepted++
			mu.Unlock()
		}()
	}
	wg.Wait()
	list, err := f.svc.GetChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(list.UserIDs), store.MaxAccessUsers)
	assert.Len(t, list.UserIDs, accepted*size, "every accepted batch is whole, every refused one absent")

	evs, err := f.st.ListEvents(f.ctx, "g1", 0, 1000)
	require.NoError(t, err)
	n := 0
	for _, ev := range evs {
		if ev.Type == event.ChannelAccessListUpdate {
			n++
		}
	}
	assert.Equal(t, accepted, n, "one event per accepted change")
	assert.EqualValues(t, len(evs), f.version(), "versions and events stay in step")
}
