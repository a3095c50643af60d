package devstack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/validate"
)

// InvokeFunc runs the named function on an event payload; (*Invoker).Invoke
// is one.
type InvokeFunc func(ctx context.Context, function string, payload []byte) ([]byte, error)

// APIConfig configures NewAPI.
type APIConfig struct {
	Routes []Route
	// Invoke runs a route's function, named by the base name of Route.Dir
	// ("create-group").
	Invoke InvokeFunc
	// Secret verifies the bearer tokens (localauth.Verify).
	Secret []byte
	// Issuer and Audience, when set, are required of the tokens as the
	// template's JwtIssuer and JwtAudience are in AWS (localauth.Authorizer).
	Issuer   string
	Audience []string
	// Log receives one line per request; nil for none.
	Log io.Writer
}

// NewAPI returns the local stand-in for API Gateway's HTTP API with its JWT
// authorizer: it routes each request by the template's HttpApi routes,
// refuses requests without a valid bearer token with 401 (routes with
// Auth.Authorizer NONE excepted), turns the request into a payload format
// 2.0 event, invokes the route's function and turns its response back into
// HTTP. Failures that never reach a function answer in the API's error
// format, {"error":{"code","errCode","message","requestId"}}:
//
//	no route                    404 NOT_FOUND
//	missing or invalid token    401 UNAUTHENTICATED
//	body over 1 MiB             413 INVALID_ARGUMENT
//	function error or crash     502 INTERNAL
//	function timeout            504 INTERNAL
func NewAPI(cfg APIConfig) (http.Handler, error) {
	if cfg.Invoke == nil {
		return nil, errors.New("devstack: APIConfig.Invoke is required")
	}
	if len(cfg.Secret) == 0 {
		return nil, errors.New("devstack: APIConfig.Secret is required")
	}
	rt, err := NewRouter(cfg.Routes)
	if err != nil {
		return nil, err
	}
	return &api{cfg: cfg, router: rt}, nil
}

type api struct {
	cfg    APIConfig
	router *Router
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (a *api) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newAPIRequestID()
	w := &statusWriter{ResponseWriter: rw}
	// API Gateway names every request in this header.
	w.Header().Set("Apigw-Requestid", requestID)
	fn := a.serve(w, r, requestID)
	if a.cfg.Log != nil {
		if fn == "" {
			fn = "-"
		}
		fmt.Fprintf(a.cfg.Log, "%s %s %s -> %d %s %s (%s)\n", start.Format("15:04:05.000"),
			r.Method, r.URL.RequestURI(), w.status, fn, time.Since(start).Round(time.Millisecond), requestID)
	}
}

// serve handles one request and returns the name of the function it
// reached, if any, for the log.
func (a *api) serve(w *statusWriter, r *http.Request, requestID string) string {
	m, ok := a.router.Match(r.Method, r.URL.EscapedPath())
	if !ok {
		writeAPIError(w, http.StatusNotFound, errcode.NotFound, "no route for "+r.Method+" "+r.URL.Path, requestID)
		return ""
	}
	fn := path.Base(m.Route.Dir)

	var claims map[string]any
	if m.Route.Authorizer != "NONE" {
		c, err := a.authenticate(r)
		if err != nil {
			w.Header().Set("Www-Authenticate", `Bearer`)
			writeAPIError(w, http.StatusUnauthorized, errcode.Unauthenticated, err.Error(), requestID)
			return fn
		}
		claims = c.All
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, validate.MaxBody+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, errcode.InvalidArgument, "cannot read the request body", requestID)
		return fn
	}
	if len(body) > validate.MaxBody {
		writeAPIError(w, http.StatusRequestEntityTooLarge, errcode.InvalidArgument, "request body exceeds 1 MiB", requestID)
		return fn
	}

	ev := NewHTTPEvent(r, body, m, claims, requestID)
	payload, err := json.Marshal(ev)
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, errcode.Internal, err.Error(), requestID)
		return fn
	}
	resp, err := a.cfg.Invoke(r.Context(), fn, payload)
	if err != nil {
		status := http.StatusBadGateway
		var fe *FunctionError
		if errors.As(err, &fe) && fe.Type == ErrorTypeTimeout {
			status = http.StatusGatewayTimeout
		}
		writeAPIError(w, status, errcode.Internal, fmt.Sprintf("function %s failed: %v", fn, err), requestID)
		return fn
	}
	if err := writeLambdaResponse(w, resp); err != nil {
		writeAPIError(w, http.StatusBadGateway, errcode.Internal, fmt.Sprintf("function %s: %v", fn, err), requestID)
	}
	return fn
}

