package event

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FromStreamImage decodes an outbox event item from a DynamoDB Streams
// record's NewImage (as Lambda delivers it). The item's key and bookkeeping
// attributes (PK, SK, kind, expiresAt) are ignored.
func FromStreamImage(image map[string]events.DynamoDBAttributeValue) (Event, error) {
	item := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		av, err := streamValue(v)
		if err != nil {
			return Event{}, fmt.Errorf("event: attribute %s: %w", k, err)
		}
		item[k] = av
	}
	var ev Event
	if err := attributevalue.UnmarshalMap(item, &ev); err != nil {
		return Event{}, fmt.Errorf("event: decode stream image: %w", err)
	}
	if ev.EventID == "" || ev.Type == "" || ev.GroupID == "" {
		return Event{}, fmt.Errorf("event: stream image is not an outbox event (eventID %q, type %q, groupID %q)", ev.EventID, ev.Type, ev.GroupID)
	}
	if ev.Payload == nil {
		ev.Payload = map[string]any{}
	}
	if ev.Recipients == nil {
		ev.Recipients = []string{}
	}
	return ev, nil
}

// streamValue converts Lambda's stream attribute value to the SDK's.
func streamValue(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeList:
		l := v.List()
		out := make([]types.AttributeValue, len(l))
		for i, x := range l {
			av, err := streamValue(x)
			if err != nil {
				return nil, err
			}
			out[i] = av
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		m := v.Map()
		out := make(map[string]types.AttributeValue, len(m))
		for k, x := range m {
			av, err := streamValue(x)
			if err != nil {
				return nil, err
			}
			out[k] = av
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	}
	return nil, fmt.Errorf("unsupported attribute type %v", v.DataType())
}

// Parse decodes an event from its JSON message body (what the SNS topic
// carries and, with raw message delivery, what subscribed queues receive).
func Parse(body []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, fmt.Errorf("event: decode message: %w", err)
	}
	if ev.EventID == "" || ev.Type == "" || ev.GroupID == "" {
		return Event{}, fmt.Errorf("event: message is not an event (eventID %q, type %q, groupID %q)", ev.EventID, ev.Type, ev.GroupID)
	}
	if ev.Payload == nil {
		ev.Payload = map[string]any{}
	}
	if ev.Recipients == nil {
		ev.Recipients = []string{}
	}
	return ev, nil
}
