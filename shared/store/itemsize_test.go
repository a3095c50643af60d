package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func TestItemSizeCountsNamesAndValuesAsDynamoDBBillsThem(t *testing.T) {
	cases := []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"a string: its name and its bytes", map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "G#g1"}}, 2 + 4},
		{"a number: one byte per two significant digits, plus one", map[string]types.AttributeValue{"v": &types.AttributeValueMemberN{Value: "12345"}}, 1 + 4},
		{"leading and trailing zeros are not significant", map[string]types.AttributeValue{"v": &types.AttributeValueMemberN{Value: "-0.0012300"}}, 1 + 3},
		{"a boolean is one byte", map[string]types.AttributeValue{"ok": &types.AttributeValueMemberBOOL{Value: true}}, 2 + 1},
		{"a map: three bytes, then per entry one, its key and its value", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "vv"}}}}, 1 + 3 + 1 + 1 + 2},
		{"a list: three bytes, then per element one and its value", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "ab"}, &types.AttributeValueMemberN{Value: "7"}}}}, 1 + 3 + 1 + 2 + 1 + 2},
		{"a string set: its strings", map[string]types.AttributeValue{"ss": &types.AttributeValueMemberSS{Value: []string{"a", "bcd"}}}, 2 + 4},
		{"a multibyte string counts bytes", map[string]types.AttributeValue{"s": &types.AttributeValueMemberS{Value: strings.Repeat("é", 3)}}, 1 + 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, store.ItemSize(c.item))
		})
	}
}

// A write's snapshot is a TransactGetItems, two units per item of up to
// 4 KB; the floor the cost table compares it with is one strongly
// consistent read of the same items, one unit each (an absent item too).
func TestTheMeterPricesASnapshotsFloorAtOneConsistentReadAnItem(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob")
	_, err := st.CreateGroup(ctx, newGroup("g1", "alice"), []*store.Member{member("g1", "alice", store.RoleOwner), member("g1", "bob", store.RoleMember)}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)

	mctx, meter := store.WithMeter(ctx)
	_, ms, err := st.Snapshot(mctx, "g1", "alice", "bob", "nobody")
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, map[string]int{"TransactGetItems": 1}, meter.CallsByOperation())
	assert.Equal(t, 5.0, meter.FloorReadUnits(), "group, roles, two members and an absent one")
	assert.Equal(t, 10.0, meter.ReadUnits(), "two units per item, the absent one too")

	vctx, view := store.WithMeter(store.WithConsistentReads(ctx))
	_, _, err = st.View(vctx, "g1", "alice", "bob")
	require.NoError(t, err)
	assert.Equal(t, 4.0, view.FloorReadUnits())
	assert.Equal(t, view.FloorReadUnits(), view.ReadUnits(), "a consistent BatchGetItem is the floor")
}
