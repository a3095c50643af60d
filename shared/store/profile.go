package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
)

// PutProfile creates or updates a profile; createTime is kept from the first
// write. Then it brings the search keys of the user's memberships to the
// profile's nickname (SyncProfileName), also when it did not change, so a
// retry finishes a walk an earlier attempt could not.
func (s *Store) PutProfile(ctx context.Context, p Profile) (*Profile, error) {
	now := s.nowMillis()
	var item Item
	err := s.updateItem(userPK(p.UserID), skProfile).
		Set("userID", p.UserID).
		Set("nickname", attr(p.Nickname)).
		Set("faceURL", attr(p.FaceURL)).
		Set("ex", attr(p.Ex)).
		Set("updateTime", now).
		Set("kind", kindProfile).
		SetIfNotExists("createTime", now).
		Value(ctx, &item)
	if err != nil {
		return nil, translate(err)
	}
	out, err := unmarshal[Profile](item)
	if err != nil {
		return nil, err
	}
	if err := s.SyncProfileName(ctx, out.UserID, out.Nickname); err != nil {
		return nil, err
	}
	return out, nil
}

// GetProfiles returns the profiles that exist, keyed by userID.
func (s *Store) GetProfiles(ctx context.Context, userIDs []string) (map[string]*Profile, error) {
	keys := make([]map[string]types.AttributeValue, len(userIDs))
	for i, id := range userIDs {
		keys[i] = key(userPK(id), skProfile)
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Profile, len(items))
	for _, it := range items {
		p, err := unmarshal[Profile](it)
		if err != nil {
			return nil, err
		}
		out[p.UserID] = p
	}
	return out, nil
}

// batchGetAttempts bounds the calls for one chunk whose keys keep coming
// back unprocessed; the waits between them (batchBackoff) add up to about
// 2.6–5.2 s at most.
const batchGetAttempts = 8

// batchGet reads keys in chunks of 100. Keys DynamoDB leaves unprocessed
// (it throttles) are asked again after a jittered exponential backoff, a
// bounded number of times, and never past ctx.
// Reads are strongly consistent: callers decide on what they read.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	return s.batchRead(ctx, keys, true)
}

// batchRead is batchGet with the consistency asked: a chunk is one call,
// and a second only for keys left unprocessed under throttling.
func (s *Store) batchRead(ctx context.Context, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	return s.batchReadFrom(ctx, s.table, keys, consistent)
}

// batchReadFrom is batchRead of the table named table.
func (s *Store) batchReadFrom(ctx context.Context, table string, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	busy := func(err error) error {
		return errcode.Wrap(errcode.Unavailable, err, "the database is busy; retry later")
	}
	var items []map[string]types.AttributeValue
	for start := 0; start < len(keys); start += 100 {
		end := min(start+100, len(keys))
		req := map[string]types.KeysAndAttributes{table: {Keys: keys[start:end], ConsistentRead: aws.Bool(consistent)}}
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt == batchGetAttempts {
				return nil, busy(fmt.Errorf("%d keys unprocessed after %d calls", len(req[table].Keys), attempt))
			}
			if attempt > 0 {
				if err := batchBackoff.wait(ctx, attempt-1); err != nil {
					return nil, busy(err)
				}
			}
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil && ctx.Err() != nil {
				return nil, busy(err) // the deadline passed during the call
			}
			if err != nil {
				return nil, translate(err)
			}
			items = append(items, out.Responses[table]...)
			req = out.UnprocessedKeys
		}
	}
	return items, nil
}