func (a *api) authenticate(r *http.Request) (localauth.Claims, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return localauth.Claims{}, errors.New("missing bearer token")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return localauth.Claims{}, errors.New("the Authorization header must be: Bearer <token>")
	}
	return localauth.Authorizer{Secret: a.cfg.Secret, Issuer: a.cfg.Issuer, Audience: a.cfg.Audience}.Verify(strings.TrimSpace(token))
}

// NewHTTPEvent builds the event API Gateway's HTTP API sends a Lambda
// integration with payload format 2.0: headers lower-cased with repeated
// values comma-joined and cookies moved to Cookies, the query both raw and
// parsed (repeated keys comma-joined), the decoded path and path
// parameters, the JWT claims (if claims is not nil) as strings in
// requestContext.authorizer.jwt.claims, and the body, base64-encoded only if
// it is not UTF-8 text.
func NewHTTPEvent(r *http.Request, body []byte, m Match, claims map[string]any, requestID string) events.APIGatewayV2HTTPRequest {
	now := time.Now()
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lname] = strings.Join(values, ",")
	}
	// Go's server moves these out of the header map; API Gateway has them.
	headers["host"] = r.Host
	if r.ContentLength > 0 {
		headers["content-length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	sourceIP, port := remoteIP(r), localPort(r)
	if prev := headers["x-forwarded-for"]; prev != "" {
		headers["x-forwarded-for"] = prev + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if port != "" {
		headers["x-forwarded-port"] = port
	}
	headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%x", now.Unix(), randomBytes(12))

	var query map[string]string
	if r.URL.RawQuery != "" {
		// API Gateway passes what it can parse rather than reject the request.
		values, _ := url.ParseQuery(r.URL.RawQuery)
		if len(values) > 0 {
			query = make(map[string]string, len(values))
			for k, vs := range values {
				query[k] = strings.Join(vs, ",")
			}
		}
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              m.Route.Key(),
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        m.Params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     m.Route.Key(),
			AccountID:    LocalAccountID,
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "local",
			DomainName:   r.Host,
			DomainPrefix: strings.SplitN(r.Host, ".", 2)[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: ClaimStrings(claims)},
		}
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// ClaimStrings renders JWT claims as API Gateway's JWT authorizer passes
// them to the integration: every value a string, numbers in decimal
// ("exp": "1700000000"), arrays as "[a b]".
func ClaimStrings(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		out[k] = claimString(v)
	}
	return out
}

func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e18 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// writeLambdaResponse writes a function's payload format 2.0 response. A
// payload that is JSON but not an object with statusCode is, as API Gateway
// infers, a 200 application/json body.
func writeLambdaResponse(w http.ResponseWriter, payload []byte) error {
	if !json.Valid(payload) {
		return errors.New("the response is not JSON")
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(payload)
		return err
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return fmt.Errorf("malformed response: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("malformed response: statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("malformed response: body is not base64: %w", err)
		}
	}
	h := w.Header()
	for _, k := range sortedKeys(resp.MultiValueHeaders) {
		for _, v := range resp.MultiValueHeaders[k] {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		// Don't let net/http sniff one: API Gateway adds none.
		h["Content-Type"] = nil
	}
	w.WriteHeader(resp.StatusCode)
	_, err := w.Write(body)
	return err
}

// writeAPIError answers in the API's error format (errcode's envelope). The
// codes are the few the gateway itself produces; the functions map their own
// errors through package errcode. The status is the gateway's, not always the
// code's (413 for a body too large, 502 and 504 for a failed function).
func writeAPIError(w http.ResponseWriter, status int, code errcode.Code, msg, requestID string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errcode.New(code, "%s", msg).Body(requestID)) //nolint:errcheck // the client may be gone
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func localPort(r *http.Request) string {
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			return port
		}
	}
	return ""
}

// newAPIRequestID returns an id shaped like API Gateway's ("JKJaXmPLvHcESHA=").
func newAPIRequestID() string {
	return base64.StdEncoding.EncodeToString(randomBytes(10))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
