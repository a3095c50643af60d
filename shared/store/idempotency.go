package store

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
)

// Idempotency windows (SPEC §1): a completed response is replayed for 24 h;
// an in-progress claim expires after a short lease so that a request whose
// Lambda crashed can be retried.
const (
	IdempotencyTTL   = 24 * time.Hour
	idempotencyLease = 30 * time.Second
)

// Replay is a stored response to replay.
type Replay struct {
	Status int
	Body   string
}

// ClaimIdempotency claims (actor, key) for a request whose body hashes to
// hash. It returns a Replay when the same request already completed,
// IDEMPOTENCY_MISMATCH when the key was used with another body, and CONFLICT
// while the first request is still running.
func (s *Store) ClaimIdempotency(ctx context.Context, actor, idemKey, hash string) (*Replay, error) {
	now := s.Now()
	e := newExpr().cond("attribute_not_exists(PK) OR (%n = %v AND %n < %v)", "state", "running", "leaseUntil", now.UnixMilli())
	item := map[string]types.AttributeValue{
		"PK":         &types.AttributeValueMemberS{Value: idemPK(actor, idemKey)},
		"SK":         &types.AttributeValueMemberS{Value: skIdem},
		"kind":       &types.AttributeValueMemberS{Value: kindIdem},
		"state":      &types.AttributeValueMemberS{Value: "running"},
		"hash":       &types.AttributeValueMemberS{Value: hash},
		"leaseUntil": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(idempotencyLease).UnixMilli(), 10)},
		"expiresAt":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(IdempotencyTTL).Unix(), 10)},
	}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                item,
		ConditionExpression:                 e.conditionExpression(),
		ExpressionAttributeNames:            e.namesOrNil(),
		ExpressionAttributeValues:           e.valuesOrNil(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil, nil
	}
	if !isCondFailed(err) {
		return nil, translate(err)
	}
	rec, gerr := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(idemPK(actor, idemKey), skIdem), ConsistentRead: aws.Bool(true)})
	if gerr != nil {
		return nil, translate(gerr)
	}
	if rec.Item == nil {
		return nil, errcode.New(errcode.Conflict, "a request with this Idempotency-Key is in progress; retry")
	}
	if strAttr(rec.Item, "hash") != hash {
		return nil, errcode.New(errcode.IdempotencyMismatch, "this Idempotency-Key was used with a different request")
	}
	if strAttr(rec.Item, "state") != "done" {
		return nil, errcode.New(errcode.Conflict, "a request with this Idempotency-Key is in progress; retry")
	}
	status, _ := intAttr(rec.Item, "status")
	return &Replay{Status: int(status), Body: strAttr(rec.Item, "body")}, nil
}

// CompleteIdempotency stores the response of a claimed request.
func (s *Store) CompleteIdempotency(ctx context.Context, actor, idemKey, hash string, status int, body string) error {
	e := newExpr().set("state", "done").set("status", status).set("body", body).cond("%n = %v", "hash", hash)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(idemPK(actor, idemKey), skIdem),
		UpdateExpression:          e.updateExpression(),
		ConditionExpression:       e.conditionExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
	})
	return translate(err)
}

// ReleaseIdempotency drops the claim of a request that failed, so that the
// client may retry with the same key.
func (s *Store) ReleaseIdempotency(ctx context.Context, actor, idemKey, hash string) error {
	e := newExpr().cond("%n = %v AND %n = %v", "hash", hash, "state", "running")
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(idemPK(actor, idemKey), skIdem),
		ConditionExpression:       e.conditionExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
	})
	if isCondFailed(err) {
		return nil
	}
	return translate(err)
}
