package event

import "strconv"

// Message attribute names every published event carries; subscribers'
// filter policies select on them.
const (
	AttrType    = "type"
	AttrGroupID = "groupID"
	AttrCode    = "code"
)

// Attribute is one message attribute: its SNS/SQS data type and value.
type Attribute struct {
	DataType, Value string
}

// Attributes are the message attributes of ev, the same on the SNS topic
// and on every queue a consumer hands the event on to.
func Attributes(ev Event) map[string]Attribute {
	return map[string]Attribute{
		AttrType:    {DataType: "String", Value: string(ev.Type)},
		AttrGroupID: {DataType: "String", Value: ev.GroupID},
		AttrCode:    {DataType: "Number", Value: strconv.Itoa(ev.Code)},
	}
}
