package notification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// inFlightCutoff ends the DynamoDB calls still in flight this long before
// the deadline, so the invocation answers (with its failures) instead of
// being killed with its whole batch.
const inFlightCutoff = 500 * time.Millisecond

// job is one message of the batch and the outcome of its tasks.
type job struct {
	msg        events.SQSMessage
	err        error // first error of any task
	mu         sync.Mutex
	unfinished atomic.Bool // a task was not started: the deadline came
	progressed atomic.Bool // a task finished in this receive
	receives   int         // ApproximateReceiveCount: 1 on the first receive
}

func (j *job) fail(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err == nil {
		j.err = err
	}
}

// task is one unit of work of a job: one delivery, or one split.
type task struct {
	j   *job
	run func(ctx context.Context) error
}

// tally counts what an invocation did, for its log line.
type tally struct {
	delivered, skipped, chunksSent atomic.Int64
}

// HandleSQS is the deliver-notifications Lambda. It plans each message's
// tasks, runs them on the worker pool until Margin before the deadline, and
// reports as batch item failures the messages that failed or were not
// finished; the others are deleted by the event source mapping. A message
// that is not one of the three kinds fails alone, and after 5 receives the
// queue moves it to its DLQ.
func (s *Service) HandleSQS(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	began := time.Now()
	stopAt := time.Time{} // zero: no deadline
	dctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		stopAt = dl.Add(-s.margin())
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(ctx, dl.Add(-inFlightCutoff))
		defer cancel()
	}
	near := func() bool { return !stopAt.IsZero() && time.Now().After(stopAt) }

	var n tally
	jobs := make([]*job, len(batch.Records))
	planned := make([][]task, len(batch.Records))
	for i, msg := range batch.Records {
		j := &job{msg: msg, receives: receiveCount(msg)}
		jobs[i] = j
		ts, err := s.plan(dctx, j, stopAt, &n)
		if err != nil {
			j.fail(err)
			continue
		}
		planned[i] = ts
	}
	tasks := interleave(jobs, planned)

	queue := make(chan task)
	var wg sync.WaitGroup
	for range min(s.workers(), max(len(tasks), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				if near() {
					t.j.unfinished.Store(true)
					continue
				}
				if err := t.run(dctx); err != nil {
					if dctx.Err() != nil {
						// Cut off at the deadline: unfinished, not failed.
						t.j.unfinished.Store(true)
						continue
					}
					t.j.fail(err)
					continue
				}
				t.j.progressed.Store(true)
			}
		}()
	}
	for _, t := range tasks {
		queue <- t
	}
	close(queue)
	wg.Wait()

	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	var unfinished, progressed []*job
	for _, j := range jobs {
		switch {
		case j.err != nil:
			// A failure waits out the queue's visibility timeout, which
			// gives throttling or an outage time to clear; after 5
			// receives the message is in the DLQ, and its alarm fires.
			logger.Error("deliver", "messageId", j.msg.MessageId, "error", j.err.Error())
		case j.unfinished.Load():
			// Work left over at the deadline is reported as a failure too
			// (reached recipients are skipped when it comes back). If some
			// of it got done in this receive, it is released at once
			// below: the work is healthy, just more than one receive
			// holds, and waiting out the visibility timeout would stall a
			// large fan-out for minutes at each deadline. Work that made
			// no progress at all (throttled, or cut off while backing off)
			// waits out the timeout like a failure.
			unfinished = append(unfinished, j)
			if j.progressed.Load() {
				progressed = append(progressed, j)
			}
		default:
			continue
		}
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: j.msg.MessageId})
	}
	released := s.release(ctx, progressed)
	logger.Info("deliver batch", "messages", len(jobs), "tasks", len(tasks), "delivered", n.delivered.Load(),
		"skipped", n.skipped.Load(), "chunksSent", n.chunksSent.Load(), "unfinished", len(unfinished),
		"released", released, "failed", len(resp.BatchItemFailures)-len(unfinished), "ms", time.Since(began).Milliseconds())
	return resp, nil
}

