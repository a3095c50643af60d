package costtable

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThePricesFileHasEveryPriceAndItsDate(t *testing.T) {
	p, err := LoadPrices()
	require.NoError(t, err)
	assert.NotEmpty(t, p.Date)
	assert.Positive(t, p.DynamoDBReadPerM)
	assert.Greater(t, p.DynamoDBWritePerM, p.DynamoDBReadPerM, "a write unit costs more than a read unit")
}

func TestPerMillionPricesUnitsDurationAndTheRequest(t *testing.T) {
	p := Prices{DynamoDBReadPerM: 0.125, DynamoDBWritePerM: 0.625, LambdaArm64PerGBSec: 0.0000133334, LambdaPerMRequests: 0.20, APIGatewayPerM: 1}
	cases := []struct {
		name string
		row  Row
		want Cost
	}{
		{"a read of 2 units, 10 ms at 128 MB", Row{Read: 2, DurationMs: 9.2, MemoryMB: 128},
			Cost{DynamoDB: 0.25, Lambda: 0.20 + 0.125*0.010*1e6*0.0000133334, APIGateway: 1}},
		{"a write of 4 units and 1 read unit, 1024 MB, under a millisecond bills one", Row{Read: 1, Write: 4, DurationMs: 0.3, MemoryMB: 1024},
			Cost{DynamoDB: 0.125 + 2.5, Lambda: 0.20 + 0.001*1e6*0.0000133334, APIGateway: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.PerMillion(c.row)
			assert.InDelta(t, c.want.DynamoDB, got.DynamoDB, 1e-9)
			assert.InDelta(t, c.want.Lambda, got.Lambda, 1e-9)
			assert.InDelta(t, c.want.APIGateway, got.APIGateway, 1e-9)
			assert.InDelta(t, c.want.DynamoDB+c.want.Lambda+c.want.APIGateway, got.Total(), 1e-9)
		})
	}
}

func TestMarkdownPairsTheTwoSizesOfEachOperation(t *testing.T) {
	p := Prices{Date: "2026-12-01", Region: "us-east-1", DynamoDBReadPerM: 0.125, DynamoDBWritePerM: 0.625, LambdaArm64PerGBSec: 1e-5, LambdaPerMRequests: 0.2, APIGatewayPerM: 1}
	md := Markdown(p, "header",
		[]Row{{Function: "get-groups-info", Operation: "GetGroupsInfo", Calls: 2, Read: 2, MemoryMB: 128}, {Function: "only", Operation: "Only", Calls: 1}, {Function: "check-group", Operation: "CheckGroup", Calls: 4, Read: 9},
			{Function: "kick", Operation: "KickGroupMember", Calls: 3, Read: 8, Write: 10, FloorRead: 4, FloorWrite: 10, HasFloor: true}},
		[]Row{{Function: "get-groups-info", Operation: "GetGroupsInfo", Calls: 2, Read: 2.5, MemoryMB: 128}, {Function: "check-group", Failed: "Sandbox.Timedout: Task timed out after 29.00 seconds"}})
	assert.Contains(t, md, "| GetGroupsInfo | 2 / 2 | 2 / 2.5 | 0 / 0 |")
	assert.Contains(t, md, "| Only | 1 | 0 | 0 | — | — |")
	assert.Contains(t, md, "| KickGroupMember | 3 | 8 | 10 | 4 / 10 | 1.07 |", "(8×0.125 + 10×0.625) / (4×0.125 + 10×0.625)")
	assert.Contains(t, md, "| CheckGroup | 4 / — | 9 / — |")
	assert.Contains(t, md, "did not finish: Sandbox.Timedout")
	assert.Contains(t, md, "us-east-1, 2026-12-01")
}

