package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BulkLoadMembers adds member records to an existing group with
// BatchWriteItem and then raises memberCount by as many: seeding and
// load-test tooling only (it writes no event and is not atomic, so no
// request path uses it). Members must not exist yet.
func (s *Store) BulkLoadMembers(ctx context.Context, groupID string, ms []*Member) error {
	for start := 0; start < len(ms); start += 25 {
		var reqs []types.WriteRequest
		for _, m := range ms[start:min(start+25, len(ms))] {
			m.GroupID = groupID
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: memberItem(m)}})
		}
		pending := map[string][]types.WriteRequest{s.table: reqs}
		for attempt := 0; len(pending[s.table]) > 0; attempt++ {
			if attempt == 20 {
				return fmt.Errorf("bulk load %s: unprocessed items after %d attempts", groupID, attempt)
			}
			if attempt > 0 {
				time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
			}
			// Each call is bounded: a call that never answers is retried.
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			out, err := s.db.BatchWriteItem(cctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			cancel()
			if err != nil && ctx.Err() == nil && cctx.Err() != nil {
				continue
			}
			if err != nil {
				return translate(err)
			}
			pending = out.UnprocessedItems
		}
	}
	e := newExpr().add("memberCount", int64(len(ms))).cond("attribute_exists(PK)")
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(groupPK(groupID), skMeta),
		UpdateExpression:          e.updateExpression(),
		ConditionExpression:       e.conditionExpression(),
		ExpressionAttributeNames:  e.namesOrNil(),
		ExpressionAttributeValues: e.valuesOrNil(),
	})
	return translate(err)
}
