package store

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
)

// A cursor whose sort key is longer than DynamoDB accepts (1024 bytes) once
// reached the Query and answered 500. Every list refuses it as the invalid
// cursor it is, whatever partition it claims.
func TestATamperedCursorWithAnOversizedKeyIsInvalidNotInternal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testStore(t)
	long := strings.Repeat("x", 1100)
	pending := 0
	lists := []struct {
		name string
		list func(cursor string) error
		ix   index
		pk   string
	}{
		{"members", func(c string) error { _, err := s.ListMembers(ctx, "g1", 0, 10, c); return err }, gsi1, membersByRankPK("g1")},
		{"members of one rank", func(c string) error { _, err := s.ListMembers(ctx, "g1", FilterOwnerAdmins, 10, c); return err }, gsi1, membersByRankPK("g1")},
		{"joined groups", func(c string) error { _, err := s.ListJoinedGroups(ctx, "alice", 10, c); return err }, gsi2, groupsOfUserPK("alice")},
		{"a group's applications", func(c string) error { _, err := s.ListGroupApplications(ctx, "g1", nil, 10, c); return err }, gsi1, applicationsPK("g1")},
		{"a group's pending applications", func(c string) error { _, err := s.ListGroupApplications(ctx, "g1", &pending, 10, c); return err }, gsi3, applicationsByResultPK("g1", 0)},
		{"sent applications", func(c string) error { _, err := s.ListUserApplications(ctx, "alice", 10, c); return err }, gsi2, userApplicationsPK("alice")},
		{"channels", func(c string) error { _, err := s.ListChannels(ctx, "g1", 10, c); return err }, gsi1, channelsByPositionPK("g1")},
		{"role members", func(c string) error { _, err := s.ListRoleMembers(ctx, "g1", "r1", 10, c); return err }, baseTable, groupPK("g1")},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			k := map[string]string{"PK": l.pk, "SK": long, l.ix.pk: l.pk, l.ix.sk: long}
			if l.ix == baseTable {
				k["SK"] = roleMemberSK("r1", long)
			}
			assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(l.list(encodeCursor(k))))
		})
	}
	t.Run("received applications", func(t *testing.T) {
		// The cursor is the last application's key in GSI1.
		at := func(gid, sk string) map[string]string {
			return map[string]string{"PK": groupPK(gid), "SK": applicationSK("bob"), gsi1.pk: applicationsPK(gid), gsi1.sk: sk}
		}
		for _, k := range []map[string]string{
			at("g1", long),
			at(long, "0000000000001#bob"),
			{gsi1.sk: "0000000000001#bob"},
		} {
			_, err := s.ListApplicationsAcross(ctx, []string{"g1"}, nil, 10, encodeCursor(k))
			assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
		}
		_, err := s.ListApplicationsAcross(ctx, []string{"g1"}, nil, 10, strings.Repeat("A", maxCursor+1))
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "a cursor too long to decode")
		page, err := s.ListApplicationsAcross(ctx, []string{"g1"}, nil, 10, encodeCursor(at("g1", "9999999999999#zz")))
		require.NoError(t, err, "a well-formed position is read")
		assert.Empty(t, page.Items)
	})
}

// FuzzCursorCodec: whatever a client sends as a cursor, the decoder answers
// INVALID_ARGUMENT or fields within their bounds, exactly those asked; and
// every position the encoder writes decodes back to itself.
func FuzzCursorCodec(f *testing.F) {
	f.Add(encodeCursor(map[string]string{"PK": "G#g1", "SK": "C#c1"}), "0000000000001#bob", "g1")
	f.Add(encodeCursor(map[string]string{"PK": "G#g1", "SK": "A#bob", gsi1.pk: applicationsPK("g1"), gsi1.sk: strings.Repeat("x", 1100)}), "", "g1")
	f.Add("e30", "a", "b")
	f.Add("bnVsbA", "a", "b") // null
	f.Add("not base64!", strings.Repeat("é", 200), "g")
	f.Fuzz(func(t *testing.T, cursor, sk, gid string) {
		for _, names := range [][]string{keyNames(gsi3), keyNames(baseTable), keyNames(gsi1)} {
			k, err := decodeCursor(cursor, names...)
			if err != nil {
				require.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "%v", err)
				continue
			}
			require.Len(t, k, len(names))
			for _, n := range names {
				require.NotEmpty(t, k[n])
				require.LessOrEqual(t, len(k[n]), maxCursorField)
			}
		}
		if key, err := decodeKeyCursor(gsi2, groupsOfUserPK("alice"), cursor); err == nil {
			require.Equal(t, groupsOfUserPK("alice"), strAttr(key, gsi2.pk), "a cursor of another partition is refused")
			for _, n := range keyNames(gsi2) {
				require.LessOrEqual(t, len(strAttr(key, n)), maxCursorField)
			}
		}

		// Keys are UTF-8 (IDs are ASCII); JSON would replace invalid bytes.
		if !utf8.ValidString(sk) || !utf8.ValidString(gid) {
			return
		}
		last := Item{}
		for n, v := range map[string]string{"PK": groupPK(gid), "SK": applicationSK(gid), gsi1.pk: applicationsPK(gid), gsi1.sk: sk} {
			last[n] = &types.AttributeValueMemberS{Value: v}
		}
		k, err := decodeKeyCursor(gsi1, applicationsPK(gid), encodeKeyCursor(gsi1, last))
		valid := func(v string) bool { return v != "" && len(v) <= maxCursorField }
		if !valid(sk) || !valid(applicationsPK(gid)) {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		require.Equal(t, last, k)
	})
}