// A consumer's price is per unit of its work: the invocation's units,
// Lambda time and messages divided by what it did.
func TestAConsumersPriceIsItsInvocationsDividedByItsUnitsOfWork(t *testing.T) {
	p := Prices{DynamoDBReadPerM: 0.125, DynamoDBWritePerM: 0.625, LambdaArm64PerGBSec: 0.0000133334, LambdaPerMRequests: 0.20, SNSPerMPublishes: 0.5, SQSPerMRequests: 0.4}
	cases := []struct {
		name string
		row  ConsumerRow
		want ConsumerCost
	}{
		{"a stream batch of 100 events, 100 publishes", ConsumerRow{Count: 100, DurationMs: 199.5, MemoryMB: 256, SNSPublishes: 100},
			ConsumerCost{Lambda: (0.20 + 0.25*0.2*1e6*0.0000133334) / 100, Messaging: 0.5}},
		{"a chunk of 50 recipients", ConsumerRow{Count: 50, Read: 25, Write: 300, DurationMs: 1000, MemoryMB: 512},
			ConsumerCost{DynamoDB: (25*0.125 + 300*0.625) / 50, Lambda: (0.20 + 0.5*1*1e6*0.0000133334) / 50}},
		{"a split sending 2 SendMessageBatch, counted as one unit", ConsumerRow{Count: 0, SQSRequests: 2, DurationMs: 1, MemoryMB: 1024},
			ConsumerCost{Lambda: 0.20 + 0.001*1e6*0.0000133334, Messaging: 0.8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.PerMillionUnits(c.row)
			assert.InDelta(t, c.want.DynamoDB, got.DynamoDB, 1e-9)
			assert.InDelta(t, c.want.Lambda, got.Lambda, 1e-9)
			assert.InDelta(t, c.want.Messaging, got.Messaging, 1e-9)
			assert.InDelta(t, c.want.DynamoDB+c.want.Lambda+c.want.Messaging, got.Total(), 1e-9)
		})
	}
	md := ConsumerMarkdown(p, []ConsumerRow{{Function: "deliver-notifications", Invocation: "a chunk of 50", Per: "recipient", Count: 50, Calls: 4, Read: 25, Write: 300, DurationMs: 1000, MemoryMB: 512}})
	assert.Contains(t, md, "| deliver-notifications | a chunk of 50 | 4 | 25 | 300 | recipient: 0.5 / 6 | 1000 (512) | 0 / 0 | ")
	assert.Contains(t, md, "| 3.95 (3.81 + 0.14 + 0.00) |", "(25×0.125 + 300×0.625 + 0.20 + 0.5×1 s×1e6×0.0000133334) / 50")
}

func TestReplaceBetweenKeepsTheMarkersAndRefusesBadOnes(t *testing.T) {
	doc := "a\n<!-- b -->\nold\n<!-- e -->\nz\n"
	got, err := ReplaceBetween(doc, "<!-- b -->", "<!-- e -->", "new\n")
	require.NoError(t, err)
	assert.Equal(t, "a\n<!-- b -->\nnew\n<!-- e -->\nz\n", got)
	for _, bad := range []string{"a\n<!-- e -->\n<!-- b -->\n", "no markers", "<!-- b --><!-- b --><!-- e -->"} {
		_, err := ReplaceBetween(bad, "<!-- b -->", "<!-- e -->", "x")
		assert.Error(t, err, bad)
	}
}

func TestWriteFloorCountsTheLargerImageAndTransactionsTwice(t *testing.T) {
	str := func(n int) types.AttributeValue { return &types.AttributeValueMemberS{Value: strings.Repeat("x", n)} }
	item := func(attrs ...any) map[string]types.AttributeValue {
		out := map[string]types.AttributeValue{}
		for i := 0; i < len(attrs); i += 2 {
			out[attrs[i].(string)] = attrs[i+1].(types.AttributeValue)
		}
		return out
	}
	cases := []struct {
		name    string
		changes []Change
		want    float64
	}{
		{"a small put in a transaction: two units", []Change{{After: item("PK", str(10)), Transactional: true}}, 2},
		{"a small put alone: one unit", []Change{{After: item("PK", str(10))}}, 1},
		{"an update is billed by the larger image: 1.5 KB before, a few bytes after", []Change{{Before: item("PK", str(1500)), After: item("PK", str(3)), Transactional: true}}, 4},
		{"a deletion of an item in an index: the item twice, the index entry not (DynamoDB Local bills none)", []Change{{Before: item("PK", str(10), "GSI1PK", str(3), "GSI1SK", str(3)), Transactional: true}}, 2},
		{"changes add up", []Change{{After: item("PK", str(10)), Transactional: true}, {Before: item("PK", str(2100))}}, 2 + 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, WriteFloor(c.changes))
		})
	}
}

func TestBilledCountsEveryTransactionItemTwiceAChecksTwoAndStandaloneWritesAsReported(t *testing.T) {
	small := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "G#g1"}}
	changes := []Change{{After: small, Transactional: true}, {Before: small, After: small, Transactional: true}, {After: small}}
	assert.Equal(t, 2.0+2+2*2+1.5, Billed(changes, 1.5, 2), "two changed items, two checks, the standalone writes' 1.5 units; the standalone item is in those")
	assert.Equal(t, 2.0+2+1, WriteFloor(changes), "the floor: each change once, at its own rate")
}

