package devstack

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/shared/validate"
)

var apiSecret = []byte("api-test-secret")

func TestNewHTTPEventBuildsPayloadFormat2(t *testing.T) {
	r := httptest.NewRequest("POST", "http://127.0.0.1:3000/groups/g%401/owner?limit=10&id=a&id=b&flag&q=a%20b", strings.NewReader(`{"newOwnerUserID":"bob"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer x")
	r.Header.Set("User-Agent", "test-agent/1")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Add("Cookie", "a=1; b=2")
	r.RemoteAddr = "10.1.2.3:5555"
	m := Match{
		Route:  Route{Method: "POST", Path: "/groups/{groupID}/owner", LogicalID: "TransferGroupOwnerFunction", Dir: "functions/transfer-group-owner"},
		Params: map[string]string{"groupID": "g@1"},
	}
	claims := map[string]any{"sub": "alice", "exp": float64(1700000000), "iat": float64(1699990000), "scope": []any{"a", "b"}}

	ev := NewHTTPEvent(r, []byte(`{"newOwnerUserID":"bob"}`), m, claims, "req-1")

	assert.Equal(t, "2.0", ev.Version)
	assert.Equal(t, "POST /groups/{groupID}/owner", ev.RouteKey)
	assert.Equal(t, "POST /groups/{groupID}/owner", ev.RequestContext.RouteKey)
	assert.Equal(t, "/groups/g@1/owner", ev.RawPath, "API Gateway's HTTP API passes the decoded path")
	assert.Equal(t, "limit=10&id=a&id=b&flag&q=a%20b", ev.RawQueryString, "the raw query keeps its encoding")
	assert.Equal(t, map[string]string{"limit": "10", "id": "a,b", "flag": "", "q": "a b"}, ev.QueryStringParameters)
	assert.Equal(t, map[string]string{"groupID": "g@1"}, ev.PathParameters)

	assert.Equal(t, "application/json", ev.Headers["content-type"])
	assert.Equal(t, "Bearer x", ev.Headers["authorization"])
	assert.Equal(t, "one,two", ev.Headers["x-multi"])
	assert.Equal(t, "127.0.0.1:3000", ev.Headers["host"])
	assert.Equal(t, "10.1.2.3", ev.Headers["x-forwarded-for"])
	assert.Equal(t, "http", ev.Headers["x-forwarded-proto"])
	assert.NotContains(t, ev.Headers, "cookie", "cookies move to their own field")
	assert.Equal(t, []string{"a=1", "b=2"}, ev.Cookies)
	for k := range ev.Headers {
		assert.Equal(t, strings.ToLower(k), k)
	}

	rc := ev.RequestContext
	assert.Equal(t, "req-1", rc.RequestID)
	assert.Equal(t, "$default", rc.Stage)
	assert.Equal(t, "POST", rc.HTTP.Method)
	assert.Equal(t, "/groups/g@1/owner", rc.HTTP.Path)
	assert.Equal(t, "HTTP/1.1", rc.HTTP.Protocol)
	assert.Equal(t, "10.1.2.3", rc.HTTP.SourceIP)
	assert.Equal(t, "test-agent/1", rc.HTTP.UserAgent)
	assert.InDelta(t, time.Now().UnixMilli(), rc.TimeEpoch, 5000)
	require.NotNil(t, rc.Authorizer)
	require.NotNil(t, rc.Authorizer.JWT)
	assert.Equal(t, map[string]string{"sub": "alice", "exp": "1700000000", "iat": "1699990000", "scope": "[a b]"}, rc.Authorizer.JWT.Claims)

	assert.Equal(t, `{"newOwnerUserID":"bob"}`, ev.Body)
	assert.False(t, ev.IsBase64Encoded)
}

func TestNewHTTPEventBodyAndOptionalFields(t *testing.T) {
	tests := []struct {
		name       string
		body       []byte
		wantBody   string
		wantBase64 bool
	}{
		{"no body", nil, "", false},
		{"UTF-8 text as is", []byte("héllo ✓"), "héllo ✓", false},
		{"binary base64-encoded", []byte{0xff, 0xfe, 0x00}, base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/users", bytes.NewReader(tt.body))
			ev := NewHTTPEvent(r, tt.body, Match{Route: Route{Method: "GET", Path: "/users"}}, nil, "id")
			assert.Equal(t, tt.wantBody, ev.Body)
			assert.Equal(t, tt.wantBase64, ev.IsBase64Encoded)
			assert.Nil(t, ev.QueryStringParameters, "no query: the field is absent, as in API Gateway")
			assert.Nil(t, ev.PathParameters)
			assert.Nil(t, ev.RequestContext.Authorizer, "no claims without an authorizer")

			raw, err := json.Marshal(ev)
			require.NoError(t, err)
			assert.NotContains(t, string(raw), "queryStringParameters")
		})
	}
}

func TestWriteLambdaResponse(t *testing.T) {
	tests := []struct {
		name        string
		payload     string
		wantErr     bool
		wantStatus  int
		wantBody    string
		wantHeaders map[string][]string
	}{
		{"full response", `{"statusCode":201,"headers":{"content-type":"application/json","x-a":"1"},"multiValueHeaders":{"x-m":["1","2"]},"cookies":["a=1","b=2"],"body":"{}"}`,
			false, 201, "{}", map[string][]string{"Content-Type": {"application/json"}, "X-A": {"1"}, "X-M": {"1", "2"}, "Set-Cookie": {"a=1", "b=2"}}},
		{"base64 body", `{"statusCode":200,"body":"` + base64.StdEncoding.EncodeToString([]byte{1, 2, 255}) + `","isBase64Encoded":true}`,
			false, 200, string([]byte{1, 2, 255}), nil},
		{"inferred from an object without statusCode", `{"a":1}`, false, 200, `{"a":1}`, map[string][]string{"Content-Type": {"application/json"}}},
		{"inferred from a string", `"hi"`, false, 200, `"hi"`, nil},
		{"not JSON", `{"statusCode":`, true, 0, "", nil},
		{"bad status", `{"statusCode":42}`, true, 0, "", nil},
		{"bad base64", `{"statusCode":200,"body":"%%","isBase64Encoded":true}`, true, 0, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			err := writeLambdaResponse(rec, []byte(tt.payload))
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantBody, rec.Body.String())
			for k, v := range tt.wantHeaders {
				assert.Equal(t, v, rec.Header().Values(k), k)
			}
		})
	}
}

// apiServer serves the echo Lambda on a few routes through NewAPI.
func apiServer(t *testing.T, timeout time.Duration) *httptest.Server {
	t.Helper()
	iv, _ := newEchoInvoker(t, func(l *Lambda) { l.Timeout = timeout })
	h, err := NewAPI(APIConfig{
		Routes: []Route{
			{Method: "POST", Path: "/groups/{groupID}/owner", LogicalID: "EchoFunction", Dir: "functions/echo"},
			{Method: "GET", Path: "/echo/{what}", LogicalID: "EchoFunction", Dir: "functions/echo"},
			{Method: "GET", Path: "/public/inferred", LogicalID: "EchoFunction", Dir: "functions/echo", Authorizer: "NONE"},
			{Method: "GET", Path: "/missing", LogicalID: "MissingFunction", Dir: "functions/missing"},
		},
		Invoke: iv.Invoke,
		Secret: apiSecret,
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func token(t *testing.T, sub string) string {
	t.Helper()
	tok, err := localauth.Mint(apiSecret, sub, time.Hour)
	require.NoError(t, err)
	return tok
}

func do(t *testing.T, method, url, tok string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

type apiErrorBody struct {
	Error struct {
		Code      string `json:"code"`
		ErrCode   int    `json:"errCode"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
	} `json:"error"`
}

func TestAPIInvokesTheRouteFunctionWithTheEventAndWritesItsResponse(t *testing.T) {
	srv := apiServer(t, 5*time.Second)
	resp, body := do(t, "POST", srv.URL+"/groups/g1/owner?x=1&x=2", token(t, "alice"), strings.NewReader(`{"newOwnerUserID":"bob"}`))

	require.Equal(t, 201, resp.StatusCode, string(body))
	assert.Equal(t, "yes", resp.Header.Get("X-Echo"))
	assert.Equal(t, []string{"a", "b"}, resp.Header.Values("X-Multi"))
	assert.Equal(t, []string{"s=1; Path=/", "t=2"}, resp.Header.Values("Set-Cookie"))
	assert.NotEmpty(t, resp.Header.Get("Apigw-Requestid"))

	var ev events.APIGatewayV2HTTPRequest
	require.NoError(t, json.Unmarshal(body, &ev))
	assert.Equal(t, "POST /groups/{groupID}/owner", ev.RouteKey)
	assert.Equal(t, map[string]string{"groupID": "g1"}, ev.PathParameters)
	assert.Equal(t, map[string]string{"x": "1,2"}, ev.QueryStringParameters)
	assert.Equal(t, `{"newOwnerUserID":"bob"}`, ev.Body)
	assert.Equal(t, resp.Header.Get("Apigw-Requestid"), ev.RequestContext.RequestID)
	claims := ev.RequestContext.Authorizer.JWT.Claims
	assert.Equal(t, "alice", claims["sub"])
	assert.Regexp(t, `^\d{10}$`, claims["exp"], "exp as a decimal string")
}

func TestAPIErrors(t *testing.T) {
	srv := apiServer(t, 500*time.Millisecond)
	alice := token(t, "alice")
	expired, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(-time.Minute).Unix()}).SignedString(apiSecret)
	require.NoError(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	otherKey, err := localauth.Mint([]byte("other"), "alice", time.Hour)
	require.NoError(t, err)

	tests := []struct {
		name       string
		method     string
		path       string
		auth       string // full Authorization header
		body       io.Reader
		wantStatus int
		wantCode   string
		wantErr    int
	}{
		{"unknown route", "GET", "/nope", "Bearer " + alice, nil, 404, "NOT_FOUND", 1004},
		{"known path, other method", "DELETE", "/echo/x", "Bearer " + alice, nil, 404, "NOT_FOUND", 1004},
		{"no token", "GET", "/echo/x", "", nil, 401, "UNAUTHENTICATED", 1000},
		{"not a bearer token", "GET", "/echo/x", "Basic " + alice, nil, 401, "UNAUTHENTICATED", 1000},
		{"expired token", "GET", "/echo/x", "Bearer " + expired, nil, 401, "UNAUTHENTICATED", 1000},
		{"alg none", "GET", "/echo/x", "Bearer " + none, nil, 401, "UNAUTHENTICATED", 1000},
		{"bad signature", "GET", "/echo/x", "Bearer " + otherKey, nil, 401, "UNAUTHENTICATED", 1000},
		{"body over 1 MiB", "POST", "/groups/g1/owner", "Bearer " + alice, bytes.NewReader(make([]byte, validate.MaxBody+1)), 413, "INVALID_ARGUMENT", 1001},
		{"function crashes", "GET", "/echo/crash", "Bearer " + alice, nil, 502, "INTERNAL", 500},
		{"function times out", "GET", "/echo/slow", "Bearer " + alice, nil, 504, "INTERNAL", 500},
		{"function not deployed", "GET", "/missing", "Bearer " + alice, nil, 502, "INTERNAL", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, tt.body)
			require.NoError(t, err)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)

			assert.Equal(t, tt.wantStatus, resp.StatusCode, string(raw))
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var body apiErrorBody
			require.NoError(t, json.Unmarshal(raw, &body), string(raw))
			assert.Equal(t, tt.wantCode, body.Error.Code)
			assert.Equal(t, tt.wantErr, body.Error.ErrCode)
			assert.NotEmpty(t, body.Error.Message)
			assert.Equal(t, resp.Header.Get("Apigw-Requestid"), body.Error.RequestID)
		})
	}
}

