package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// Inbox: personal notifications of a user, numbered 1, 2, 3… per
// user in the order they were delivered.
//
// Delivering event E to user U is ONE TransactWriteItems of three items:
//
//   - the delivery marker N#<E>#<U> / MARK, put only if absent: at most one
//     inbox entry per (eventID, recipient) however often SQS redelivers;
//   - the counter U#<U> / INBOXSEQ, set from the seq n that was read to n+1,
//     conditioned on still being n (absent when n = 0);
//   - the entry U#<U>#N / <n+1, zero-padded>, put only if absent.
//
// Concurrent deliveries to one user read the same n; the counter condition
// lets exactly one commit and the others re-read and retry, so seqs have no
// gap and no duplicate. A failed marker condition means an earlier delivery
// of the same message committed: nothing to do. DeliverMany puts up to 33
// recipients in one transaction (99 of DynamoDB's 100 actions), as exact,
// with 33 times fewer round trips; the consumer uses it when
// DELIVERY_TX_USERS asks for more than one.
//
// In a deployment these items live in a table of their own (InboxTable in
// template.yaml, INBOX_TABLE_NAME), with no stream. Nothing else shares a
// transaction with them, and they are most of the writes: an event to
// 10,000 users is 30,000 items. On the main table every one of them would
// be a stream record that publish-events' filter then drops, and every TTL
// expiry another; on DynamoDB Local each stream record also makes all
// later writes of the instance slower.
const (
	skInboxSeq = "INBOXSEQ"
	skMark     = "MARK"
	kindInbox  = "notification"
	kindMark   = "delivery"
	kindSeq    = "counter"

	// DeliveryMarkTTL keeps delivery markers well beyond any redelivery:
	// the queue keeps messages 4 days and its DLQ 14 days.
	DeliveryMarkTTL = 30 * 24 * time.Hour

	// DefaultInboxRetention is how long an inbox entry lives
	// (INBOX_RETENTION_DAYS overrides it); the table's TTL removes it after.
	DefaultInboxRetention = 30 * 24 * time.Hour

	// MaxInboxPageBytes bounds the JSON of one inbox page's entries, well
	// under Lambda's 6 MB response limit: a page stops before it, whatever
	// limit was asked for, and says so with its cursor.
	MaxInboxPageBytes = 1_000_000
)

func inboxPK(uid string) string         { return "U#" + uid + "#N" }
func inboxSK(seq int64) string          { return fmt.Sprintf("%012d", seq) }
func deliveryPK(eid, uid string) string { return "N#" + eid + "#" + uid }

// Notification is one inbox entry.
type Notification struct {
	Seq         int64          `json:"seq" dynamodbav:"seq"`
	EventID     string         `json:"eventID" dynamodbav:"eventID"`
	Type        event.Type     `json:"type" dynamodbav:"type"`
	Code        int            `json:"code" dynamodbav:"code"`
	GroupID     string         `json:"groupID" dynamodbav:"groupID"`
	Version     int64          `json:"version" dynamodbav:"version"`
	ActorUserID string         `json:"actorUserID" dynamodbav:"actorUserID"`
	OccurredAt  int64          `json:"occurredAt" dynamodbav:"occurredAt"`
	Payload     map[string]any `json:"payload" dynamodbav:"payload"`
}

// errInboxRaced is a concurrent delivery to the same user taking the seq.
var errInboxRaced = fmt.Errorf("a concurrent delivery took the inbox seq: %w", ErrRetry)

// errDelivered is the marker already existing: a redelivery.
var errDelivered = errors.New("already delivered")

// Deliver writes ev into userID's inbox unless it is already there. It
// answers the entry's seq and whether this call wrote it. Callers wrap it
// in Retry (a lost race on the counter is retryable).
func (s *Store) Deliver(ctx context.Context, userID string, ev *event.Event) (seq int64, wrote bool, err error) {
	counter, err := one(ctx, s.inbox.Get("PK", userPK(userID)).Range("SK", dynamo.Equal, skInboxSeq).Consistent(true).Project("seq"))
	if err != nil {
		return 0, false, err
	}
	n, _ := intAttr(counter, "seq")
	t := &tx{}
	s.addDelivery(t, userID, ev, n, s.Now())
	err = s.commit(ctx, t)
	switch {
	case err == nil:
		return n + 1, true, nil
	case errors.Is(err, errDelivered):
		return 0, false, nil
	}
	return 0, false, err
}

// Limits of one DeliverMany transaction: three writes per recipient within
// DynamoDB's 100 actions, and well under its 4 MB per transaction.
const (
	MaxDeliverBatch    = 33
	maxDeliverTxBytes  = 3_000_000
	deliveryItemExtras = 1_000 // keys, marker, counter and entry attributes
	deliverAttempts    = 12
)

