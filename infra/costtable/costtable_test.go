package costtable

import (
	"testing"

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
		[]Row{{Function: "get-groups-info", Operation: "GetGroupsInfo", Calls: 2, Read: 2, MemoryMB: 128}, {Function: "only", Operation: "Only", Calls: 1}, {Function: "check-group", Operation: "CheckGroup", Calls: 4, Read: 9}},
		[]Row{{Function: "get-groups-info", Operation: "GetGroupsInfo", Calls: 2, Read: 2.5, MemoryMB: 128}, {Function: "check-group", Failed: "Sandbox.Timedout: Task timed out after 29.00 seconds"}})
	assert.Contains(t, md, "| GetGroupsInfo | 2 / 2 | 2 / 2.5 | 0 / 0 |")
	assert.Contains(t, md, "| Only | 1 | 0 | 0 |")
	assert.Contains(t, md, "| CheckGroup | 4 / — | 9 / — |")
	assert.Contains(t, md, "did not finish: Sandbox.Timedout")
	assert.Contains(t, md, "us-east-1, 2026-12-01")
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
