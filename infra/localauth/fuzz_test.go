package localauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// hs256 signs the first two parts of a token as HS256 does.
func hs256(key []byte, signingInput string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signingInput))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// FuzzVerify builds tokens from a fuzzed header, payload and signature, the
// signature either fuzzed too or made with the right key (so the fuzzer
// explores the claims checks past the signature), or takes a fuzzed string
// as the whole token. Verify never panics, every refusal wraps
// ErrInvalidToken, and it accepts only an HS256 token signed with the key,
// unexpired, whose sub is a valid user ID.
func FuzzVerify(f *testing.F) {
	f.Add(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","exp":4102444800}`, "", true, false)
	f.Add(`{"alg":"none"}`, `{"sub":"admin","exp":4102444800}`, "", false, false)
	f.Add("", "", "eyJhbGciOiJIUzI1NiJ9.e30.", false, true)
	f.Fuzz(func(t *testing.T, header, payload, sig string, signWithKey, raw bool) {
		token := sig
		if !raw {
			input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
			if signWithKey {
				sig = hs256(secret, input)
			}
			token = input + "." + sig
		}
		c, err := Verify(secret, token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify(%q) = %v, which does not wrap ErrInvalidToken", token, err)
			}
			return
		}
		if !raw && !signWithKey && sig != hs256(secret, token[:len(token)-len(sig)-1]) {
			t.Fatalf("accepted a token not signed with the key: %q", token)
		}
		if !raw {
			var h map[string]any
			if json.Unmarshal([]byte(header), &h) != nil || h["alg"] != "HS256" {
				t.Fatalf("accepted a token whose header is %q", header)
			}
		}
		if !subjectPattern.MatchString(c.Subject) || c.All["sub"] != c.Subject {
			t.Fatalf("accepted sub %q (claims %v)", c.Subject, c.All)
		}
		if !c.ExpiresAt.After(time.Now().Add(-time.Minute)) {
			t.Fatalf("accepted a token that expired at %v", c.ExpiresAt)
		}
		if _, err := Verify([]byte("another-key"), token); err == nil {
			t.Fatalf("a token Verify accepted also passes with another key: %q", token)
		}
	})
}
