package validate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/circles-im/circles/shared/errcode"
)

func TestIDAcceptsOnlyTheDocumentedPattern(t *testing.T) {
	cases := []struct {
		id string
		ok bool
	}{
		{"alice", true},
		{"a.b_c-d@e:f", true},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
		{"", false},
		{"G#1", false},
		{"a/b", false},
		{"with space", false},
		{"ünïcode", false},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			err := ID("userID", c.id)
			if c.ok {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
			}
		})
	}
}

func TestTextCountsCharactersNotBytes(t *testing.T) {
	assert.NoError(t, Text("groupName", strings.Repeat("群", MaxText), MaxText))
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(Text("groupName", strings.Repeat("群", MaxText+1), MaxText)))
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(Text("ex", "\xff", MaxEx)))
}

func TestIDsRejectsDuplicatesOversizeAndBadEntries(t *testing.T) {
	big := make([]string, MaxBatch+1)
	for i := range big {
		big[i] = "u" + strings.Repeat("1", 1) + string(rune('a'+i%26)) + strings.Repeat("x", i%30)
	}
	cases := []struct {
		name     string
		ids      []string
		required bool
		ok       bool
	}{
		{"empty optional", nil, false, true},
		{"empty required", nil, true, false},
		{"valid", []string{"a", "b"}, true, true},
		{"duplicate", []string{"a", "b", "a"}, false, false},
		{"bad entry", []string{"a", "b/c"}, false, false},
		{"too many", big, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := IDs("userIDs", c.ids, c.required)
			if c.ok {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
			}
		})
	}
}