func TestOutgrownNamesTheOperationsWhoseCallsOrUnitsGrewPastTheLimit(t *testing.T) {
	small := []Row{
		{Function: "list", Operation: "GetGroupMemberList", Members: 10, Calls: 2, Read: 6.5},
		{Function: "kick", Operation: "KickGroupMember", Members: 10, Calls: 4, Read: 8, Write: 10},
		{Function: "check", Operation: "CheckGroup", Members: 10, Calls: 4, Read: 9},
		{Function: "join", Operation: "JoinGroup", Members: 10, Calls: 4, Read: 6, Write: 12},
		{Function: "only-small", Operation: "OnlySmall", Members: 10, Calls: 1},
	}
	large := []Row{
		{Function: "list", Members: 100000, Calls: 2, Read: 9.5},
		{Function: "kick", Members: 100000, Calls: 4, Read: 8.5, Write: 10, DurationMs: 900},
		{Function: "check", Members: 100000, Failed: "Sandbox.Timedout"},
		{Function: "join", Members: 100000, Calls: 5, Read: 6, Write: 13.5},
	}
	assert.Equal(t, []string{
		"GetGroupMemberList (read units 6.5 → 9.5)",
		"CheckGroup (did not finish)",
		"JoinGroup (calls 4 → 5, write units 12 → 13.5)",
	}, Outgrown(small, large, 1.1), "kick's 8 → 8.5 read units is within 1.1×, and billed ms do not count")
	assert.Contains(t, ScaleNote(small, large, 1.1), "With 100000 members, more than 1.1× the DynamoDB calls or units of 10: GetGroupMemberList")
	assert.Contains(t, ScaleNote(small[1:2], large[1:2], 1.1), "every operation makes at most 1.1×")
}

func TestWrittenKeysNameTheItemsEachWriteCallChanges(t *testing.T) {
	cases := []struct {
		name, op, body string
		want           []itemKey
		transactional  bool
	}{
		{"a PutItem names its item", "PutItem", `{"TableName":"t","Item":{"PK":{"S":"U#a"},"SK":{"S":"PROFILE"},"n":{"S":"x"}}}`,
			[]itemKey{{"t", "U#a", "PROFILE"}}, false},
		{"an UpdateItem names its key", "UpdateItem", `{"TableName":"t","Key":{"PK":{"S":"G#g"},"SK":{"S":"META"}},"UpdateExpression":"SET a = :a"}`,
			[]itemKey{{"t", "G#g", "META"}}, false},
		{"a BatchWriteItem names its puts and deletes in every table", "BatchWriteItem",
			`{"RequestItems":{"t":[{"PutRequest":{"Item":{"PK":{"S":"G#g"},"SK":{"S":"M#a"}}}},{"DeleteRequest":{"Key":{"PK":{"S":"G#g"},"SK":{"S":"M#b"}}}}]}}`,
			[]itemKey{{"t", "G#g", "M#a"}, {"t", "G#g", "M#b"}}, false},
		{"a TransactWriteItems names its Put, Update and Delete but not its ConditionCheck", "TransactWriteItems",
			`{"TransactItems":[{"Put":{"TableName":"t","Item":{"PK":{"S":"G#g"},"SK":{"S":"E#1"}}}},{"ConditionCheck":{"TableName":"t","Key":{"PK":{"S":"U#a"},"SK":{"S":"PROFILE"}}}},` +
				`{"Update":{"TableName":"t-inbox","Key":{"PK":{"S":"U#a"},"SK":{"S":"SEQ"}}}},{"Delete":{"TableName":"t","Key":{"PK":{"S":"G#g"},"SK":{"S":"M#b"}}}}]}`,
			[]itemKey{{"t", "G#g", "E#1"}, {"t-inbox", "U#a", "SEQ"}, {"t", "G#g", "M#b"}}, true},
		{"a read names nothing", "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"t","Key":{"PK":{"S":"G#g"},"SK":{"S":"META"}}}}]}`, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, tx, err := writtenKeys(c.op, []byte(c.body))
			require.NoError(t, err)
			assert.ElementsMatch(t, c.want, got)
			assert.Equal(t, c.transactional, tx)
		})
	}
	_, _, err := writtenKeys("PutItem", []byte(`{"TableName":"t","Item":{"SK":{"S":"x"}}}`))
	assert.Error(t, err, "a write without a PK is not an item of the store's tables")
}

// The recorder decodes every write call the functions send: whatever the
// body, it answers keys with a table and a PK, or an error, never a panic.
func FuzzWrittenKeys(f *testing.F) {
	for _, op := range []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"} {
		f.Add(op, `{"TableName":"t","Item":{"PK":{"S":"a"},"SK":{"S":"b"}}}`)
	}
	f.Add("TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"t","Item":{"PK":{"S":"a"}}}}]}`)
	f.Add("BatchWriteItem", `{"RequestItems":{"t":[{"DeleteRequest":{"Key":{"PK":{"S":"a"}}}}]}}`)
	f.Fuzz(func(t *testing.T, op, body string) {
		keys, _, err := writtenKeys(op, []byte(body))
		if err != nil {
			return
		}
		for _, k := range keys {
			if k.table == "" || k.pk == "" {
				t.Fatalf("%s %q: a key without a table or PK: %+v", op, body, k)
			}
		}
	})
}
