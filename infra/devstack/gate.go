package devstack

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/circles-im/circles/shared/errcode"
)

// Gate serves a port before the API behind it is ready: until Open, every
// request is answered at once with 503 UNAVAILABLE, a Retry-After and the
// API's error envelope, which clients retry (shared/client does), rather
// than a connection that hangs while the functions build. After Open, it
// serves the handler it was given.
type Gate struct {
	// RetryAfter is the Retry-After of the 503s, in seconds (default 1).
	RetryAfter int
	// Message explains the 503 (default: the stack is starting).
	Message string
	h       atomic.Pointer[http.Handler]
}

// Open starts serving h.
func (g *Gate) Open(h http.Handler) { g.h.Store(&h) }

// Ready says whether Open was called.
func (g *Gate) Ready() bool { return g.h.Load() != nil }

func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := g.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	retry, msg := g.RetryAfter, g.Message
	if retry <= 0 {
		retry = 1
	}
	if msg == "" {
		msg = "the local stack is starting; retry after " + strconv.Itoa(retry) + " s"
	}
	w.Header().Set("Retry-After", strconv.Itoa(retry))
	w.Header().Set("Apigw-Requestid", newAPIRequestID())
	writeAPIError(w, http.StatusServiceUnavailable, errcode.Unavailable, msg, w.Header().Get("Apigw-Requestid"))
}
