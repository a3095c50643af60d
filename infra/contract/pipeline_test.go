package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventSources lists the functions driven by DynamoDB Streams or SQS,
// with the queue each SQS one consumes.
var eventSources = map[string]struct{ eventType, queue string }{
	"PublishEventsFunction":         {"DynamoDB", ""},
	"DeliverNotificationsFunction":  {"SQS", "NotificationsQueue"},
	"CleanupDismissedGroupFunction": {"SQS", "CleanupQueue"},
}

const outboxFilter = `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["event"]}}}}`

// TestEventSourceMappings: the stream mapping keeps order and never drops an
// event silently; every SQS mapping reports partial failures from a queue
// with a DLQ after 5 receives, subscribed to the topic with raw delivery, a
// filter policy and a queue policy that admits only the topic.
func TestEventSourceMappings(t *testing.T) {
	r := load(t)
	res := mapAt(r.Template, "Resources")
	for _, id := range sortedKeys(eventSources) {
		want := eventSources[id]
		t.Run(id, func(t *testing.T) {
			f, ok := r.Functions[id]
			require.True(t, ok, "template.yaml has %s", id)
			assert.Empty(t, f.Routes, "%s serves no route", id)
			var evs []map[string]any
			for _, ev := range mapAt(f.Props, "Events") {
				if strAt(ev, "Type") == want.eventType {
					evs = append(evs, mapAt(ev, "Properties"))
				}
			}
			require.Len(t, evs, 1, "%s has one %s event", id, want.eventType)
			p := evs[0]
			assert.Equal(t, []any{"ReportBatchItemFailures"}, p["FunctionResponseTypes"])
			actions := r.functionActions(t, f)
			if want.eventType == "DynamoDB" {
				streamArn := map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}
				assert.Equal(t, streamArn, p["Stream"])
				assert.Equal(t, "TRIM_HORIZON", strAt(p, "StartingPosition"))
				assert.Equal(t, true, p["BisectBatchOnFunctionError"])
				assert.Contains(t, p, "MaximumRetryAttempts")
				filters := asList(mapAt(p, "FilterCriteria")["Filters"])
				if assert.Len(t, filters, 1) {
					assert.JSONEq(t, outboxFilter, strAt(filters[0], "Pattern"))
				}
				dest := mapAt(p, "DestinationConfig", "OnFailure")
				assert.Equal(t, "SQS", strAt(dest, "Type"))
				dlq := mapAt(dest, "Destination")["Fn::GetAtt"]
				if assert.NotNil(t, dlq, "on-failure destination is a queue of the template") {
					assert.Equal(t, "AWS::SQS::Queue", strAt(res, dlq.([]any)[0].(string), "Type"))
					assert.Contains(t, actions["sqs:SendMessage"], map[string]any{"Fn::GetAtt": []any{dlq.([]any)[0], "Arn"}})
				}
				for _, a := range []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"} {
					assert.Contains(t, actions[a], streamArn, "%s needs %s on the stream", id, a)
				}
				assert.Contains(t, actions["sns:Publish"], map[string]any{"Ref": "EventsTopic"})
				return
			}
			queueArn := map[string]any{"Fn::GetAtt": []any{want.queue, "Arn"}}
			assert.Equal(t, queueArn, p["Queue"])
			assert.Contains(t, p, "BatchSize")
			for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} {
				assert.Contains(t, actions[a], queueArn, "%s needs %s on its queue", id, a)
			}
			q := mapAt(res, want.queue, "Properties")
			assert.Equal(t, 5, mapAt(q, "RedrivePolicy")["maxReceiveCount"], "%s: DLQ after 5 receives", want.queue)
			timeout, _ := f.Props["Timeout"].(int)
			vis, _ := q["VisibilityTimeout"].(int)
			assert.GreaterOrEqual(t, vis, 6*timeout, "%s: VisibilityTimeout >= 6x the function's timeout", want.queue)

			var sub map[string]any
			for _, rid := range sortedKeys(res) {
				if strAt(res[rid], "Type") == "AWS::SNS::Subscription" && assert.ObjectsAreEqual(mapAt(res[rid], "Properties")["Endpoint"], queueArn) {
					sub = mapAt(res[rid], "Properties")
				}
			}
			if assert.NotNil(t, sub, "%s is subscribed to the topic", want.queue) {
				assert.Equal(t, "EventsTopic", strAt(sub, "TopicArn", "Ref"))
				assert.Equal(t, true, sub["RawMessageDelivery"])
				assert.NotEmpty(t, mapAt(sub, "FilterPolicy")["type"], "a filter policy on type")
			}
			var policy map[string]any
			for _, rid := range sortedKeys(res) {
				if strAt(res[rid], "Type") == "AWS::SQS::QueuePolicy" {
					for _, qref := range asList(mapAt(res[rid], "Properties")["Queues"]) {
						if strAt(qref, "Ref") == want.queue {
							policy = mapAt(res[rid], "Properties", "PolicyDocument")
						}
					}
				}
			}
			if assert.NotNil(t, policy, "%s has a queue policy", want.queue) {
				st := asList(policy["Statement"])
				require.NotEmpty(t, st)
				assert.Equal(t, "sns.amazonaws.com", strAt(st[0], "Principal", "Service"))
				assert.Equal(t, map[string]any{"Ref": "EventsTopic"}, mapAt(st[0], "Condition", "ArnEquals")["aws:SourceArn"])
			}
		})
	}
}
