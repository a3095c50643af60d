package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/client"
)

// fakeAPI answers from a script of (status, body) per request and records
// what each request carried. It stands in for the API only in these unit
// tests of the transport; the client is tested against the real API in
// infra/contract.
type fakeAPI struct {
	mu      sync.Mutex
	answers []answer
	seen    []http.Header
	bodies  []string
}

type answer struct {
	status  int
	body    string
	headers map[string]string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b [256]byte
	n, _ := r.Body.Read(b[:])
	f.seen = append(f.seen, r.Header.Clone())
	f.bodies = append(f.bodies, string(b[:n]))
	a := f.answers[min(len(f.seen), len(f.answers))-1]
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

func envelope(code string, errCode int) string {
	return fmt.Sprintf(`{"error":{"code":%q,"errCode":%d,"message":"m-%s","requestId":"r-1"}}`, code, errCode, code)
}

const groupBody = `{"groupID":"g1","groupName":"G","notification":"","introduction":"","faceURL":"","ex":"","status":0,"creatorUserID":"alice","groupType":2,"ownerUserID":"alice","memberCount":1,"needVerification":0,"lookMemberInfo":0,"applyMemberFriend":0,"notificationUpdateTime":0,"notificationUserID":"","createTime":1,"version":1}`

func newClient(t *testing.T, f *fakeAPI, tokens client.TokenSource) *client.ClientWithResponses {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, client.Options{Tokens: tokens, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxAttempts: 3})
	require.NoError(t, err)
	return c
}

func TestRetriesSendTheSameIdempotencyKeyAndBodyUntilTheRaceIsWon(t *testing.T) {
	f := &fakeAPI{answers: []answer{
		{status: 409, body: envelope("CONFLICT", 1003)},
		{status: 503, body: envelope("UNAVAILABLE", 500)},
		{status: 201, body: `{"group":` + groupBody + `,"failed":[]}`},
	}}
	c := newClient(t, f, client.StaticToken("tok"))
	resp, err := c.CreateGroupWithResponse(context.Background(), nil, client.CreateGroupJSONRequestBody{GroupName: new("G")})
	require.NoError(t, err)
	require.NotNil(t, resp.JSON201)
	require.Len(t, f.seen, 3)
	key := f.seen[0].Get("Idempotency-Key")
	require.NotEmpty(t, key, "a mutation gets a key of its own")
	for i, h := range f.seen {
		assert.Equal(t, key, h.Get("Idempotency-Key"), "attempt %d", i+1)
		assert.Equal(t, "Bearer tok", h.Get("Authorization"), "attempt %d", i+1)
		assert.JSONEq(t, f.bodies[0], f.bodies[i], "attempt %d sends the same body", i+1)
	}
	assert.Contains(t, f.bodies[0], `"groupName":"G"`)
}

func TestEachCallGetsItsOwnKeyAndTheCallersKeyIsKept(t *testing.T) {
	f := &fakeAPI{answers: []answer{{status: 200, body: `{}`}}}
	c := newClient(t, f, nil)
	ctx := context.Background()
	_, err := c.TransferGroupOwnerWithResponse(ctx, "g1", nil, client.TransferGroupOwnerInput{NewOwnerUserID: "bob"})
	require.NoError(t, err)
	_, err = c.TransferGroupOwnerWithResponse(ctx, "g1", nil, client.TransferGroupOwnerInput{NewOwnerUserID: "bob"})
	require.NoError(t, err)
	_, err = c.TransferGroupOwnerWithResponse(ctx, "g1", &client.TransferGroupOwnerParams{IdempotencyKey: new("mine")}, client.TransferGroupOwnerInput{NewOwnerUserID: "bob"})
	require.NoError(t, err)
	_, err = c.GetGroupsInfoWithResponse(ctx, &client.GetGroupsInfoParams{GroupIDs: client.IDList{"g1"}})
	require.NoError(t, err)
	require.Len(t, f.seen, 4)
	assert.NotEqual(t, f.seen[0].Get("Idempotency-Key"), f.seen[1].Get("Idempotency-Key"))
	assert.Equal(t, "mine", f.seen[2].Get("Idempotency-Key"))
	assert.Empty(t, f.seen[3].Get("Idempotency-Key"), "a read needs no key")
	assert.Empty(t, f.seen[0].Get("Authorization"), "no token source, no token")
}

func TestErrorsAreTypedAndOnlyRacesAndUnavailabilityAreRetried(t *testing.T) {
	cases := []struct {
		name     string
		answer   answer
		attempts int
		want     client.APIError
	}{
		{"a refusal is answered at once", answer{status: 403, body: envelope("NO_PERMISSION", 1002)}, 1,
			client.APIError{Status: 403, Code: client.ErrorCodeNOPERMISSION, ErrCode: 1002, Message: "m-NO_PERMISSION", RequestID: "r-1"}},
		{"a 409 that is no race is answered at once", answer{status: 409, body: envelope("GROUP_ID_EXISTS", 1202)}, 1,
			client.APIError{Status: 409, Code: client.ErrorCodeGROUPIDEXISTS, ErrCode: 1202, Message: "m-GROUP_ID_EXISTS", RequestID: "r-1"}},
		{"a race lost every time gives up after MaxAttempts", answer{status: 409, body: envelope("CONFLICT", 1003)}, 3,
			client.APIError{Status: 409, Code: client.ErrorCodeCONFLICT, ErrCode: 1003, Message: "m-CONFLICT", RequestID: "r-1"}},
		{"API Gateway's own body keeps its message and request id", answer{status: 401, body: `{"message":"Unauthorized"}`, headers: map[string]string{"Apigw-Requestid": "gw-7"}}, 1,
			client.APIError{Status: 401, Message: "Unauthorized", RequestID: "gw-7"}},
		{"throttling is retried", answer{status: 429, body: `{"message":"Too Many Requests"}`}, 3,
			client.APIError{Status: 429, Message: "Too Many Requests"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAPI{answers: []answer{tc.answer}}
			c := newClient(t, f, client.StaticToken("tok"))
			resp, err := c.DismissGroupWithResponse(context.Background(), "g1", nil)
			assert.Nil(t, resp)
			var got *client.APIError
			require.ErrorAs(t, err, &got)
			want := tc.want
			want.IdempotencyKey = f.seen[0].Get("Idempotency-Key")
			assert.NotEmpty(t, want.IdempotencyKey, "a change's error names the key it was sent with")
			assert.Equal(t, want, *got)
			assert.Equal(t, tc.want.Code, client.CodeOf(err))
			assert.Len(t, f.seen, tc.attempts)
		})
	}
}

