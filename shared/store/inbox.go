package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
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
// A payload larger than MaxInlinePayload is not copied into every entry:
// an event naming 1,000 users (a ChannelAccessListUpdate, MemberInvited,
// BanMembers…) carries all 1,000 IDs, ~11 KB, so copying it into each of
// its 1,000 entries stores 11 MB (O(n²) bytes per event) and makes each
// delivery 28 write units instead of 6 (entry, marker and counter at two
// units per KB in a transaction). Such a payload is stored ONCE,
// as the payload item N#<E> / PAYLOAD, and each entry stores a reference
// to it (payloadRef, and payloadBytes, its JSON size, for the page bound):
//
//   - the payload item is written, with deterministic content, before the
//     transaction of the entries that reference it, not in it
//     (DeliverMany reads its cancellation reasons three per recipient);
//     writing it again rewrites the same item;
//   - it expires (expiresAt) at now + retention + 1 day of the latest
//     write, so it outlives every entry that references it: the write is
//     an UpdateItem that only moves expiresAt forward, so a consumer of a
//     shorter retention (INBOX_RETENTION_DAYS raised while old consumers
//     still run) cannot cut the life a longer one gave it;
//   - a process writes it once a day per event, not once per Deliver or
//     DeliverMany call: the consumer delivers a chunk of 50 recipients one
//     call each by default, and an 11 KB Put per call would cost twice
//     what the entries do. It remembers what it wrote (payloadLog) and
//     writes again once the item it wrote would outlive the entries it is
//     writing by less than an hour (slack for another process's Put, of
//     an earlier now, landing after its own). Only the table's TTL
//     removes a payload item, so one this process wrote is there until
//     its expiresAt;
//   - ListNotifications resolves a page's references with one strongly
//     consistent BatchGetItem per 100 of them (the item is written before
//     its entries, but an eventually consistent read could still miss it)
//     and answers exactly the JSON an inline entry would. A missing
//     payload item (it should not happen), or one whose payload is not a
//     map, answers that entry with an empty payload and logs it: one lost
//     item must not fail the inbox.
//
// In a deployment these items live in a table of their own (InboxTable in
// template.yaml, INBOX_TABLE_NAME), with no stream. Nothing else shares a
// transaction with them, and they are most of the writes: an event to
// 10,000 users is 30,000 items. On the main table every one of them would
// be a stream record that publish-events' filter then drops, and every TTL
// expiry another; on DynamoDB Local each stream record also makes all
// later writes of the instance slower.
const (
	skInboxSeq  = "INBOXSEQ"
	skMark      = "MARK"
	skPayload   = "PAYLOAD"
	kindInbox   = "notification"
	kindMark    = "delivery"
	kindSeq     = "counter"
	kindPayload = "payload"

	// MaxInlinePayload is the largest payload (its DynamoDB size) an entry
	// holds itself; a larger one is stored once, apart. With every ID at
	// its 64-byte limit and the longest type name, the rest of an entry is
	// 440 bytes, so an entry stays within 1 KB (one write unit; 927 bytes
	// at the limit), with ~100 bytes to spare for longer names to come.
	MaxInlinePayload = 480

	// payloadTTLMargin keeps a payload item past its entries' retention;
	// a process writes the item again once what it wrote would outlive
	// the entries it writes now by less than payloadLogSlack.
	payloadTTLMargin = 24 * time.Hour
	payloadLogSlack  = time.Hour

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
func payloadPK(eid string) string       { return "N#" + eid }

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

// inboxEntry is a Notification as its item stores it: with its payload,
// or with a reference to the payload item of its event.
type inboxEntry struct {
	Notification
	PayloadRef   string `dynamodbav:"payloadRef,omitempty"`
	PayloadBytes int    `dynamodbav:"payloadBytes,omitempty"`
}

// entryPayload is how the entries of one event hold its payload.
type entryPayload struct {
	inline map[string]any // nil when apart
	ref    string         // the payload item's PK when apart
	bytes  int            // its JSON size when apart
}

// putPayload answers how ev's entries hold its payload, and writes the
// payload item first when the payload is too large to be copied into
// each entry.
func (s *Store) putPayload(ctx context.Context, ev *event.Event, now time.Time) (entryPayload, error) {
	// A payload this process stored apart, and whose item still outlives
	// these entries, is not encoded again: the consumer delivers one
	// recipient per call by default, and the payloads stored apart are the
	// large ones.
	if bytes, ok := s.payloads.covers(ev.EventID, now.Add(s.inboxRetention()+payloadLogSlack)); ok {
		return entryPayload{ref: payloadPK(ev.EventID), bytes: bytes}, nil
	}
	av := attr(ev.Payload)
	if valueSize(av) <= MaxInlinePayload {
		return entryPayload{inline: ev.Payload}, nil
	}
	b, err := json.Marshal(ev.Payload)
	if err != nil {
		return entryPayload{}, fmt.Errorf("event %s payload: %w", ev.EventID, err)
	}
	p := entryPayload{ref: payloadPK(ev.EventID), bytes: len(b)}
	expires := now.Add(s.inboxRetention() + payloadTTLMargin)
	// Its expiry only moves forward: whichever write lands last must not
	// shorten the life of an item that entries written under a longer
	// retention still reference (INBOX_RETENTION_DAYS raised while old
	// consumers still run). A failed condition means the item already
	// lives longer, with the same payload.
	err = s.inbox.Update("PK", p.ref).Range("SK", skPayload).
		Set("kind", kindPayload).Set("payload", av).Set("expiresAt", expires.Unix()).
		If("attribute_not_exists($) OR $ < ?", "expiresAt", "expiresAt", expires.Unix()).Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return entryPayload{}, translate(err)
	}
	s.payloads.wrote(ev.EventID, expires, p.bytes)
	return p, nil
}