// DeliverBatchSize is how many recipients of ev one DeliverMany call takes:
// want (MaxDeliverBatch when 0 or more), fewer when ev is so large that
// that many entries would pass the transaction's size limit.
func DeliverBatchSize(ev *event.Event, want int) int {
	if want <= 0 || want > MaxDeliverBatch {
		want = MaxDeliverBatch
	}
	if want == 1 {
		return 1 // the default: no size to weigh, so no payload to marshal
	}
	b, _ := json.Marshal(ev.Payload)
	return max(1, min(want, maxDeliverTxBytes/(len(b)+deliveryItemExtras)))
}

// errBatchCancelled is a DeliverMany transaction cancelled for some of its
// users; the others are tried again.
var errBatchCancelled = fmt.Errorf("delivery batch cancelled: %w", ErrRetry)

// DeliverMany writes ev into the inboxes of userIDs (distinct, at most
// DeliverBatchSize(ev, 0)): one BatchGetItem of their counters, then ONE
// TransactWriteItems of the three items Deliver writes for each. It answers
// the users this call wrote; the others already had the entry.
//
// A cancelled transaction writes nothing, and its reasons say what each
// user's items met: a marker that exists is a redelivery (that user is
// done), a moved counter is a concurrent delivery to that user (read it
// again). The rest is tried again at once, so one user's race costs the
// others one more attempt, not a failure; lost races back off as Retry does.
func (s *Store) DeliverMany(ctx context.Context, userIDs []string, ev *event.Event) ([]string, error) {
	if len(userIDs) > MaxDeliverBatch {
		return nil, fmt.Errorf("deliver to %d users: at most %d", len(userIDs), MaxDeliverBatch)
	}
	pending := slices.Clone(userIDs)
	var wrote []string
	raced := 0
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == deliverAttempts {
			return wrote, errcode.Wrap(errcode.Conflict, errBatchCancelled, "deliveries to %d users kept racing; retry", len(pending))
		}
		seqs, err := s.InboxSeqs(ctx, pending)
		if err != nil {
			return wrote, err
		}
		t := &tx{}
		now := s.Now()
		for _, uid := range pending {
			s.addDelivery(t, uid, ev, seqs[uid], now)
		}
		done, moved := map[string]bool{}, false
		t.onCancel = func(reasons []types.CancellationReason) error {
			for i, r := range reasons {
				switch aws.ToString(r.Code) {
				case "ConditionalCheckFailed":
					if i%3 == 0 && i/3 < len(pending) {
						done[pending[i/3]] = true // the marker: delivered before
					} else {
						moved = true
					}
				case "TransactionConflict":
					moved = true
				case "ThrottlingError", "ProvisionedThroughputExceeded":
					return errcode.New(errcode.Unavailable, "the database is busy; retry later")
				case "None", "":
				default:
					return errcode.New(errcode.Internal, "delivery cancelled: %s", aws.ToString(r.Message))
				}
			}
			return errBatchCancelled
		}
		err = s.commit(ctx, t)
		if err == nil {
			return append(wrote, pending...), nil
		}
		if !IsRetryable(err) {
			return wrote, err
		}
		pending = slices.DeleteFunc(pending, func(uid string) bool { return done[uid] })
		if moved || !errors.Is(err, errBatchCancelled) {
			if err := raceBackoff.wait(ctx, raced); err != nil {
				return wrote, errcode.Wrap(errcode.Conflict, err, "deliveries cut off; retry")
			}
			raced++
		}
	}
	return wrote, nil
}

// InboxSeqs reads the inbox counters of userIDs, strongly consistent, one
// BatchGetItem per 100 users: each user's last seq, which is how many
// entries they have had, since seqs have no gaps. A user without an entry
// is left out. Delivery reads them before it writes; tests and tools count
// deliveries with them instead of scanning the inbox table.
func (s *Store) InboxSeqs(ctx context.Context, userIDs []string) (map[string]int64, error) {
	keys := make([]map[string]types.AttributeValue, len(userIDs))
	for i, uid := range userIDs {
		keys[i] = key(userPK(uid), skInboxSeq)
	}
	items, err := s.batchReadFrom(ctx, s.inboxTable, keys, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(items))
	for _, it := range items {
		n, _ := intAttr(it, "seq")
		out[strings.TrimPrefix(strAttr(it, "PK"), userPK(""))] = n
	}
	return out, nil
}

