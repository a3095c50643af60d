package store

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
)

// Idempotency windows: a completed response is replayed for 24 h;
// an in-progress claim expires after a short lease so that a request whose
// Lambda crashed before it wrote anything can be retried.
const (
	IdempotencyTTL   = 24 * time.Hour
	idempotencyLease = 30 * time.Second
)

// States of an idempotency record. "committed" is written by the first
// transaction of the claimed request itself (see Claim), so a crash after a
// commit can never let a retry run the operation a second time.
const (
	idemRunning   = "running"
	idemCommitted = "committed"
	idemDone      = "done"
)

// Replay is a stored response to replay.
type Replay struct {
	Status int
	Body   string
}

// Claim is one invocation's hold on (actor, key). Its token fences the
// record: every transaction of the request carries an update of the record
// conditioned on the token, so an invocation whose lease another one took
// over cannot commit any more, and a committed request is marked in the very
// transaction that changed the data.
type Claim struct {
	actor, key, hash, token string
	committed               atomic.Bool
}

// Committed reports whether a transaction of this request has committed.
func (c *Claim) Committed() bool { return c.committed.Load() }

type claimCtxKey struct{}

// WithClaim returns a context whose transactions record themselves in c.
func WithClaim(ctx context.Context, c *Claim) context.Context {
	return context.WithValue(ctx, claimCtxKey{}, c)
}

func claimOf(ctx context.Context) *Claim {
	c, _ := ctx.Value(claimCtxKey{}).(*Claim)
	return c
}

// markerItem is the transaction item that marks the claim committed. It
// records the last change (group, version) so that a retry can say where
// the applied change is.
func (s *Store) markerItem(c *Claim, ref *changeRef) (*dynamo.Update, func(Item) error) {
	up := s.updateItem(idemPK(c.actor, c.key), skIdem).Set("state", idemCommitted).If("$ = ?", "owner", c.token)
	if ref != nil {
		up.Set("groupID", ref.groupID).Set("version", ref.version)
	}
	return up, func(Item) error {
		return errcode.New(errcode.Conflict, "another attempt of this request took over its Idempotency-Key; retry")
	}
}

// ClaimIdempotency claims (actor, key) for a request whose body hashes to
// hash. It returns the claim to run the request under (see WithClaim), or a
// Replay when the same request already completed. It answers
// IDEMPOTENCY_MISMATCH when the key was used with another body, and CONFLICT
// while the first request is still running, or when it committed but died
// before its response was stored (the change is not applied twice; the
// message names the group and version it reached).
func (s *Store) ClaimIdempotency(ctx context.Context, actor, idemKey, hash string) (*Claim, *Replay, error) {
	now := s.Now()
	c := &Claim{actor: actor, key: idemKey, hash: hash, token: NewID()}
	item := map[string]types.AttributeValue{
		"PK":         &types.AttributeValueMemberS{Value: idemPK(actor, idemKey)},
		"SK":         &types.AttributeValueMemberS{Value: skIdem},
		"kind":       &types.AttributeValueMemberS{Value: kindIdem},
		"state":      &types.AttributeValueMemberS{Value: idemRunning},
		"owner":      &types.AttributeValueMemberS{Value: c.token},
		"hash":       &types.AttributeValueMemberS{Value: hash},
		"leaseUntil": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(idempotencyLease).UnixMilli(), 10)},
		"expiresAt":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(IdempotencyTTL).Unix(), 10)},
	}
	err := s.putItem(item).
		If("attribute_not_exists(PK) OR ($ = ? AND $ < ?)", "state", idemRunning, "leaseUntil", now.UnixMilli()).
		Run(ctx)
	if err == nil {
		return c, nil, nil
	}
	if !dynamo.IsCondCheckFailed(err) {
		return nil, nil, translate(err)
	}
	rec, err := s.get(ctx, idemPK(actor, idemKey), skIdem)
	if err != nil {
		return nil, nil, err
	}
	running := errcode.New(errcode.Conflict, "a request with this Idempotency-Key is in progress; retry")
	if rec == nil {
		return nil, nil, running
	}
	if strAttr(rec, "hash") != hash {
		return nil, nil, errcode.New(errcode.IdempotencyMismatch, "this Idempotency-Key was used with a different request")
	}
	switch strAttr(rec, "state") {
	case idemDone:
		status, _ := intAttr(rec, "status")
		return nil, &Replay{Status: int(status), Body: strAttr(rec, "body")}, nil
	case idemCommitted:
		if lease, _ := intAttr(rec, "leaseUntil"); lease >= now.UnixMilli() {
			return nil, nil, running
		}
		version, _ := intAttr(rec, "version")
		return nil, nil, errcode.New(errcode.Conflict,
			"this request was applied (group %q, version %d) but its response was lost; it is not applied again: read the group or its changes",
			strAttr(rec, "groupID"), version)
	}
	return nil, nil, running
}

// CompleteIdempotency stores the response of a claimed request.
func (s *Store) CompleteIdempotency(ctx context.Context, c *Claim, status int, body string) error {
	err := s.updateItem(idemPK(c.actor, c.key), skIdem).
		Set("state", idemDone).Set("status", status).Set("body", attr(body)).
		If("$ = ?", "owner", c.token).
		Run(ctx)
	return translate(err)
}

// ReleaseIdempotency drops the claim of a request that failed before it
// committed anything, so that the client may retry with the same key.
func (s *Store) ReleaseIdempotency(ctx context.Context, c *Claim) error {
	err := s.deleteItem(idemPK(c.actor, c.key), skIdem).
		If("$ = ? AND $ = ?", "owner", c.token, "state", idemRunning).
		Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil
	}
	return translate(err)
}