// payloadLog is, per event, until when the payload item this process
// last wrote lives, and the payload's JSON size. It forgets everything
// when it reaches maxPayloadLog events, which costs one more write per
// event then in use.
type payloadLog struct {
	mu      sync.Mutex
	written map[string]loggedPayload
}

type loggedPayload struct {
	expires time.Time
	bytes   int
}

const maxPayloadLog = 10_000

// covers reports whether eventID's payload item, as this process wrote it,
// lives until at least until, and the payload's JSON size.
func (l *payloadLog) covers(eventID string, until time.Time) (bytes int, ok bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.written[eventID]
	if !ok || w.expires.Before(until) {
		return 0, false
	}
	return w.bytes, true
}

func (l *payloadLog) wrote(eventID string, expires time.Time, bytes int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written == nil || len(l.written) >= maxPayloadLog {
		l.written = map[string]loggedPayload{}
	}
	l.written[eventID] = loggedPayload{expires: expires, bytes: bytes}
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
	now := s.Now()
	p, err := s.putPayload(ctx, ev, now)
	if err != nil {
		return 0, false, err
	}
	t := &tx{}
	s.addDelivery(t, userID, ev, p, n, now)
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
// DynamoDB's 100 actions. Its size is no limit: an entry is within 1 KB
// whatever the payload (a large one is stored apart), so 33 recipients
// are under 100 KB of DynamoDB's 4 MB.
const (
	MaxDeliverBatch = 33
	deliverAttempts = 12
)

// DeliverBatchSize is how many recipients one DeliverMany call takes: want,
// or MaxDeliverBatch when want is 0 or more than that, whatever the event's
// size: its entries are small however large its payload.
func DeliverBatchSize(want int) int {
	if want <= 0 || want > MaxDeliverBatch {
		return MaxDeliverBatch
	}
	return want
}

// errBatchCancelled is a DeliverMany transaction cancelled for some of its
// users; the others are tried again.
var errBatchCancelled = fmt.Errorf("delivery batch cancelled: %w", ErrRetry)

// DeliverMany writes ev into the inboxes of userIDs (distinct, at most
// DeliverBatchSize(0)): the payload item's Put when ev's payload is
// stored apart (see putPayload), one BatchGetItem of their counters, then
// ONE TransactWriteItems of the three items Deliver writes for each. It answers
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
	p, err := s.putPayload(ctx, ev, s.Now())
	if err != nil {
		return nil, err
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
			s.addDelivery(t, uid, ev, p, seqs[uid], now)
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
// counter was read as n: the marker, the counter to n+1, the entry n+1,
// which holds the payload as p says.
func (s *Store) addDelivery(t *tx, userID string, ev *event.Event, p entryPayload, n int64, now time.Time) {
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
	entry := marshalItem(&inboxEntry{Notification: Notification{
		Seq: next, EventID: ev.EventID, Type: ev.Type, Code: ev.Code, GroupID: ev.GroupID, Version: ev.Version,
		ActorUserID: ev.ActorUserID, OccurredAt: ev.OccurredAt, Payload: p.inline,
	}, PayloadRef: p.ref, PayloadBytes: p.bytes}, map[string]string{"PK": inboxPK(userID), "SK": inboxSK(next), "kind": kindInbox, "userID": userID})
	if p.ref != "" {
		delete(entry, "payload")
	}
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
// most MaxInboxPageBytes of them, payloads stored apart counted at their
// size; entries past their retention are not listed even before the
// table's TTL has removed them (TTL deletes within days, not at once).
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
	var refs []string // refs[i]: the payload item of page.Items[i], or ""
	size := 0
	// done answers the page, its references resolved; more ends it at the
	// last entry taken: the next page starts after it.
	done := func() (*Page[*Notification], error) {
		if err := s.resolvePayloads(ctx, userID, page.Items, refs); err != nil {
			return nil, err
		}
		return page, nil
	}
	more := func() (*Page[*Notification], error) {
		page.NextCursor = strconv.FormatInt(page.Items[len(page.Items)-1].Seq, 10)
		return done()
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
			e, err := unmarshal[inboxEntry](item)
			if err != nil {
				return nil, err
			}
			n := &e.Notification
			if n.Payload == nil {
				n.Payload = map[string]any{}
			}
			b, err := json.Marshal(n)
			if err != nil {
				return nil, fmt.Errorf("inbox entry %d: %w", n.Seq, err)
			}
			entryBytes := len(b)
			if e.PayloadRef != "" {
				// Counted as resolved: its payload in place of the {}.
				entryBytes += max(0, e.PayloadBytes-len("{}")) // stored: never trusted below nothing
			}
			// The first entry always fits (an item is at most 400 KB), so
			// every page makes progress.
			if size += entryBytes + 1; size > MaxInboxPageBytes && len(page.Items) > 0 {
				return more()
			}
			page.Items = append(page.Items, n)
			refs = append(refs, e.PayloadRef)
		}
		if lek == nil {
			return done()
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
			return done()
		}
		start = dynamo.PagingKey(lek)
	}
}

// resolvePayloads puts into ns the payloads their entries reference
// (refs[i] for ns[i]; "" for a payload held inline), read with strongly
// consistent BatchGetItems, none when no entry references one. A payload
// item that is missing leaves its entry's payload empty, logged.
func (s *Store) resolvePayloads(ctx context.Context, userID string, ns []*Notification, refs []string) error {
	var keys []map[string]types.AttributeValue
	seen := map[string]bool{}
	for _, r := range refs {
		if r != "" && !seen[r] {
			seen[r] = true
			keys = append(keys, key(r, skPayload))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	items, err := s.batchReadFrom(ctx, s.inboxTable, keys, true)
	if err != nil {
		return err
	}
	payloads := make(map[string]map[string]any, len(items))
	for _, it := range items {
		var p map[string]any
		if err := attributevalue.Unmarshal(it["payload"], &p); err != nil {
			// Not a map: answered as a missing item is, so that one bad
			// item does not fail the inbox.
			slog.Warn("inbox payload item is not a map", "pk", strAttr(it, "PK"), "error", err.Error())
			continue
		}
		payloads[strAttr(it, "PK")] = p
	}
	for i, r := range refs {
		if r == "" {
			continue
		}
		p, ok := payloads[r]
		if !ok {
			slog.WarnContext(ctx, "inbox payload item missing: entry answered with an empty payload",
				"userID", userID, "seq", ns[i].Seq, "eventID", ns[i].EventID)
			continue
		}
		if p != nil {
			ns[i].Payload = p
		}
	}
	return nil
}

// maxInboxQueries bounds the Query calls of one inbox page.
const maxInboxQueries = 8
