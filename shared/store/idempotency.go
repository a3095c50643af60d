package store

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
func (s *Store) markerItem(c *Claim, ref *changeRef) (types.TransactWriteItem, func(map[string]types.AttributeValue) error) {
	e := newExpr().set("state", idemCommitted).cond("%n = %v", "owner", c.token)
	if ref != nil {
		e.set("groupID", ref.groupID).set("version", ref.version)
	}
	return s.updateItem(idemPK(c.actor, c.key), skIdem, e), func(map[string]types.AttributeValue) error {
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
	e := newExpr().cond("attribute_not_exists(PK) OR (%n = %v AND %n < %v)", "state", idemRunning, "leaseUntil", now.UnixMilli())
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
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       e.conditionExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
	})
	if err == nil {
		return c, nil, nil
	}
	if !isCondFailed(err) {
		return nil, nil, translate(err)
	}
	rec, gerr := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(idemPK(actor, idemKey), skIdem), ConsistentRead: aws.Bool(true)})
	if gerr != nil {
		return nil, nil, translate(gerr)
	}
	running := errcode.New(errcode.Conflict, "a request with this Idempotency-Key is in progress; retry")
	if rec.Item == nil {
		return nil, nil, running
	}
	if strAttr(rec.Item, "hash") != hash {
		return nil, nil, errcode.New(errcode.IdempotencyMismatch, "this Idempotency-Key was used with a different request")
	}
	switch strAttr(rec.Item, "state") {
	case idemDone:
		status, _ := intAttr(rec.Item, "status")
		return nil, &Replay{Status: int(status), Body: strAttr(rec.Item, "body")}, nil
	case idemCommitted:
		if lease, _ := intAttr(rec.Item, "leaseUntil"); lease >= now.UnixMilli() {
			return nil, nil, running
		}
		version, _ := intAttr(rec.Item, "version")
		return nil, nil, errcode.New(errcode.Conflict,
			"this request was applied (group %q, version %d) but its response was lost; it is not applied again: read the group or its changes",
			strAttr(rec.Item, "groupID"), version)
	}
	return nil, nil, running
}

// CompleteIdempotency stores the response of a claimed request.
func (s *Store) CompleteIdempotency(ctx context.Context, c *Claim, status int, body string) error {
	e := newExpr().set("state", idemDone).set("status", status).set("body", body).cond("%n = %v", "owner", c.token)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(idemPK(c.actor, c.key), skIdem),
		UpdateExpression:          e.updateExpression(),
		ConditionExpression:       e.conditionExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
	})
	return translate(err)
}

// ReleaseIdempotency drops the claim of a request that failed before it
// committed anything, so that the client may retry with the same key.
func (s *Store) ReleaseIdempotency(ctx context.Context, c *Claim) error {
	e := newExpr().cond("%n = %v AND %n = %v", "owner", c.token, "state", idemRunning)
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(idemPK(c.actor, c.key), skIdem),
		ConditionExpression:       e.conditionExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
	})
	if isCondFailed(err) {
		return nil
	}
	return translate(err)
}