// interleave orders the batch's tasks round-robin across its messages, so
// that each message progresses in every receive: a message that always
// came last would reach the DLQ's receive limit without being slow itself.
// Two refinements:
//   - messages received urgentReceives times or more go first, whole: when
//     a batch holds more than its time, they finish instead of every
//     message of the batch burning one more receive together;
//   - each message's list starts at its own offset, so that chunks of
//     overlapping events (the same users in the same order) do not race
//     for the same users' counters at the same moment.
func interleave(jobs []*job, planned [][]task) []task {
	var out []task
	urgent := func(i int) bool { return jobs[i].receives >= urgentReceives }
	for i, ts := range planned {
		if urgent(i) {
			out = append(out, ts...)
		}
	}
	rotated := make([][]task, 0, len(planned))
	for i, ts := range planned {
		if !urgent(i) && len(ts) > 0 {
			k := i * len(ts) / len(planned)
			rotated = append(rotated, append(slices.Clone(ts[k:]), ts[:k]...))
		}
	}
	for k := 0; ; k++ {
		added := false
		for _, ts := range rotated {
			if k < len(ts) {
				out = append(out, ts[k])
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// urgentReceives: a message received this many times runs before the
// others of its batch (two receives short of the DLQ's five).
const urgentReceives = 3

func receiveCount(m events.SQSMessage) int {
	n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
	return n
}

// releaseWithin is the least time before the deadline a release starts
// with, and releaseEnd when it is cut off: the invocation must still answer
// in time, or its whole batch counts as failed. With less left, the
// messages wait out their visibility timeout.
const (
	releaseWithin = 300 * time.Millisecond
	releaseEnd    = 200 * time.Millisecond
)

// release makes the unfinished messages visible again at once
// (ChangeMessageVisibilityBatch, visibility 0) and answers how many it
// released. It is only a speed-up: a message it cannot release comes back
// after the queue's visibility timeout, as any failure does.
func (s *Service) release(ctx context.Context, jobs []*job) int {
	if s.SQS == nil || len(jobs) == 0 {
		return 0
	}
	if dl, ok := ctx.Deadline(); ok {
		if time.Until(dl) < releaseWithin {
			return 0
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-releaseEnd))
		defer cancel()
	}
	released := 0
	for batch := range slices.Chunk(jobs, 10) {
		entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(batch))
		for i, j := range batch {
			entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(j.msg.ReceiptHandle), VisibilityTimeout: 0,
			}
		}
		out, err := s.SQS.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(s.QueueURL), Entries: entries})
		if err != nil {
			logger.Warn("release unfinished messages", "error", err.Error())
			return released
		}
		for _, f := range out.Failed {
			logger.Warn("release unfinished message", "id", aws.ToString(f.Id), "code", aws.ToString(f.Code), "error", aws.ToString(f.Message))
		}
		released += len(out.Successful)
	}
	return released
}

// plan turns one message into its tasks.
func (s *Service) plan(ctx context.Context, j *job, stopAt time.Time, n *tally) ([]task, error) {
	ev, ch, ex, err := parseMessage([]byte(j.msg.Body))
	if err != nil {
		return nil, err
	}
	switch {
	case ch != nil:
		return s.deliveries(j, &ch.Event, unique(ch.Recipients), n), nil
	case ex != nil:
		return []task{{j: j, run: func(ctx context.Context) error { return s.expand(ctx, ex, stopAt, n) }}}, nil
	}
	tasks, err := s.planEvent(ctx, j, ev, stopAt, n)
	if notice := ev.VisibilityNotice(); notice != nil && err == nil {
		// The ChannelVisibilityChanged notification the change asks for:
		// an event of its own ID, delivered (and split) like any other.
		more, err := s.planEvent(ctx, j, notice, stopAt, n)
		return append(tasks, more...), err
	}
	return tasks, err
}

// planEvent is plan for one event: its deliveries, or its split.
func (s *Service) planEvent(ctx context.Context, j *job, ev *event.Event, stopAt time.Time, n *tally) ([]task, error) {
	if !ev.Personal() {
		return nil, nil
	}
	recipients := unique(ev.Recipients)
	if ev.Audience == nil && (len(recipients) <= s.chunkSize() || s.SQS == nil) {
		return s.deliveries(j, ev, recipients, n), nil
	}
	if s.SQS == nil {
		return nil, errors.New("notification: an event with an audience needs the queue (QUEUE_URL) to be split")
	}
	return []task{{j: j, run: func(ctx context.Context) error { return s.split(ctx, ev, recipients, stopAt, n) }}}, nil
}