// addDelivery adds to t the three writes that deliver ev to userID, whose
// counter was read as n: the marker, the counter to n+1, the entry n+1.
func (s *Store) addDelivery(t *tx, userID string, ev *event.Event, n int64, now time.Time) {
	next := n + 1
	mark := map[string]types.AttributeValue{
		"PK":        &types.AttributeValueMemberS{Value: deliveryPK(ev.EventID, userID)},
		"SK":        &types.AttributeValueMemberS{Value: skMark},
		"kind":      &types.AttributeValueMemberS{Value: kindMark},
		"seq":       &types.AttributeValueMemberN{Value: strconv.FormatInt(next, 10)},
		"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(DeliveryMarkTTL).Unix(), 10)},
	}
	addTo(t, s.inbox.Put(mark).If(ifAbsent), func(Item) error {
		return errDelivered
	})
	counter := s.inbox.Update("PK", userPK(userID)).Range("SK", skInboxSeq).Set("seq", next).Set("kind", kindSeq)
	if n == 0 {
		counter.If("attribute_not_exists(PK) OR $ = ?", "seq", 0)
	} else {
		counter.If("$ = ?", "seq", n)
	}
	addTo(t, counter, func(Item) error {
		return errInboxRaced
	})
	entry := marshalItem(&Notification{
		Seq: next, EventID: ev.EventID, Type: ev.Type, Code: ev.Code, GroupID: ev.GroupID, Version: ev.Version,
		ActorUserID: ev.ActorUserID, OccurredAt: ev.OccurredAt, Payload: ev.Payload,
	}, map[string]string{"PK": inboxPK(userID), "SK": inboxSK(next), "kind": kindInbox, "userID": userID})
	entry["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(s.inboxRetention()).Unix(), 10)}
	addTo(t, s.inbox.Put(entry).If(ifAbsent), func(Item) error {
		return errInboxRaced
	})
}

func (s *Store) inboxRetention() time.Duration {
	if s.InboxRetention > 0 {
		return s.InboxRetention
	}
	return DefaultInboxRetention
}

// Delivered reports which of userIDs already have ev's entry (their
// delivery marker exists), with one eventually consistent BatchGetItem per
// 100 users. A redelivered chunk skips them; one the read misses is still
// written at most once (the marker's condition).
func (s *Store) Delivered(ctx context.Context, eventID string, userIDs []string) (map[string]bool, error) {
	keys := make([]map[string]types.AttributeValue, len(userIDs))
	for i, uid := range userIDs {
		keys[i] = key(deliveryPK(eventID, uid), skMark)
	}
	items, err := s.batchReadFrom(ctx, s.inboxTable, keys, true)
	if err != nil {
		return nil, err
	}
	prefix := deliveryPK(eventID, "")
	out := make(map[string]bool, len(items))
	for _, it := range items {
		out[strings.TrimPrefix(strAttr(it, "PK"), prefix)] = true
	}
	return out, nil
}

// ListNotifications pages userID's inbox in seq order, starting after
// afterSeq. The next page starts after the last item's seq (NextCursor, in
// decimal; "" on the last page). A page holds at most limit entries and at
// most MaxInboxPageBytes of them; entries past their retention are not
// listed even before the table's TTL has removed them (TTL deletes within
// days, not at once).
func (s *Store) ListNotifications(ctx context.Context, userID string, afterSeq int64, limit int) (*Page[*Notification], error) {
	if afterSeq < 0 {
		return nil, errcode.New(errcode.InvalidArgument, "afterSeq must not be negative")
	}
	limit, err := NormalizeLimit(limit)
	if err != nil {
		return nil, err
	}
	now := s.Now().Unix()
	var start dynamo.PagingKey
	page := &Page[*Notification]{Items: []*Notification{}}
	size := 0
	// more ends the page at the last entry taken: the next page starts
	// after it.
	more := func() (*Page[*Notification], error) {
		page.NextCursor = strconv.FormatInt(page.Items[len(page.Items)-1].Seq, 10)
		return page, nil
	}
	for calls := 1; ; calls++ {
		q := s.inbox.Get("PK", inboxPK(userID)).
			Range("SK", dynamo.Greater, inboxSK(afterSeq)).
			Filter("attribute_not_exists($) OR $ > ?", "expiresAt", "expiresAt", now).
			SearchLimit(limit + 1).RequestLimit(1)
		if start != nil {
			q.StartFrom(start)
		}
		items, lek, err := call(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			if len(page.Items) == limit {
				return more()
			}
			n, err := unmarshal[Notification](item)
			if err != nil {
				return nil, err
			}
			if n.Payload == nil {
				n.Payload = map[string]any{}
			}
			b, err := json.Marshal(n)
			if err != nil {
				return nil, fmt.Errorf("inbox entry %d: %w", n.Seq, err)
			}
			// The first entry always fits (an item is at most 400 KB), so
			// every page makes progress.
			if size += len(b) + 1; size > MaxInboxPageBytes && len(page.Items) > 0 {
				return more()
			}
			page.Items = append(page.Items, n)
		}
		if lek == nil {
			return page, nil
		}
		// Expired entries not yet deleted form a prefix of the inbox (they
		// expire in seq order) that the filter drops after reading. Bound
		// the reads of one request and answer with a cursor past them, so
		// a long prefix never makes a request time out.
		if calls == maxInboxQueries {
			seq, err := strconv.ParseInt(strAttr(lek, "SK"), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("inbox cursor: %w", err)
			}
			page.NextCursor = strconv.FormatInt(seq, 10)
			return page, nil
		}
		start = dynamo.PagingKey(lek)
	}
}

// maxInboxQueries bounds the Query calls of one inbox page.
const maxInboxQueries = 8