func TestRetryAfterIsReadAndAContextDeadlineShorterThanItEndsTheCall(t *testing.T) {
	f := &fakeAPI{answers: []answer{{status: 503, body: envelope("UNAVAILABLE", 500), headers: map[string]string{"Retry-After": "30"}}}}
	c := newClient(t, f, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.DismissGroupWithResponse(ctx, "g1", nil)
	var got *client.APIError
	require.ErrorAs(t, err, &got)
	assert.Equal(t, 30*time.Second, got.RetryAfter)
	assert.Len(t, f.seen, 1, "no attempt is made that the deadline would cut off")
}

func TestATokenSourceIsAskedForEveryRequest(t *testing.T) {
	f := &fakeAPI{answers: []answer{{status: 200, body: `{}`}}}
	n := 0
	c := newClient(t, f, client.TokenFunc(func(context.Context) (string, error) { n++; return fmt.Sprint("t", n), nil }))
	for range 2 {
		_, err := c.MuteGroupWithResponse(context.Background(), "g1", nil)
		require.NoError(t, err)
	}
	assert.Equal(t, "Bearer t1", f.seen[0].Get("Authorization"))
	assert.Equal(t, "Bearer t2", f.seen[1].Get("Authorization"))
}

func TestAllWalksNextCursorToTheEndAndRefusesARepeatedCursor(t *testing.T) {
	pages := map[string]struct {
		items []int
		next  string
	}{"": {[]int{1, 2}, "a"}, "a": {[]int{3}, "b"}, "b": {[]int{4, 5}, ""}}
	var asked []string
	page := func(_ context.Context, cursor *client.CursorParameter) ([]int, client.Cursor, error) {
		c := ""
		if cursor != nil {
			c = *cursor
		}
		asked = append(asked, c)
		p := pages[c]
		return p.items, p.next, nil
	}
	got, err := client.Collect(context.Background(), page)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5}, got)
	assert.Equal(t, []string{"", "a", "b"}, asked)

	// Stopping early reads no further page.
	asked = nil
	for it, err := range client.All(context.Background(), page) {
		require.NoError(t, err)
		if it == 2 {
			break
		}
	}
	assert.Equal(t, []string{""}, asked)

	loop := func(context.Context, *client.CursorParameter) ([]int, client.Cursor, error) {
		return []int{1}, "same", nil
	}
	got, err = client.Collect(context.Background(), loop)
	require.ErrorContains(t, err, "twice")
	assert.Equal(t, []int{1, 1}, got)
}

func TestAnErrorBodyThatIsNotJSONIsKeptAsTheMessage(t *testing.T) {
	f := &fakeAPI{answers: []answer{{status: 502, body: "bad gateway"}}}
	c := newClient(t, f, nil)
	_, err := c.DismissGroupWithResponse(context.Background(), "g1", nil)
	var got *client.APIError
	require.ErrorAs(t, err, &got)
	assert.Equal(t, 502, got.Status)
	assert.Equal(t, "bad gateway", got.Message)
}

// droppingAPI closes the connection of its first `drop` requests without
// an answer (a change that may or may not have been applied), then
// answers 201, recording each request's Idempotency-Key.
type droppingAPI struct {
	mu   sync.Mutex
	drop int
	keys []string
}

func (d *droppingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	d.keys = append(d.keys, r.Header.Get("Idempotency-Key"))
	n := len(d.keys)
	d.mu.Unlock()
	if n <= d.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprint(w, `{"group":`+groupBody+`,"failed":[]}`)
}

func TestAChangeLostInTransitIsSentAgainUnderItsKey(t *testing.T) {
	cases := []struct {
		name     string
		drop     int
		wantSent int
		wantErr  bool
	}{
		{"one attempt lost, the next answered", 1, 2, false},
		{"every attempt lost", 5, 3, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &droppingAPI{drop: c.drop}
			srv := httptest.NewServer(d)
			t.Cleanup(srv.Close)
			cl, err := client.New(srv.URL, client.Options{BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxAttempts: 3})
			require.NoError(t, err)
			resp, err := cl.CreateGroupWithResponse(context.Background(), nil, client.CreateGroupJSONRequestBody{GroupName: new("G")})
			d.mu.Lock()
			keys := append([]string{}, d.keys...)
			d.mu.Unlock()
			require.Len(t, keys, c.wantSent)
			for _, k := range keys {
				assert.Equal(t, keys[0], k, "every attempt carries the first attempt's key")
			}
			assert.NotEmpty(t, keys[0])
			if !c.wantErr {
				require.NoError(t, err)
				require.NotNil(t, resp.JSON201)
				return
			}
			var te *client.TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, keys[0], te.IdempotencyKey, "the caller learns the key to retry with")
		})
	}
}
