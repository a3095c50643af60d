package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// PutProfile creates or updates a profile; createTime is kept from the first
// write.
func (s *Store) PutProfile(ctx context.Context, p Profile) (*Profile, error) {
	now := s.nowMillis()
	e := newExpr().
		set("userID", p.UserID).
		set("nickname", p.Nickname).
		set("faceURL", p.FaceURL).
		set("ex", p.Ex).
		set("updateTime", now).
		set("kind", kindProfile)
	e.sets = append(e.sets, e.name("createTime")+" = if_not_exists("+e.name("createTime")+", "+e.value(now)+")")
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(userPK(p.UserID), skProfile),
		UpdateExpression:          e.updateExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		return nil, translate(err)
	}
	return unmarshal[Profile](out.Attributes)
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

// batchGet reads keys in chunks of 100, retrying unprocessed keys.
// Reads are strongly consistent: callers decide on what they read.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for start := 0; start < len(keys); start += 100 {
		end := min(start+100, len(keys))
		req := map[string]types.KeysAndAttributes{s.table: {Keys: keys[start:end], ConsistentRead: aws.Bool(true)}}
		for attempt := 0; len(req) > 0; attempt++ {
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, translate(err)
			}
			items = append(items, out.Responses[s.table]...)
			req = out.UnprocessedKeys
			if attempt > 8 && len(req) > 0 {
				return nil, translate(&types.ProvisionedThroughputExceededException{Message: aws.String("unprocessed keys after retries")})
			}
		}
	}
	return items, nil
}
