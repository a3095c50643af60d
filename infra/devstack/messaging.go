package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Bus is the SNS/SQS side of the local stack, keyed by template logical id.
type Bus struct {
	Topics        map[string]string // logical id -> topic ARN
	Queues        map[string]Queue  // logical id -> queue
	Subscriptions map[string]string // logical id -> subscription ARN
}

// Queue is one SQS queue created from the template.
type Queue struct {
	Name string
	URL  string
	ARN  string
}

// addTo teaches r what !Ref and !GetAtt mean for the bus's resources.
func (b *Bus) addTo(r *Resolver) {
	for id, arn := range b.Topics {
		r.Refs[id] = arn
		r.Attrs[id+".TopicArn"] = arn
		r.Attrs[id+".TopicName"] = arnName(arn)
	}
	for id, q := range b.Queues {
		r.Refs[id] = q.URL
		r.Attrs[id+".Arn"] = q.ARN
		r.Attrs[id+".QueueUrl"] = q.URL
		r.Attrs[id+".QueueName"] = q.Name
	}
	for id, arn := range b.Subscriptions {
		r.Refs[id] = arn
	}
}

func arnName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}

// Messaging creates on the local SNS/SQS (moto) every AWS::SNS::Topic,
// AWS::SQS::Queue and AWS::SNS::Subscription of template.yaml, named by
// their logical ids: queues with their RedrivePolicy (the DLQ referenced by
// !GetAtt), subscriptions with FilterPolicy and RawMessageDelivery. It is
// idempotent, so a restarted runner reuses what exists. Without template.yaml
// it returns an empty Bus.
func Messaging(ctx context.Context, snsClient *sns.Client, sqsClient *sqs.Client) (*Bus, error) {
	t, err := repoTemplate()
	if isNotExist(err) {
		return newBus(), nil
	}
	if err != nil {
		return nil, err
	}
	return t.Messaging(ctx, snsClient, sqsClient)
}

func newBus() *Bus {
	return &Bus{Topics: map[string]string{}, Queues: map[string]Queue{}, Subscriptions: map[string]string{}}
}

// Messaging is the package-level Messaging for this template.
func (t *Template) Messaging(ctx context.Context, snsClient *sns.Client, sqsClient *sqs.Client) (*Bus, error) {
	return t.MessagingIn(ctx, snsClient, sqsClient, "")
}

// MessagingIn is Messaging with every topic and queue name prefixed by
// namespace, so that several deployments (one per test table) can share
// one moto without consuming each other's messages. The Bus stays keyed by
// logical id.
func (t *Template) MessagingIn(ctx context.Context, snsClient *sns.Client, sqsClient *sqs.Client, namespace string) (*Bus, error) {
	bus := newBus()
	for _, id := range t.OfType("AWS::SNS::Topic") {
		p := t.Resources[id].Properties
		name, attrs := namespace+id, map[string]string{}
		if fifo, _ := p["FifoTopic"].(bool); fifo {
			name += ".fifo"
			attrs["FifoTopic"] = "true"
		}
		if s, ok := scalarString(p["ContentBasedDeduplication"]); ok {
			attrs["ContentBasedDeduplication"] = s
		}
		out, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
		if err != nil {
			return nil, fmt.Errorf("devstack: create topic %s: %w", id, err)
		}
		bus.Topics[id] = aws.ToString(out.TopicArn)
	}

	// Queues first without redrive, then the redrive policies: a policy
	// names its DLQ by ARN, which exists only once every queue does.
	queueIDs := t.OfType("AWS::SQS::Queue")
	for _, id := range queueIDs {
		q, err := createQueue(ctx, sqsClient, id, namespace+id, t.Resources[id].Properties)
		if err != nil {
			return nil, err
		}
		bus.Queues[id] = q
	}
	r := t.Resolver(bus, nil)
	for _, id := range queueIDs {
		rp := asMap(t.Resources[id].Properties["RedrivePolicy"])
		if rp == nil {
			continue
		}
		policy, err := redrivePolicy(r, rp)
		if err != nil {
			return nil, fmt.Errorf("devstack: queue %s RedrivePolicy: %w", id, err)
		}
		_, err = sqsClient.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
			QueueUrl:   aws.String(bus.Queues[id].URL),
			Attributes: map[string]string{"RedrivePolicy": policy},
		})
		if err != nil {
			return nil, fmt.Errorf("devstack: queue %s RedrivePolicy: %w", id, err)
		}
	}

	type sub struct {
		id string
		p  map[string]any
	}
	var subs []sub
	for _, id := range t.OfType("AWS::SNS::Subscription") {
		subs = append(subs, sub{id, t.Resources[id].Properties})
	}
	// A topic may also declare subscriptions inline.
	for _, id := range t.OfType("AWS::SNS::Topic") {
		for i, s := range asSlice(t.Resources[id].Properties["Subscription"]) {
			p := map[string]any{"TopicArn": map[string]any{"Ref": id}}
			for k, v := range asMap(s) {
				p[k] = v
			}
			subs = append(subs, sub{fmt.Sprintf("%s.Subscription[%d]", id, i), p})
		}
	}
	for _, s := range subs {
		arn, err := subscribe(ctx, snsClient, r, s.p)
		if err != nil {
			return nil, fmt.Errorf("devstack: subscription %s: %w", s.id, err)
		}
		bus.Subscriptions[s.id] = arn
	}
	return bus, nil
}

