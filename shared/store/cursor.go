package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
)

// Paging limits: ?limit= defaults to DefaultLimit and may not exceed MaxLimit.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// index names a key space: the base table or one of the GSIs.
type index struct {
	name   string // "" for the base table
	pk, sk string
}

var (
	baseTable = index{"", "PK", "SK"}
	gsi1      = index{"GSI1", "GSI1PK", "GSI1SK"}
	gsi2      = index{"GSI2", "GSI2PK", "GSI2SK"}
	gsi3      = index{"GSI3", "GSI3PK", "GSI3SK"}
)

// A cursor is a base64url JSON object of named strings: an index's key
// attributes (encodeKeyCursor) or a merged list's position (received.go). Its
// fields go into key conditions and ExclusiveStartKey, where DynamoDB
// refuses sort keys over 1024 bytes with an error: every decoder here
// bounds them, so a tampered cursor is a 400, never a 500.
const (
	// maxCursorField bounds each field in bytes. The longest key a cursor
	// names (RM#<roleID>#<userID>, CO#<channelID>#<userID>) is 132.
	maxCursorField = 256
	// maxCursor bounds the cursor as sent: four fields of maxCursorField
	// bytes, JSON-escaped and base64-encoded, fit well within it.
	maxCursor = 8192
)

func errBadCursor() error {
	return errcode.New(errcode.InvalidArgument, "cursor is not valid for this list")
}

// encodeCursor encodes the fields of a position.
func encodeCursor(fields map[string]string) string {
	b, _ := json.Marshal(fields)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor decodes a cursor that has exactly the named fields, each
// non-empty and at most maxCursorField bytes; anything else is
// INVALID_ARGUMENT.
func decodeCursor(cursor string, names ...string) (map[string]string, error) {
	if len(cursor) > maxCursor {
		return nil, errBadCursor()
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, errBadCursor()
	}
	var k map[string]string
	if err := json.Unmarshal(b, &k); err != nil || len(k) != len(names) {
		return nil, errBadCursor()
	}
	for _, n := range names {
		if v := k[n]; v == "" || len(v) > maxCursorField {
			return nil, errBadCursor()
		}
	}
	return k, nil
}

// keyNames are the attributes of an item's key in the index: PK and SK,
// and the index's own for a GSI.
func keyNames(ix index) []string {
	if ix.name == "" {
		return []string{"PK", "SK"}
	}
	return []string{"PK", "SK", ix.pk, ix.sk}
}

// encodeKeyCursor builds the cursor from the last item returned (never from
// LastEvaluatedKey, which can point past items a Limit cut off).
func encodeKeyCursor(ix index, item map[string]types.AttributeValue) string {
	k := map[string]string{}
	for _, n := range keyNames(ix) {
		k[n] = strAttr(item, n)
	}
	return encodeCursor(k)
}

// decodeKeyCursor decodes an ExclusiveStartKey and checks it belongs to
// this query's partition, so a cursor from another list cannot be replayed
// here.
func decodeKeyCursor(ix index, partition, cursor string) (map[string]types.AttributeValue, error) {
	k, err := decodeCursor(cursor, keyNames(ix)...)
	if err != nil {
		return nil, err
	}
	if k[ix.pk] != partition {
		return nil, errBadCursor()
	}
	out := make(map[string]types.AttributeValue, len(k))
	for name, v := range k {
		out[name] = &types.AttributeValueMemberS{Value: v}
	}
	return out, nil
}

// NormalizeLimit applies the default and checks the bounds.
func NormalizeLimit(limit int) (int, error) {
	if limit == 0 {
		return DefaultLimit, nil
	}
	if limit < 1 || limit > MaxLimit {
		return 0, errcode.New(errcode.InvalidArgument, "limit must be from 1 to %d", MaxLimit)
	}
	return limit, nil
}

// pageQuery is a Query over one partition of an index, optionally narrowed to
// a sort-key range.
type pageQuery struct {
	ix        index
	partition string
	// skCond is an optional extra key condition on the sort key, written
	// with #sk, e.g. "begins_with(#sk, :p)" or "#sk BETWEEN :lo AND :hi".
	skCond   string
	skValues map[string]types.AttributeValue
	forward  bool
	limit    int
	cursor   string
}

// page runs the query for one page. It reads limit+1 items so that the last
// page carries an empty cursor without an extra round trip; the cost of a
// page depends only on its size.
func (s *Store) page(ctx context.Context, q pageQuery) ([]map[string]types.AttributeValue, string, error) {
	limit, err := NormalizeLimit(q.limit)
	if err != nil {
		return nil, "", err
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": q.ix.pk},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: q.partition}},
		ScanIndexForward:          aws.Bool(q.forward),
		Limit:                     aws.Int32(int32(limit + 1)),
	}
	if q.ix.name != "" {
		in.IndexName = aws.String(q.ix.name)
	}
	if q.skCond != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND " + q.skCond)
		in.ExpressionAttributeNames["#sk"] = q.ix.sk
		for k, v := range q.skValues {
			in.ExpressionAttributeValues[k] = v
		}
	}
	if q.cursor != "" {
		start, err := decodeKeyCursor(q.ix, q.partition, q.cursor)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = start
	}
	var items []map[string]types.AttributeValue
	// A Query page can stop early at 1 MB; keep reading until we have
	// limit+1 items or the partition ends.
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", translate(err)
		}
		items = append(items, out.Items...)
		if len(items) > limit || out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
		in.Limit = aws.Int32(int32(limit + 1 - len(items)))
	}
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, encodeKeyCursor(q.ix, items[limit-1]), nil
}

// groupRecords pages through a group's records whose sort key begins with
// prefix (channels, a role's members), in sort-key order. A cursor of
// another list of the same group is refused, not read outside the range.
func groupRecords[T any](ctx context.Context, s *Store, groupID, prefix string, limit int, cursor string, decode func(map[string]types.AttributeValue) (*T, error)) (*Page[*T], error) {
	if cursor != "" {
		k, err := decodeKeyCursor(baseTable, groupPK(groupID), cursor)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(strAttr(k, "SK"), prefix) {
			return nil, errBadCursor()
		}
	}
	items, next, err := s.page(ctx, pageQuery{
		ix: baseTable, partition: groupPK(groupID),
		skCond:   "begins_with(#sk, :p)",
		skValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: prefix}},
		forward:  true, limit: limit, cursor: cursor,
	})
	if err != nil {
		return nil, err
	}
	page := &Page[*T]{Items: make([]*T, 0, len(items)), NextCursor: next}
	for _, it := range items {
		v, err := decode(it)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, v)
	}
	return page, nil
}
