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
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

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

// Start runs the operation as a Lambda handler. The store and the
// operation's service are built during init, before lambda.Start, so no
// request (warm or cold) builds them; they read only the environment, so
// init stays short (infra/coldstart measures it). A bad configuration is
// an error answer to every request, not a crash loop.
func Start(op Operation) {
	var h Handler
	st, err := store.FromEnv(context.Background())
	if err == nil {
		h = op.Bind(st, permission.AppAdminsFromEnv())
	}
	name := op.Name
	lambda.Start(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		if err != nil {
			logger.Error("configuration", "operation", name, "error", err.Error())
			return respond(http.StatusInternalServerError, errcode.New(errcode.Internal, "internal error").Body(ev.RequestContext.RequestID)), nil
		}
		return h(ctx, &ev), nil
	})
}

// serve handles one event: the request's checks, the idempotency key, the
// handler, the error envelope and the log line.
func serve(ctx context.Context, spec Spec, h Handle, st *store.Store, admins permission.AppAdmins, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	began := time.Now()
	ctx, meter := store.WithMeter(ctx)
	r, err := newRequest(ev, admins)
	if err == nil {
		err = r.checkBody(spec)
	}
	if err == nil && spec.Consistent {
		ctx, err = r.readConsistency(ctx)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err == nil {
		resp, err = serveIdempotent(ctx, r, h, st)
	}
	if err != nil {
		resp = respond(errcode.Of(err).Code.HTTPStatus(), errcode.Of(err).Body(r.RequestID))
	}
	attrs := []any{
		"requestId", r.RequestID, "operation", spec.Name, "actor", r.Actor.UserID,
		"groupID", ev.PathParameters["groupID"], "durationMs", time.Since(began).Milliseconds(),
		"dynamoCalls", meter.Calls(), "consumedCapacity", meter.Capacity(),
		"readUnits", meter.ReadUnits(), "writeUnits", meter.WriteUnits(), "floorReadUnits", meter.FloorReadUnits(),
		"standaloneWriteUnits", meter.StandaloneWriteUnits(), "checkedItems", meter.CheckedItems(),
		"status", resp.StatusCode,
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
func serveIdempotent(ctx context.Context, r *Request, h Handle, st *store.Store) (events.APIGatewayV2HTTPResponse, error) {
	key, sent := r.lookupHeader("Idempotency-Key")
	if !sent || r.event.RequestContext.HTTP.Method == http.MethodGet {
		return run(ctx, r, h)
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
	claim, replay, err := st.ClaimIdempotency(ctx, r.Actor.UserID, key, hash)
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
	resp, err := run(store.WithClaim(ctx, claim), r, h)
	if err != nil && !claim.Committed() {
		if rerr := st.ReleaseIdempotency(context.WithoutCancel(ctx), claim); rerr != nil {
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
	if cerr := st.CompleteIdempotency(context.WithoutCancel(ctx), claim, resp.StatusCode, resp.Body); cerr != nil {
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

func run(ctx context.Context, r *Request, h Handle) (events.APIGatewayV2HTTPResponse, error) {
	out, err := h(ctx, r)
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
