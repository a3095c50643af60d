package validate

import (
	"regexp"
	"strings"
	"testing"

	"github.com/circles-im/circles/shared/errcode"
)

// idPattern is the documented ID rule as a regular expression: the oracle
// IsID's byte-by-byte check is fuzzed against.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.@:-]{1,64}$`)

// FuzzID: the validator accepts exactly the documented IDs, so no key
// separator ('#', '/') or other byte reaches a DynamoDB key, and every
// refusal is INVALID_ARGUMENT.
func FuzzID(f *testing.F) {
	for _, s := range []string{"alice", "a", strings.Repeat("x", 64), strings.Repeat("x", 65), "", "G#1", "a/b", "ünïcode", "a\n", "01JGM3Z8Y6S1QK0V6F2T9D4E7A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := idPattern.MatchString(s)
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
