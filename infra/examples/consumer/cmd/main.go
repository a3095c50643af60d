// Command consumer is the sample event consumer (package consumer): it
// subscribes its own queue to the events topic with a filter policy and
// prints what it would do for each event.
//
//	. .local/run/env      # make run's moto endpoint and credentials
//	go run ./infra/examples/consumer/cmd [-types MemberKicked,GroupDismissed] [-groups g1,g2]
//
// Against AWS, pass -topic-arn (the stack's TopicArn output) with the
// service's own credentials.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/circles-im/circles/infra/examples/consumer"
)

func main() {
	topic := flag.String("topic-arn", "", "the events topic (default: the topic named EventsTopic, make run's)")
	queue := flag.String("queue", "circles-example-consumer", "the consumer's own queue")
	types := flag.String("types", "MemberKicked,GroupDismissed", "event types to receive (filter policy on type)")
	groups := flag.String("groups", "", "only these groups, comma separated (filter policy on groupID)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *topic, *queue, *types, *groups); err != nil {
		fmt.Fprintf(os.Stderr, "consumer: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, topic, queue, types, groups string) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	topics, queues := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	if topic == "" {
		if topic, err = consumer.FindTopic(ctx, topics, "EventsTopic"); err != nil {
			return err
		}
	}
	filter := map[string][]string{"type": strings.Split(types, ",")}
	if groups != "" {
		filter["groupID"] = strings.Split(groups, ",")
	}
	url, err := consumer.Subscribe(ctx, topics, queues, consumer.Subscription{TopicARN: topic, Queue: queue, Filter: filter})
	if err != nil {
		return err
	}
	fmt.Printf("consumer: %s subscribed to %s with filter %v; waiting for events (Ctrl-C stops)\n", url, topic, filter)
	return (&consumer.Consumer{Out: os.Stdout}).Poll(ctx, queues, url)
}
