package store

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/circles-im/circles/shared/errcode"
)

// Every prefix of a member's name that a client may send as a keyword, in
// any case, finds the member's key, and the key never lets a keyword reach
// into the userID after the name.
func TestEveryKeywordPrefixOfANameFindsItsKey(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.StringN(1, 40, -1).Draw(t, "name")
		uid := rapid.StringMatching(`[A-Za-z0-9_.@:-]{1,16}`).Draw(t, "uid")
		key := memberNameKey(name, uid)
		if key == "" {
			require.Empty(t, foldName(name), "only a name that folds to nothing has no key")
			return
		}
		require.True(t, strings.HasSuffix(key, nameKeySep+uid))
		require.True(t, utf8.ValidString(key))
		require.LessOrEqual(t, len(key), maxNameKeyBytes+len(nameKeySep)+len(uid))

		runes := []rune(name)
		n := rapid.IntRange(1, len(runes)).Draw(t, "prefix")
		prefix := string(runes[:n])
		for _, sent := range []string{prefix, strings.ToUpper(prefix), strings.ToLower(prefix)} {
			kw, err := NormalizeKeyword(sent)
			if err != nil {
				continue // spaces only, control characters, too long: refused
			}
			if strings.TrimSpace(sent) == sent {
				assert.True(t, strings.HasPrefix(key, kw), "keyword %q (%q) misses key %q", sent, kw, key)
			}
			assert.NotContains(t, kw, nameKeySep)
		}
	})
}

func TestFoldingIsIdempotentAndCaseBlind(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		f := foldName(s)
		assert.Equal(t, f, foldName(f))
		assert.Equal(t, f, foldName(strings.ToUpper(s)))
		assert.Equal(t, f, foldName(strings.ToLower(s)))
		assert.Equal(t, -1, strings.IndexFunc(f, unicode.IsControl))
	})
	for in, want := range map[string]string{"ALİCE": "alice", "Σσς": "σσσ", "ẞß": "ßß", "ſ": "s", "Zoë": "zoë"} {
		assert.Equal(t, want, foldName(in), in)
	}
}

func TestNormalizeKeywordRefusesMalformedKeywords(t *testing.T) {
	cases := map[string]string{
		"empty":             "",
		"spaces":            " \t ",
		"control character": "a\x00b",
		"unit separator":    "a\x1fb",
		"invalid UTF-8":     "\xffab",
		"65 bytes":          strings.Repeat("a", 65),
		"33 two-byte runes": strings.Repeat("é", 33),
	}
	for name, kw := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NormalizeKeyword(kw)
			assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
		})
	}
	kw, err := NormalizeKeyword("  " + strings.Repeat("A", 64) + "  ")
	require.NoError(t, err, "64 bytes after trimming")
	assert.Equal(t, strings.Repeat("a", 64), kw)
}

// FuzzNormalizeKeyword: whatever a query string holds, the keyword is
// refused with INVALID_ARGUMENT or comes out folded, bounded and free of
// the key separator.
func FuzzNormalizeKeyword(f *testing.F) {
	for _, s := range []string{"ali", " Zoë ", "a\x1fb", "\xff", strings.Repeat("x", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kw, err := NormalizeKeyword(s)
		if err != nil {
			require.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
			return
		}
		require.NotEmpty(t, kw)
		require.True(t, utf8.ValidString(kw))
		require.Equal(t, kw, foldName(kw))
		require.NotContains(t, kw, nameKeySep)
		require.LessOrEqual(t, len(kw), 4*MaxKeywordBytes)
	})
}
