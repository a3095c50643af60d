package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client speaks the Circles HTTP API as one user or another.
type Client struct {
	// BaseURL is the API's root, e.g. http://127.0.0.1:3000.
	BaseURL string
	// Token returns a bearer token for a user ID (minted locally, or from
	// the deployment's identity provider).
	Token func(ctx context.Context, userID string) (string, error)
	// HTTP defaults to a client with a 30 s timeout.
	HTTP *http.Client
	// Log, when set, receives one line per fixture: created or already there.
	Log io.Writer

	mu     sync.Mutex
	tokens map[string]string
}

// APIError is an answer outside 2xx, with the API's error envelope.
type APIError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// retryable are the answers a client is told to retry: a lost race, a
// request with the same key still running, DynamoDB throttling.
func (e *APIError) retryable() bool {
	return e.Status == http.StatusServiceUnavailable || e.Code == "CONFLICT"
}

func (c *Client) token(ctx context.Context, user string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok, ok := c.tokens[user]; ok {
		return tok, nil
	}
	tok, err := c.Token(ctx, user)
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", user, err)
	}
	if c.tokens == nil {
		c.tokens = map[string]string{}
	}
	c.tokens[user] = tok
	return tok, nil
}

// call sends one request as user and decodes a 2xx answer into out (when
// not nil). A write carries idemKey as its Idempotency-Key, so resending
// it after a lost answer replays the first answer instead of applying it
// twice; answers the API marks as transient are resent a few times.
func (c *Client) call(ctx context.Context, user, method, path string, body any, idemKey string, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return err
		}
	}
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := c.send(ctx, user, method, path, raw, idemKey, out)
		var ae *APIError
		if err == nil || !errors.As(err, &ae) || !ae.retryable() || attempt == 6 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

func (c *Client) send(ctx context.Context, user, method, path string, raw []byte, idemKey string, out any) error {
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	tok, err := c.token(ctx, user)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var env struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(data, &env)
		if env.Error.Code == "" {
			env.Error.Message = strings.TrimSpace(string(data))
		}
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Code: env.Error.Code, Message: env.Error.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// page is the shape of every list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// list reads every page of a list operation.
func list[T any](ctx context.Context, c *Client, user, path string) ([]T, error) {
	var all []T
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for {
		p := path
		if cursor != "" {
			p += sep + "cursor=" + url.QueryEscape(cursor)
		}
		var pg page[T]
		if err := c.call(ctx, user, http.MethodGet, p, nil, "", &pg); err != nil {
			return nil, err
		}
		all = append(all, pg.Items...)
		if pg.NextCursor == "" {
			return all, nil
		}
		cursor = pg.NextCursor
	}
}

func (c *Client) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}