// deliveries are the tasks that write ev into each recipient's inbox, one
// transaction per TxUsers recipients (DeliverMany). A message received
// before skips the recipients it already reached, so its redelivery writes
// only the rest: each window of markerWindow recipients reads their markers
// (one BatchGetItem) when its first task runs, not all of them up front,
// so a large chunk under a short deadline still spends its time delivering.
func (s *Service) deliveries(j *job, ev *event.Event, recipients []string, n *tally) []task {
	redelivered := j.receives > 1
	want := s.TxUsers
	if want == 0 {
		want = DefaultTxUsers
	}
	size := store.DeliverBatchSize(want)
	var tasks []task
	for ids := range slices.Chunk(recipients, markerWindow) {
		w := &markers{ids: ids}
		for batch := range slices.Chunk(ids, size) {
			tasks = append(tasks, task{j: j, run: func(ctx context.Context) error {
				todo := batch
				if redelivered {
					done := w.read(ctx, s.st, ev.EventID, j.msg.MessageId)
					todo = slices.DeleteFunc(slices.Clone(batch), func(uid string) bool { return done[uid] })
					n.skipped.Add(int64(len(batch) - len(todo)))
					if len(todo) == 0 {
						return nil
					}
				}
				wrote, err := s.st.DeliverMany(ctx, todo, ev)
				n.delivered.Add(int64(len(wrote)))
				if err == nil {
					// The others already had the entry: a write still in
					// flight when an earlier receive died can commit after
					// this receive read the markers.
					n.skipped.Add(int64(len(todo) - len(wrote)))
				}
				if s.OnDelivered != nil {
					for range wrote {
						s.OnDelivered()
					}
				}
				return err
			}})
		}
	}
	return tasks
}

// markerWindow is how many recipients' markers one read covers: one
// BatchGetItem.
const markerWindow = 100

// markers are the delivery markers of a window of recipients, read once,
// by the first of its tasks that runs.
type markers struct {
	ids  []string
	once sync.Once
	done map[string]bool
}

// read answers which of the window's recipients already have the entry.
// Only an optimization: if the read fails, the markers' conditions still
// keep every recipient from a second entry.
func (m *markers) read(ctx context.Context, st *store.Store, eventID, messageID string) map[string]bool {
	m.once.Do(func() {
		done, err := st.Delivered(ctx, eventID, m.ids)
		if err != nil {
			logger.Warn("read delivery markers", "messageId", messageID, "error", err.Error())
		}
		m.done = done
	})
	return m.done
}

// split turns an event into chunks: its named recipients first, then its
// audience, expanded page by page.
func (s *Service) split(ctx context.Context, ev *event.Event, recipients []string, stopAt time.Time, n *tally) error {
	base := *ev
	base.Recipients, base.Audience = []string{}, nil
	next, err := s.sendChunks(ctx, &base, recipients, 0, n)
	if err != nil || ev.Audience == nil {
		return err
	}
	sources, err := s.sources(ctx, ev)
	if err != nil {
		return err
	}
	return s.expand(ctx, &Expansion{Event: base, Sources: sources, NextIndex: next}, stopAt, n)
}

// sources are the paged sources of ev's audience: the holders of an item,
// resolved from the group's roles as they are now, and the members of the
// roles it names.
func (s *Service) sources(ctx context.Context, ev *event.Event) ([]string, error) {
	var out []string
	if ev.Audience.Holders != "" {
		g, err := s.st.GroupRoles(ctx, ev.GroupID)
		if err != nil {
			return nil, err
		}
		out = append(out, store.SourceManagers)
		if g.Roles != nil {
			for _, rid := range slices.Sorted(maps.Keys(g.Roles.Roles)) {
				r := g.Roles.Roles[rid]
				if r.Type == store.RoleTypeCustom && r.Auths[ev.Audience.Holders] == store.AuthAllow {
					out = append(out, store.SourceRole+rid)
				}
			}
		}
	}
	// The members of the roles named, each role a source of its own: a
	// user in two of them is sent one chunk entry each, and the delivery
	// marker keeps it to one inbox entry.
	for _, rid := range ev.Audience.Roles {
		out = append(out, store.SourceRole+rid)
	}
	return out, nil
}

