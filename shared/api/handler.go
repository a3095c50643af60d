package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// Deps are the services a handler calls; built once per Lambda instance.
type Deps struct {
	Store    *store.Store
	Groups   *group.Service
	Roles    *role.Service
	Channels *channel.Service
	Admins   permission.AppAdmins
}

// NewDeps wires the services over a store.
func NewDeps(st *store.Store, admins permission.AppAdmins) *Deps {
	return &Deps{Store: st, Groups: group.NewService(st), Roles: role.NewService(st), Channels: channel.NewService(st), Admins: admins}
}

// Handler is an operation: decode, call the domain, return the result.
type Handler func(ctx context.Context, r *Request, d *Deps) (any, error)

// Status wraps a result to answer with a status other than 200.
type Status struct {
	Code int
	Body any
}

// Created answers 201 with v, or the error.
func Created(v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: v}, nil
}

// Empty answers 200 with {}, or the error.
func Empty(err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

var logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// Start runs the operation as a Lambda handler. The dependencies are built
// on the first invocation, so a bad configuration is an error answer, not a
// crash loop.
func Start(operation string, h Handler) {
	var (
		once sync.Once
		deps *Deps
		derr error
	)
	lambda.Start(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		once.Do(func() {
			var st *store.Store
			if st, derr = store.FromEnv(ctx); derr == nil {
				deps = NewDeps(st, permission.AppAdminsFromEnv())
			}
		})
		if derr != nil {
			logger.Error("configuration", "operation", operation, "error", derr.Error())
			return respond(http.StatusInternalServerError, errcode.New(errcode.Internal, "internal error").Body(ev.RequestContext.RequestID)), nil
		}
		return Serve(ctx, operation, h, deps, &ev), nil
	})
}

// Serve handles one event: it is what Start runs, exported for tests that
// drive a handler without Lambda.
func Serve(ctx context.Context, operation string, h Handler, d *Deps, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	began := time.Now()
	ctx, meter := store.WithMeter(ctx)
	r, err := newRequest(ev, d.Admins)
	if err == nil {
		err = r.checkBody(operation)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err == nil {
		resp, err = serveIdempotent(ctx, r, h, d)
	}
	if err != nil {
		resp = respond(errcode.Of(err).Code.HTTPStatus(), errcode.Of(err).Body(r.RequestID))
	}
	attrs := []any{
		"requestId", r.RequestID, "operation", operation, "actor", r.Actor.UserID,
		"groupID", ev.PathParameters["groupID"], "durationMs", time.Since(began).Milliseconds(),
		"dynamoCalls", meter.Calls(), "consumedCapacity", meter.Capacity(), "status", resp.StatusCode,
		"outcome", "ok",
	}
	if err != nil {
		e := errcode.Of(err)
		attrs[len(attrs)-1] = string(e.Code)
		if e.Code == errcode.Internal || e.Code == errcode.Unavailable {
			attrs = append(attrs, "error", err.Error())
		}
	}
	logger.Info("request", attrs...)
	return resp
}

// serveIdempotent runs the handler, honouring Idempotency-Key on mutations:
// the same key and body within 24 h replays the first response.
func serveIdempotent(ctx context.Context, r *Request, h Handler, d *Deps) (events.APIGatewayV2HTTPResponse, error) {
	key, sent := r.lookupHeader("Idempotency-Key")
	if !sent || r.event.RequestContext.HTTP.Method == http.MethodGet {
		return run(ctx, r, h, d)
	}
	if key == "" {
		// Sent but empty: a client that meant to make the request safe to
		// retry must not silently get a request that is not.
		return events.APIGatewayV2HTTPResponse{}, errcode.New(errcode.InvalidArgument, "Idempotency-Key is empty")
	}
	if len(key) > 255 {
		return events.APIGatewayV2HTTPResponse{}, errcode.New(errcode.InvalidArgument, "Idempotency-Key is longer than 255 characters")
	}
	sum := sha256.Sum256([]byte(r.event.RouteKey + "\n" + r.event.RawPath + "\n" + r.event.RawQueryString + "\n" + string(r.body)))
	hash := hex.EncodeToString(sum[:])
	// Keys are per caller, so one user cannot replay another's response.
	claim, replay, err := d.Store.ClaimIdempotency(ctx, r.Actor.UserID, key, hash)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if replay != nil {
		resp := respond(replay.Status, []byte(replay.Body))
		resp.Headers["Idempotent-Replayed"] = "true"
		return resp, nil
	}
	// The request's first transaction marks the claim committed (see
	// store.Claim), so a crash from here on never lets a retry run it again.
	resp, err := run(store.WithClaim(ctx, claim), r, h, d)
	if err != nil && !claim.Committed() {
		if rerr := d.Store.ReleaseIdempotency(context.WithoutCancel(ctx), claim); rerr != nil {
			logger.Warn("release idempotency key", "requestId", r.RequestID, "error", rerr.Error())
		}
		return resp, err
	}
	crashAfterCommitForTest(hash)
	if err != nil {
		// Something committed before the failure: that is the outcome to
		// replay, not a key to release.
		resp = respond(errcode.Of(err).Code.HTTPStatus(), errcode.Of(err).Body(r.RequestID))
	}
	if cerr := d.Store.CompleteIdempotency(context.WithoutCancel(ctx), claim, resp.StatusCode, resp.Body); cerr != nil {
		logger.Warn("complete idempotency key", "requestId", r.RequestID, "error", cerr.Error())
	}
	return resp, err
}

// crashAfterCommitForTest is fault injection for the idempotency crash
// test only: with CIRCLES_TEST_CRASH_AFTER_COMMIT=<directory>, a request
// that committed exits the process before storing its response, as a Lambda
// dying at that point would, once per request (a marker file named by the
// request's hash records it). Never set in the template.
func crashAfterCommitForTest(hash string) {
	dir := os.Getenv("CIRCLES_TEST_CRASH_AFTER_COMMIT")
	if dir == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, hash), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return // already crashed once (or cannot tell): behave
	}
	f.Close()
	os.Exit(3)
}

func run(ctx context.Context, r *Request, h Handler, d *Deps) (events.APIGatewayV2HTTPResponse, error) {
	out, err := h(ctx, r, d)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if s, ok := out.(Status); ok {
		status, out = s.Code, s.Body
	}
	body, err := json.Marshal(out)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, errcode.Wrap(errcode.Internal, err, "internal error")
	}
	return respond(status, body), nil
}

func respond(status int, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}
