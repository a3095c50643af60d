package costtable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// WriteRecorder learns which items a request changed without scanning the
// table, so that a request on a group of 100,000 members is priced the way
// one on 10 is. It is an HTTP proxy in front of DynamoDB (the functions'
// AWS_ENDPOINT_URL_DYNAMODB): while a window is open (Begin), it reads
// every item a write call names (PutItem, UpdateItem, DeleteItem,
// BatchWriteItem, and the Put, Update and Delete of a TransactWriteItems)
// the first time it is named, before passing the call on; Changes reads
// them again and answers those that differ. Every item a request changes
// is named by key in one of its write calls, so these are exactly the
// items a diff of the whole table before and after would find.
//
// An item is transactional if a TransactWriteItems named it, which is how
// AWS bills it (twice); the items a ConditionCheck names are not changed
// and are counted from the request's own log (checkedItems).
type WriteRecorder struct {
	db    *dynamodb.Client // reads the items, straight to DynamoDB
	proxy *httputil.ReverseProxy

	mu     sync.Mutex
	open   bool
	err    error // the first failure of a read before a write
	before map[itemKey]*recorded
	order  []itemKey
}

// itemKey is an item of one table. The tables the store writes (the main
// table and the inbox table) are keyed PK and SK, both strings.
type itemKey struct{ table, pk, sk string }

type recorded struct {
	before        map[string]types.AttributeValue
	transactional bool
}

// NewWriteRecorder proxies to the DynamoDB endpoint target and reads items
// through db (which must not itself go through the recorder).
func NewWriteRecorder(db *dynamodb.Client, target string) (*WriteRecorder, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("write recorder: endpoint %q: %w", target, err)
	}
	w := &WriteRecorder{db: db, proxy: httputil.NewSingleHostReverseProxy(u)}
	return w, nil
}

// Begin opens a window, forgetting the last one.
func (w *WriteRecorder) Begin() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.open, w.err, w.before, w.order = true, nil, map[itemKey]*recorded{}, nil
}

// Changes closes the window and answers the items its write calls changed,
// as they were before the first call that named them and as they are now
// (nil where absent).
func (w *WriteRecorder) Changes(ctx context.Context) ([]Change, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.open = false
	if w.err != nil {
		return nil, w.err
	}
	var out []Change
	for _, k := range w.order {
		r := w.before[k]
		after, err := w.read(ctx, k)
		if err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(r.before, after) {
			out = append(out, Change{Before: r.before, After: after, Transactional: r.transactional})
		}
	}
	return out, nil
}

// ServeHTTP reads the items a write call names, then passes it on.
func (w *WriteRecorder) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	w.note(r.Context(), op, body)
	w.proxy.ServeHTTP(rw, r)
}

// note records the items a call of op names, reading each the first time.
func (w *WriteRecorder) note(ctx context.Context, op string, body []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.open {
		return
	}
	keys, transactional, err := writtenKeys(op, body)
	for _, k := range keys {
		if err != nil {
			break
		}
		if r, seen := w.before[k]; seen {
			r.transactional = r.transactional || transactional
			continue
		}
		var before map[string]types.AttributeValue
		before, err = w.read(ctx, k)
		w.before[k] = &recorded{before: before, transactional: transactional}
		w.order = append(w.order, k)
	}
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("write recorder: %s: %w", op, err)
	}
}

func (w *WriteRecorder) read(ctx context.Context, k itemKey) (map[string]types.AttributeValue, error) {
	out, err := w.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(k.table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.pk}, "SK": &types.AttributeValueMemberS{Value: k.sk}},
	})
	if err != nil {
		return nil, fmt.Errorf("read %s %s/%s: %w", k.table, k.pk, k.sk, err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// wireItem is an item or key as the DynamoDB JSON protocol sends it; only
// its PK and SK are read.
type wireItem struct {
	PK struct{ S string } `json:"PK"`
	SK struct{ S string } `json:"SK"`
}

// wireWrite is the write part of a PutItem, UpdateItem or DeleteItem, and
// of a TransactWriteItems' Put, Update and Delete.
type wireWrite struct {
	TableName string
	Item      *wireItem
	Key       *wireItem
}

func (w *wireWrite) key() (itemKey, error) {
	it := w.Key
	if it == nil {
		it = w.Item
	}
	if it == nil || w.TableName == "" || it.PK.S == "" {
		return itemKey{}, fmt.Errorf("a write names no table or no PK")
	}
	return itemKey{w.TableName, it.PK.S, it.SK.S}, nil
}

// writtenKeys are the items a call of op (the X-Amz-Target's operation)
// with this body changes if it succeeds, and whether it is a transaction;
// none for a call that writes nothing.
func writtenKeys(op string, body []byte) ([]itemKey, bool, error) {
	var writes []wireWrite
	transactional := false
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		var w wireWrite
		if err := json.Unmarshal(body, &w); err != nil {
			return nil, false, err
		}
		writes = append(writes, w)
	case "BatchWriteItem":
		var in struct {
			RequestItems map[string][]struct {
				PutRequest    *struct{ Item wireItem }
				DeleteRequest *struct{ Key wireItem }
			}
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, false, err
		}
		for table, reqs := range in.RequestItems {
			for _, r := range reqs {
				switch {
				case r.PutRequest != nil:
					writes = append(writes, wireWrite{TableName: table, Item: &r.PutRequest.Item})
				case r.DeleteRequest != nil:
					writes = append(writes, wireWrite{TableName: table, Key: &r.DeleteRequest.Key})
				}
			}
		}
	case "TransactWriteItems":
		transactional = true
		var in struct {
			TransactItems []struct{ Put, Update, Delete *wireWrite }
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, false, err
		}
		for _, t := range in.TransactItems {
			for _, w := range []*wireWrite{t.Put, t.Update, t.Delete} {
				if w != nil {
					writes = append(writes, *w)
				}
			}
		}
	default:
		return nil, false, nil
	}
	keys := make([]itemKey, 0, len(writes))
	for _, w := range writes {
		k, err := w.key()
		if err != nil {
			return nil, false, err
		}
		keys = append(keys, k)
	}
	return keys, transactional, nil
}