// expand sends the chunks of the audience sources from where ex stands.
// Each page is ten chunks: one Query and one SendMessageBatch. When the
// deadline is near it sends the rest as a new Expansion instead.
func (s *Service) expand(ctx context.Context, ex *Expansion, stopAt time.Time, n *tally) error {
	for ex.Source < len(ex.Sources) {
		if !stopAt.IsZero() && time.Now().After(stopAt) {
			return s.send(ctx, []sqstypes.SendMessageBatchRequestEntry{entry(ex.Event.EventID+"#expand", work{Expand: ex})}, n, false)
		}
		ids, cursor, err := s.st.AudiencePage(ctx, ex.Event.GroupID, ex.Sources[ex.Source], ex.Cursor, 10*s.chunkSize())
		if err != nil {
			return err
		}
		ids = notActor(ids, &ex.Event)
		if ex.NextIndex, err = s.sendChunks(ctx, &ex.Event, ids, ex.NextIndex, n); err != nil {
			return err
		}
		if ex.Cursor = cursor; cursor == "" {
			ex.Source++
		}
	}
	return nil
}

// notActor drops the event's actor from an audience page: nobody is
// notified of their own action.
func notActor(ids []string, ev *event.Event) []string {
	return slices.DeleteFunc(ids, func(id string) bool { return id == ev.ActorUserID })
}

// Expand answers every user ev reaches: its named recipients and its whole
// audience as it stands now, each once. The consumer never needs it all at
// once (it pages); tools and tests do.
func (s *Service) Expand(ctx context.Context, ev *event.Event) ([]string, error) {
	all := slices.Clone(ev.Recipients)
	if ev.Audience != nil {
		sources, err := s.sources(ctx, ev)
		if err != nil {
			return nil, err
		}
		for _, src := range sources {
			cursor := ""
			for {
				ids, next, err := s.st.AudiencePage(ctx, ev.GroupID, src, cursor, 1000)
				if err != nil {
					return nil, err
				}
				all = append(all, notActor(ids, ev)...)
				if cursor = next; cursor == "" {
					break
				}
			}
		}
	}
	return unique(all), nil
}

// sendChunks sends recipients as chunks numbered from index on, and
// answers the next index.
func (s *Service) sendChunks(ctx context.Context, ev *event.Event, recipients []string, index int, n *tally) (int, error) {
	var entries []sqstypes.SendMessageBatchRequestEntry
	var add func(c []string)
	add = func(c []string) {
		id := chunkID(ev.EventID, index)
		e := entry(id, work{Chunk: &Chunk{ID: id, Event: *ev, Recipients: c}})
		// A chunk must fit one SQS message: halve it while it does not (a
		// large event with long user IDs), down to one recipient.
		if len(aws.ToString(e.MessageBody)) > maxBatchBytes && len(c) > 1 {
			add(c[:len(c)/2])
			add(c[len(c)/2:])
			return
		}
		entries = append(entries, e)
		index++
	}
	for c := range slices.Chunk(unique(recipients), s.chunkSize()) {
		add(c)
	}
	return index, s.send(ctx, entries, n, true)
}

func entry(id string, w work) sqstypes.SendMessageBatchRequestEntry {
	body, _ := json.Marshal(w) // plain structs: cannot fail
	return sqstypes.SendMessageBatchRequestEntry{
		MessageBody: aws.String(string(body)), // Id: set by send, unique within its batch
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"chunkID": {DataType: aws.String("String"), StringValue: aws.String(id)},
		},
	}
}

// maxBatchBytes keeps one SendMessageBatch under SQS's 256 KiB total.
const maxBatchBytes = 240 * 1024

// send sends entries in batches of at most 10 and maxBatchBytes.
func (s *Service) send(ctx context.Context, entries []sqstypes.SendMessageBatchRequestEntry, n *tally, chunks bool) error {
	for len(entries) > 0 {
		k, size := 0, 0
		for k < len(entries) && k < 10 {
			sz := len(aws.ToString(entries[k].MessageBody)) + 100
			if k > 0 && size+sz > maxBatchBytes {
				break
			}
			size += sz
			entries[k].Id = aws.String(strconv.Itoa(k))
			k++
		}
		out, err := s.SQS.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.QueueURL), Entries: entries[:k]})
		if err != nil {
			return fmt.Errorf("notification: send chunks: %w", err)
		}
		if len(out.Failed) > 0 {
			// The message is redelivered and split again; chunks sent twice
			// deliver nothing twice.
			f := out.Failed[0]
			return fmt.Errorf("notification: send chunks: %d failed, first %s: %s", len(out.Failed), aws.ToString(f.Code), aws.ToString(f.Message))
		}
		if chunks {
			n.chunksSent.Add(int64(k))
		}
		entries = entries[k:]
	}
	return nil
}