// queueAttrs are the AWS::SQS::Queue properties that are plain queue
// attributes of the same name.
var queueAttrs = []string{
	"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
	"ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "ContentBasedDeduplication",
	"DeduplicationScope", "FifoThroughputLimit",
}

func createQueue(ctx context.Context, client *sqs.Client, id, name string, p map[string]any) (Queue, error) {
	attrs := map[string]string{}
	for _, k := range queueAttrs {
		if s, ok := scalarString(p[k]); ok {
			attrs[k] = s
		}
	}
	if fifo, _ := p["FifoQueue"].(bool); fifo {
		name += ".fifo"
		attrs["FifoQueue"] = "true"
	}
	var url string
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	var exists *sqstypes.QueueNameExists
	switch {
	case err == nil:
		url = aws.ToString(out.QueueUrl)
	case errors.As(err, &exists):
		// Same name, attributes changed since the last run: update in place.
		got, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return Queue{}, fmt.Errorf("devstack: queue %s: %w", id, err)
		}
		url = aws.ToString(got.QueueUrl)
		delete(attrs, "FifoQueue") // immutable
		if _, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: got.QueueUrl, Attributes: attrs}); err != nil {
			return Queue{}, fmt.Errorf("devstack: queue %s: %w", id, err)
		}
	default:
		return Queue{}, fmt.Errorf("devstack: create queue %s: %w", id, err)
	}
	ga, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return Queue{}, fmt.Errorf("devstack: queue %s ARN: %w", id, err)
	}
	return Queue{Name: name, URL: url, ARN: ga.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]}, nil
}

// redrivePolicy renders a template RedrivePolicy as the JSON string the SQS
// API takes, with the DLQ reference resolved to its ARN.
func redrivePolicy(r *Resolver, rp map[string]any) (string, error) {
	out := map[string]any{}
	for k, v := range rp {
		if k == "deadLetterTargetArn" {
			arn, err := r.String(v)
			if err != nil {
				return "", err
			}
			out[k] = arn
			continue
		}
		out[k] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func subscribe(ctx context.Context, client *sns.Client, r *Resolver, p map[string]any) (string, error) {
	topic, err := r.String(p["TopicArn"])
	if err != nil {
		return "", fmt.Errorf("subscription TopicArn: %w", err)
	}
	protocol, _ := p["Protocol"].(string)
	endpoint, err := r.String(p["Endpoint"])
	if err != nil {
		return "", fmt.Errorf("subscription Endpoint: %w", err)
	}
	attrs := map[string]string{}
	for _, k := range []string{"FilterPolicy", "DeliveryPolicy"} {
		switch v := p[k].(type) {
		case nil:
		case string:
			attrs[k] = v
		default:
			// The template writes policies as YAML; the API takes JSON text.
			b, err := json.Marshal(v)
			if err != nil {
				return "", fmt.Errorf("%s: %w", k, err)
			}
			attrs[k] = string(b)
		}
	}
	if rp := asMap(p["RedrivePolicy"]); rp != nil {
		s, err := redrivePolicy(r, rp)
		if err != nil {
			return "", fmt.Errorf("RedrivePolicy: %w", err)
		}
		attrs["RedrivePolicy"] = s
	}
	for _, k := range []string{"FilterPolicyScope", "RawMessageDelivery"} {
		if s, ok := scalarString(p[k]); ok {
			attrs[k] = s
		}
	}
	out, err := client.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn:              aws.String(topic),
		Protocol:              aws.String(protocol),
		Endpoint:              aws.String(endpoint),
		Attributes:            attrs,
		ReturnSubscriptionArn: true,
	})
	if err == nil {
		return aws.ToString(out.SubscriptionArn), nil
	}
	// SNS refuses to re-subscribe with different attributes; a restarted
	// runner with an edited template updates the existing subscription.
	arn, findErr := findSubscription(ctx, client, topic, protocol, endpoint)
	if findErr != nil || arn == "" {
		return "", err
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := client.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(arn), AttributeName: aws.String(k), AttributeValue: aws.String(attrs[k]),
		}); err != nil {
			return "", fmt.Errorf("update %s: %w", k, err)
		}
	}
	return arn, nil
}

func findSubscription(ctx context.Context, client *sns.Client, topic, protocol, endpoint string) (string, error) {
	p := sns.NewListSubscriptionsByTopicPaginator(client, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, s := range page.Subscriptions {
			if aws.ToString(s.Protocol) == protocol && aws.ToString(s.Endpoint) == endpoint {
				return aws.ToString(s.SubscriptionArn), nil
			}
		}
	}
	return "", nil
}
