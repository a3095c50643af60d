package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// sends carries a transaction's first request across commit's resends of
// it (txClient.TransactWriteItems).
type sends struct {
	first *dynamodb.TransactWriteItemsInput
}

type sendsKey struct{}

// Item is one DynamoDB item as stored.
type Item = dynamo.Item

// Conditions most writes carry, on the item's partition key.
const (
	ifAbsent = "attribute_not_exists(PK)"
	ifExists = "attribute_exists(PK)"
)

// txClient is the SDK client guregu runs on, the store's own client (so its
// middleware, the Meter's among them, sees every call). It differs in one
// thing: every transaction asks for the old item of each write whose
// condition fails (ReturnValuesOnConditionCheckFailure ALL_OLD), which
// guregu's WriteTx never asks for and tx.explain answers from.
type txClient struct{ *dynamodb.Client }

func (c txClient) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if s, ok := ctx.Value(sendsKey{}).(*sends); ok {
		// A resend of commit's transaction: the first send's request, as
		// it was. guregu builds the request again on every Run, and lists
		// an update's ADD, DELETE and REMOVE clauses in map order, so a
		// rebuilt request can differ in its expression's text; DynamoDB
		// refuses a ClientRequestToken it has seen with a different request
		// (IdempotentParameterMismatchException) instead of answering the
		// first outcome.
		if s.first != nil && aws.ToString(s.first.ClientRequestToken) == aws.ToString(in.ClientRequestToken) {
			in = s.first
		}
		defer func() { s.first = in }()
	}
	const allOld = types.ReturnValuesOnConditionCheckFailureAllOld
	for i := range in.TransactItems {
		switch it := &in.TransactItems[i]; {
		case it.Put != nil:
			it.Put.ReturnValuesOnConditionCheckFailure = allOld
		case it.Update != nil:
			it.Update.ReturnValuesOnConditionCheckFailure = allOld
		case it.Delete != nil:
			it.Delete.ReturnValuesOnConditionCheckFailure = allOld
		case it.ConditionCheck != nil:
			it.ConditionCheck.ReturnValuesOnConditionCheckFailure = allOld
		}
	}
	return c.Client.TransactWriteItems(ctx, in, optFns...)
}

// attr marshals a value written into a record the way marshalItem marshals
// records (dynamodbav tags, an empty string kept as one). guregu's encoder
// reads `dynamo` tags and turns an empty value into a REMOVE.
func attr(v any) types.AttributeValue {
	av, err := attributevalue.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: marshal %T: %v", v, err))
	}
	return av
}

// marshalItem marshals a record and adds its key attributes.
func marshalItem(rec any, attrs map[string]string) Item {
	item, err := attributevalue.MarshalMap(rec)
	if err != nil {
		panic(fmt.Sprintf("store: marshal %T: %v", rec, err))
	}
	for k, v := range attrs {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	return item
}

func key(pk, sk string) Item {
	return Item{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

// putItem is a Put of item.
func (s *Store) putItem(item Item) *dynamo.Put { return s.tbl.Put(item) }

// updateItem is an Update of the item at (pk, sk).
func (s *Store) updateItem(pk, sk string) *dynamo.Update {
	return s.tbl.Update("PK", pk).Range("SK", sk)
}

// deleteItem is a Delete of the item at (pk, sk).
func (s *Store) deleteItem(pk, sk string) *dynamo.Delete {
	return s.tbl.Delete("PK", pk).Range("SK", sk)
}

// checkItem is a transaction's ConditionCheck on the item at (pk, sk).
func (s *Store) checkItem(pk, sk string) *dynamo.ConditionCheck {
	return s.tbl.Check("PK", pk).Range("SK", sk)
}

// getItem is a strongly consistent read of the item at (pk, sk).
func (s *Store) getItem(pk, sk string) *dynamo.Query {
	return s.tbl.Get("PK", pk).Range("SK", dynamo.Equal, sk).Consistent(true)
}

// one runs a read of one item; nil when there is none.
func one(ctx context.Context, q *dynamo.Query) (Item, error) {
	var it Item
	err := q.One(ctx, &it)
	if errors.Is(err, dynamo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	return it, nil
}

// get reads the item at (pk, sk), strongly consistent; nil when absent.
func (s *Store) get(ctx context.Context, pk, sk string) (Item, error) {
	return one(ctx, s.getItem(pk, sk))
}

// partition is a Query of one partition of an index.
func (s *Store) partition(ix index, pk string) *dynamo.Query {
	q := s.tbl.Get(ix.pk, pk)
	if ix.name != "" {
		q.Index(ix.name)
	}
	return q
}

// all runs a Query (or Scan) to its end or its limit and answers its items.
func all(ctx context.Context, q interface {
	All(context.Context, any) error
}) ([]Item, error) {
	var items []Item
	if err := q.All(ctx, &items); err != nil {
		return nil, translate(err)
	}
	return items, nil
}

// call runs a read of one request (SearchLimit(n).RequestLimit(1): guregu
// would otherwise go on past a page the filter emptied) and answers its
// items and DynamoDB's LastEvaluatedKey (nil at the end).
func call(ctx context.Context, q interface {
	AllWithLastEvaluatedKey(context.Context, any) (dynamo.PagingKey, error)
}) ([]Item, Item, error) {
	var items []Item
	lek, err := q.AllWithLastEvaluatedKey(ctx, &items)
	if err != nil {
		return nil, nil, translate(err)
	}
	return items, Item(lek), nil
}

// each calls fn with every item a Query reads, page by page.
func each(ctx context.Context, q *dynamo.Query, fn func(Item) error) error {
	it := q.Iter()
	var item Item
	for it.Next(ctx, &item) {
		if err := fn(item); err != nil {
			return err
		}
		item = nil
	}
	return translate(it.Err())
}
