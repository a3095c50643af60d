package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// TokenSource gives the bearer token of a request.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource that always gives the same token.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// TokenFunc adapts a function to TokenSource.
type TokenFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// Options configures New. Every field is optional.
type Options struct {
	// Tokens gives each request's bearer token; nil sends none.
	Tokens TokenSource
	// HTTPClient sends the requests; default a client with a 30 s timeout.
	HTTPClient *http.Client
	// MaxAttempts bounds the attempts of one call (default 5).
	MaxAttempts int
	// BaseDelay is the first backoff (default 100 ms), doubled per attempt
	// up to MaxDelay (default 2 s); each wait is drawn from [d/2, d).
	BaseDelay, MaxDelay time.Duration
}

// New returns a client of the API at baseURL (http://127.0.0.1:3000 for
// `make run`, a deployment's ApiUrl output otherwise).
func New(baseURL string, opts Options, more ...ClientOption) (*ClientWithResponses, error) {
	t := &transport{opts: opts}
	if t.opts.HTTPClient == nil {
		t.opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if t.opts.MaxAttempts <= 0 {
		t.opts.MaxAttempts = 5
	}
	if t.opts.BaseDelay <= 0 {
		t.opts.BaseDelay = 100 * time.Millisecond
	}
	if t.opts.MaxDelay <= 0 {
		t.opts.MaxDelay = 2 * time.Second
	}
	return NewClientWithResponses(baseURL, append([]ClientOption{WithHTTPClient(t)}, more...)...)
}

// APIError is an answer other than 2xx. Code and ErrCode are empty when
// the body is not the API's error envelope (API Gateway's own 401 and 429
// bodies are {"message": ...}).
type APIError struct {
	Status    int
	Code      ErrorCode
	ErrCode   int
	Message   string
	RequestID string
	// RetryAfter is the Retry-After header's delay, if any.
	RetryAfter time.Duration
	// IdempotencyKey is the key the request was sent with ("" for reads):
	// send the change again with it to have it applied at most once.
	IdempotencyKey string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("circles: %d %s (errCode %d): %s [requestId %s]", e.Status, e.Code, e.ErrCode, e.Message, e.RequestID)
}

// CodeOf returns the code of err's APIError, or "" if it has none.
func CodeOf(err error) ErrorCode {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.Code
	}
	return ""
}

// retryable says whether another attempt may answer otherwise.
func (e *APIError) retryable() bool {
	switch e.Status {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return true
	case http.StatusConflict:
		return e.Code == ErrorCodeCONFLICT
	}
	return false
}

// transport is the HttpRequestDoer of the generated client.
type transport struct {
	opts Options
}

func (t *transport) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if t.opts.Tokens != nil {
		tok, err := t.opts.Tokens.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("circles: token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead && req.Header.Get("Idempotency-Key") == "" {
		req.Header.Set("Idempotency-Key", newKey())
	}
	// A request that failed in transit may have been applied: it is sent
	// again only when that is safe, a read or a change under its
	// Idempotency-Key (the API answers a repeat with the first answer).
	key := req.Header.Get("Idempotency-Key")
	replayable := (key != "" || req.Method == http.MethodGet || req.Method == http.MethodHead) &&
		(req.Body == nil || req.Body == http.NoBody || req.GetBody != nil)
	delay := t.opts.BaseDelay
	for attempt := 1; ; attempt++ {
		var failed error
		var retryAfter time.Duration
		resp, err := t.send(req)
		switch {
		case err != nil:
			failed = &TransportError{Err: err, IdempotencyKey: key}
			if !replayable || ctx.Err() != nil || attempt >= t.opts.MaxAttempts {
				return nil, failed
			}
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			apiErr := readError(resp)
			apiErr.IdempotencyKey = key
			if !apiErr.retryable() || attempt >= t.opts.MaxAttempts {
				return nil, apiErr
			}
			failed, retryAfter = apiErr, apiErr.RetryAfter
		}
		wait := delay/2 + mrand.N(delay/2+1)
		wait = max(wait, retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, failed
		}
		select {
		case <-ctx.Done():
			return nil, failed
		case <-time.After(wait):
		}
		delay = min(2*delay, t.opts.MaxDelay)
	}
}

// TransportError is a request that got no answer (a network error or a
// timeout). It may still have been applied: to try it again safely, send it
// with the same IdempotencyKey (the client did, up to MaxAttempts).
type TransportError struct {
	Err            error
	IdempotencyKey string
}

func (e *TransportError) Error() string {
	if e.IdempotencyKey == "" {
		return "circles: " + e.Err.Error()
	}
	return fmt.Sprintf("circles: %v (Idempotency-Key %s)", e.Err, e.IdempotencyKey)
}

func (e *TransportError) Unwrap() error { return e.Err }

// send makes one attempt with a fresh copy of the body.
func (t *transport) send(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return t.opts.HTTPClient.Do(r)
}

// readError reads and closes an error answer.
func readError(resp *http.Response) *APIError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("Apigw-Requestid")}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	var env struct {
		Error *struct {
			Code      ErrorCode `json:"code"`
			ErrCode   int       `json:"errCode"`
			Message   string    `json:"message"`
			RequestID string    `json:"requestId"`
		} `json:"error"`
		Message string `json:"message"`
	}
	switch {
	case json.Unmarshal(body, &env) != nil:
		e.Message = strings.TrimSpace(string(body))
	case env.Error != nil:
		e.Code, e.ErrCode, e.Message = env.Error.Code, env.Error.ErrCode, env.Error.Message
		if env.Error.RequestID != "" {
			e.RequestID = env.Error.RequestID
		}
	default:
		e.Message = env.Message
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
