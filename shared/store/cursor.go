package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

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

// A cursor is the key of the last item a page returned, in one index, as a
// base64url JSON object of its key attributes (encodeKeyCursor); decoding it
// checks that it names this list's partition (decodeKeyCursor). Its fields
// go into key conditions and ExclusiveStartKey, where DynamoDB refuses sort
// keys over 1024 bytes with an error: the decoder bounds them, so a
// tampered cursor is a 400, never a 500.
const (
	// maxCursorField bounds each field in bytes. The longest key a cursor
	// names is a member search key (search.go), cut to fit; the longest
	// others (RM#<roleID>#<userID>, CO#<channelID>#<userID>) are 132.
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
func decodeKeyCursor(ix index, partition, cursor string) (Item, error) {
	return decodeKeyCursorOf(ix, cursor, func(Item) string { return partition })
}

// decodeKeyCursorOf is decodeKeyCursor for a list whose partition follows
// from the item the cursor names: partitionOf answers it from the decoded
// key (a list merged from one partition per group, say).
func decodeKeyCursorOf(ix index, cursor string, partitionOf func(key Item) string) (Item, error) {
	k, err := decodeCursor(cursor, keyNames(ix)...)
	if err != nil {
		return nil, err
	}
	out := make(Item, len(k))
	for name, v := range k {
		out[name] = &types.AttributeValueMemberS{Value: v}
	}
	if k[ix.pk] != partitionOf(out) {
		return nil, errBadCursor()
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
	// skOp, when set, narrows the sort key: skOp applied to skValues, e.g.
	// dynamo.BeginsWith with a prefix, dynamo.Between with lo and hi.
	skOp     dynamo.Operator
	skValues []any
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
	// Limit, unlike SearchLimit, reads on past a response DynamoDB cut at
	// 1 MB until it has limit+1 items or the partition ends.
	query := s.partition(q.ix, q.partition).Order(dynamo.Order(q.forward)).Limit(limit + 1)
	if q.skOp != "" {
		query.Range(q.ix.sk, q.skOp, q.skValues...)
	}
	if q.cursor != "" {
		start, err := decodeKeyCursor(q.ix, q.partition, q.cursor)
		if err != nil {
			return nil, "", err
		}
		query.StartFrom(dynamo.PagingKey(start))
	}
	items, err := all(ctx, query)
	if err != nil {
		return nil, "", err
	}
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, encodeKeyCursor(q.ix, items[limit-1]), nil
}

// groupRecords pages through a group's records whose sort key begins with
// prefix (a role's members), in sort-key order. A cursor of
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
		skOp:     dynamo.BeginsWith,
		skValues: []any{prefix},
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
