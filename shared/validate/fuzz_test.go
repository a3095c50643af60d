package validate

import (
	"strings"
	"testing"

	"github.com/circles-im/circles/shared/errcode"
)

// isIDByHand is the ID rule spelled out byte by byte: 1 to 64 characters,
// each a letter, a digit or one of _ . @ : -.
func isIDByHand(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.@:-", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// FuzzID: the validator accepts exactly the documented IDs, so no key
// separator ('#', '/') or other byte reaches a DynamoDB key, and every
// refusal is INVALID_ARGUMENT.
func FuzzID(f *testing.F) {
	for _, s := range []string{"alice", "a", strings.Repeat("x", 64), strings.Repeat("x", 65), "", "G#1", "a/b", "ünïcode", "a\n", "01JGM3Z8Y6S1QK0V6F2T9D4E7A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := isIDByHand(s)
		if got := IsID(s); got != want {
			t.Fatalf("IsID(%q) = %v, want %v", s, got, want)
		}
		err := ID("userID", s)
		if want != (err == nil) {
			t.Fatalf("ID(%q) = %v, want accepted=%v", s, err, want)
		}
		if err != nil && errcode.Of(err).Code != errcode.InvalidArgument {
			t.Fatalf("ID(%q) answered %v, want INVALID_ARGUMENT", s, errcode.Of(err).Code)
		}
		if want && strings.ContainsAny(s, "#/") {
			t.Fatalf("%q is accepted but contains a key separator", s)
		}
		// The batch check agrees with the single one, and a repeat is refused.
		if (IDs("userIDs", []string{s}, true) == nil) != want {
			t.Fatalf("IDs([%q]) disagrees with ID", s)
		}
		if IDs("userIDs", []string{s, s}, true) == nil {
			t.Fatalf("IDs accepted %q twice", s)
		}
	})
}