func TestAPIAcceptsABodyOfExactly1MiB(t *testing.T) {
	srv := apiServer(t, 5*time.Second)
	body := strings.Repeat("a", validate.MaxBody)
	resp, raw := do(t, "POST", srv.URL+"/groups/g1/owner", token(t, "alice"), strings.NewReader(body))
	require.Equal(t, 201, resp.StatusCode, string(raw[:min(len(raw), 300)]))
}

func TestAPIPublicRouteNeedsNoTokenAndInfersJSONResponses(t *testing.T) {
	srv := apiServer(t, 5*time.Second)
	resp, body := do(t, "GET", srv.URL+"/public/inferred", "", nil)
	require.Equal(t, 200, resp.StatusCode, string(body))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"hello":"world"}`, string(body))
}

func TestAPIDecodesBase64ResponseBodies(t *testing.T) {
	srv := apiServer(t, 5*time.Second)
	resp, body := do(t, "GET", srv.URL+"/echo/binary", token(t, "alice"), nil)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []byte{0xff, 0x00, 0xfe}, body)
}

func TestAPIServesConcurrentRequests(t *testing.T) {
	srv := apiServer(t, 5*time.Second)
	tok := token(t, "alice")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/echo/x", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 201 {
					err = io.ErrUnexpectedEOF
				}
			}
			errs <- err
		}()
	}
	for i := 0; i < 20; i++ {
		assert.NoError(t, <-errs)
	}
}

// Configured with an issuer and audiences, the local API refuses a token
// that does not name them with 401, before any function runs.
func TestTheAPIRequiresTheConfiguredIssuerAndAudience(t *testing.T) {
	invoked := 0
	h, err := NewAPI(APIConfig{
		Routes: []Route{{Method: "GET", Path: "/echo", LogicalID: "EchoFunction", Dir: "functions/echo"}},
		Invoke: func(context.Context, string, []byte) ([]byte, error) {
			invoked++
			return []byte(`{"statusCode":200,"body":"{}"}`), nil
		},
		Secret: apiSecret, Issuer: "https://idp.example", Audience: []string{"web"},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	mint := func(a localauth.Authorizer) string {
		a.Secret = apiSecret
		tok, err := a.Mint("alice", time.Hour)
		require.NoError(t, err)
		return tok
	}
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"iss and aud", mint(localauth.Authorizer{Issuer: "https://idp.example", Audience: []string{"web"}}), 200},
		{"no iss or aud", mint(localauth.Authorizer{}), 401},
		{"another audience", mint(localauth.Authorizer{Issuer: "https://idp.example", Audience: []string{"mobile"}}), 401},
		{"another issuer", mint(localauth.Authorizer{Issuer: "https://other.example", Audience: []string{"web"}}), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := invoked
			resp, body := do(t, "GET", srv.URL+"/echo", tt.token, nil)
			assert.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.status == 401 {
				var e apiErrorBody
				require.NoError(t, json.Unmarshal(body, &e))
				assert.Equal(t, "UNAUTHENTICATED", e.Error.Code)
				assert.Equal(t, before, invoked, "no function ran")
			}
		})
	}
}
