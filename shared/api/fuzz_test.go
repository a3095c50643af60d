package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/validate"
)

// FuzzRequestDecoding drives a request's identity and body through
// newRequest and Decode (into CreateGroup's input, which has strings,
// numbers and lists). Neither panics; a refusal is UNAUTHENTICATED exactly
// when the subject is not a valid ID, else INVALID_ARGUMENT; and what Decode
// accepts is valid JSON naming only the input's fields, which decodes to
// the same value again.
func FuzzRequestDecoding(f *testing.F) {
	f.Add("alice", []byte(`{"groupName":"x","memberUserIDs":["bob"]}`), false)
	f.Add("alice", []byte(`{"groupName":"x","admin":true}`), false)
	f.Add("a/b", []byte(`{}`), false)
	f.Add("alice", []byte(base64.StdEncoding.EncodeToString([]byte(`{"groupType":2}`))), true)
	f.Fuzz(func(t *testing.T, sub string, body []byte, isBase64 bool) {
		ev := &events.APIGatewayV2HTTPRequest{Body: string(body), IsBase64Encoded: isBase64}
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": sub}},
		}
		r, err := newRequest(ev, permission.ParseAppAdmins("admin"))
		if !validate.IsID(sub) {
			if errcode.Of(err).Code != errcode.Unauthenticated {
				t.Fatalf("subject %q: got %v, want UNAUTHENTICATED", sub, err)
			}
			return
		}
		if err != nil {
			if errcode.Of(err).Code != errcode.InvalidArgument {
				t.Fatalf("body %q: got %v, want INVALID_ARGUMENT", body, err)
			}
			return
		}
		if r.Actor.UserID != sub {
			t.Fatalf("actor %q, want %q", r.Actor.UserID, sub)
		}
		var in group.CreateInput
		if err := r.Decode(&in); err != nil {
			if errcode.Of(err).Code != errcode.InvalidArgument {
				t.Fatalf("body %q: got %v, want INVALID_ARGUMENT", r.body, err)
			}
			return
		}
		doc := bytes.TrimSpace(r.body)
		if len(doc) == 0 {
			doc = []byte("{}")
		}
		if !json.Valid(doc) {
			t.Fatalf("accepted invalid JSON %q", doc)
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(doc, &fields) == nil {
			known := knownFields(reflect.TypeOf(in))
			for k := range fields {
				if !known[strings.ToLower(k)] {
					t.Fatalf("accepted the unknown field %q in %q", k, doc)
				}
			}
		}
		again, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var back group.CreateInput
		if err := json.Unmarshal(again, &back); err != nil || !reflect.DeepEqual(normalize(in), normalize(back)) {
			t.Fatalf("decoded %+v does not round-trip: %+v (%v)", in, back, err)
		}
	})
}

// knownFields are a struct's JSON names, lower-cased: encoding/json matches
// them case-insensitively.
func knownFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out[strings.ToLower(name)] = true
	}
	return out
}

// normalize compares an empty list and an absent one as equal: both mean
// "none", though [] and null re-encode differently.
func normalize(in group.CreateInput) group.CreateInput {
	if len(in.MemberUserIDs) == 0 {
		in.MemberUserIDs = nil
	}
	if len(in.AdminUserIDs) == 0 {
		in.AdminUserIDs = nil
	}
	return in
}
