// Package costtable turns measured requests into a price per million: the
// DynamoDB read and write units an operation consumed, its Lambda billed
// duration at its memory size, and the API Gateway request, at the
// on-demand prices of prices.json. BenchmarkCostTable (make bench) measures
// every HTTP operation's sample event at two group sizes and writes the
// table; COSTTABLE_README=1 also puts it into README.md between its markers.
// Both sizes price a transaction's writes alike, from the items it changed
// (Billed), which WriteRecorder learns from the write calls themselves:
// DynamoDB Local reports 2 units for any TransactWriteItems.
package costtable

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/store"
)

//go:embed prices.json
var pricesJSON []byte

// Prices are on-demand list prices in USD, with the date they were entered.
type Prices struct {
	Date                string  `json:"date"`
	Region              string  `json:"region"`
	Note                string  `json:"note"`
	DynamoDBReadPerM    float64 `json:"dynamoDBReadPerMillionUnits"`
	DynamoDBWritePerM   float64 `json:"dynamoDBWritePerMillionUnits"`
	LambdaArm64PerGBSec float64 `json:"lambdaArm64PerGBSecond"`
	LambdaPerMRequests  float64 `json:"lambdaPerMillionRequests"`
	APIGatewayPerM      float64 `json:"apiGatewayHTTPPerMillionRequests"`
	SNSPerMPublishes    float64 `json:"snsPerMillionPublishes"`
	SQSPerMRequests     float64 `json:"sqsPerMillionRequests"`
}

// LoadPrices parses prices.json and refuses a price that is missing.
func LoadPrices() (Prices, error) {
	var p Prices
	if err := json.Unmarshal(pricesJSON, &p); err != nil {
		return p, fmt.Errorf("prices.json: %w", err)
	}
	for name, v := range map[string]float64{
		"dynamoDBReadPerMillionUnits": p.DynamoDBReadPerM, "dynamoDBWritePerMillionUnits": p.DynamoDBWritePerM,
		"lambdaArm64PerGBSecond": p.LambdaArm64PerGBSec, "lambdaPerMillionRequests": p.LambdaPerMRequests,
		"apiGatewayHTTPPerMillionRequests": p.APIGatewayPerM, "snsPerMillionPublishes": p.SNSPerMPublishes,
		"sqsPerMillionRequests": p.SQSPerMRequests,
	} {
		if v <= 0 {
			return p, fmt.Errorf("prices.json: %s is missing", name)
		}
	}
	if p.Date == "" {
		return p, fmt.Errorf("prices.json: the date is missing")
	}
	return p, nil
}

// Row is one operation measured at one group size.
type Row struct {
	Function  string // the function that ran it (rows of two sizes pair on it)
	Operation string
	Members   int
	Calls     int
	Read      float64 // read units
	Write     float64 // write units
	// DurationMs is the handler's own duration; Lambda bills it rounded
	// up to the millisecond.
	DurationMs float64
	MemoryMB   int
	Status     int
	// FloorRead and FloorWrite are the request's floor (Floor): the units
	// of one strongly consistent read of every item it read or checked, and
	// the write units of exactly the items it changed. Zero where not
	// measured (HasFloor false).
	FloorRead, FloorWrite float64
	HasFloor              bool
	// Failed says why the request did not complete (the rest is then
	// empty): a timeout of an operation that is O(group) by design.
	Failed string
}

// Change is one item a request changed, as stored before and after it (nil
// where absent), and whether a transaction wrote it (twice the units).
type Change struct {
	Before, After map[string]types.AttributeValue
	Transactional bool
}

// WriteFloor is the write units of exactly the items changed, as DynamoDB
// bills them: a unit per KB of the larger of the item's two images, two in
// a transaction. Index entries are left out on both sides: DynamoDB Local
// reports no units for them, and in AWS an operation pays the same index
// writes at its floor as it does now (they follow from the items changed).
func WriteFloor(changes []Change) float64 {
	var f float64
	for _, c := range changes {
		units := writeUnits(max(store.ItemSize(c.Before), store.ItemSize(c.After)))
		if c.Transactional {
			units *= 2
		}
		f += units
	}
	return f
}

// Billed is the write units AWS bills a request for: its transactions'
// items, two units per KB each (the items changed, and a unit per check,
// each item the store checks being under 1 KB), and its standalone writes
// as reported. DynamoDB Local reports 2 units for any TransactWriteItems,
// whatever it holds, so the transactional part is computed from the items.
func Billed(changes []Change, standalone float64, checked int) float64 {
	var tx []Change
	for _, c := range changes {
		if c.Transactional {
			tx = append(tx, c)
		}
	}
	return standalone + WriteFloor(tx) + 2*float64(checked)
}

// writeUnits is a unit per KB, at least one.
func writeUnits(size int) float64 { return float64(max(1, (size+1023)/1024)) }

// Cost is a row's price per million requests, by service.
type Cost struct {
	DynamoDB, Lambda, APIGateway float64
}

// Total is the sum of the parts.
func (c Cost) Total() float64 { return c.DynamoDB + c.Lambda + c.APIGateway }

// PerMillion prices one million requests like r.
func (p Prices) PerMillion(r Row) Cost {
	billedSec := math.Max(1, math.Ceil(r.DurationMs)) / 1000
	return Cost{
		DynamoDB:   r.Read*p.DynamoDBReadPerM + r.Write*p.DynamoDBWritePerM,
		Lambda:     p.LambdaPerMRequests + float64(r.MemoryMB)/1024*billedSec*1e6*p.LambdaArm64PerGBSec,
		APIGateway: p.APIGatewayPerM,
	}
}

// DynamoDBRatio is what the row's units cost over what its floor's would:
// 1 at the floor; 0 without a floor.
func (p Prices) DynamoDBRatio(r Row) float64 {
	floor := r.FloorRead*p.DynamoDBReadPerM + r.FloorWrite*p.DynamoDBWritePerM
	if !r.HasFloor || floor == 0 {
		return 0
	}
	return (r.Read*p.DynamoDBReadPerM + r.Write*p.DynamoDBWritePerM) / floor
}

// Markdown is the table of rows (paired by operation: the first size and
// the second), with its header line. The floor columns are the first
// size's: its floor's read and write units, and what its DynamoDB units
// cost over the floor's.
func Markdown(p Prices, header string, small, large []Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", header)
	fmt.Fprintf(&b, "| operation | calls | read units | write units | floor: read / write units | × floor | billed ms | $ per million requests (DynamoDB + Lambda + API Gateway) |\n|---|---|---|---|---|---|---|---|\n")
	byFn := map[string]Row{}
	for _, r := range large {
		byFn[r.Function] = r
	}
	for _, s := range small {
		l, ok := byFn[s.Function]
		cs := p.PerMillion(s)
		floor := "—"
		ratio := "—"
		if s.HasFloor {
			floor = num(s.FloorRead) + " / " + num(s.FloorWrite)
			ratio = fmt.Sprintf("%.2f", p.DynamoDBRatio(s))
		}
		if ok && l.Failed != "" {
			fmt.Fprintf(&b, "| %s | %d / — | %s / — | %s / — | %s | %s | %s / — | %s / did not finish: %s |\n", s.Operation, s.Calls, num(s.Read), num(s.Write), floor, ratio, ms(s.DurationMs), money(cs), short(l.Failed))
			continue
		}
		if !ok {
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", s.Operation, s.Calls, num(s.Read), num(s.Write), floor, ratio, ms(s.DurationMs), money(cs))
			continue
		}
		cl := p.PerMillion(l)
		fmt.Fprintf(&b, "| %s | %d / %d | %s / %s | %s / %s | %s | %s | %s / %s | %s / %s |\n", s.Operation,
			s.Calls, l.Calls, num(s.Read), num(l.Read), num(s.Write), num(l.Write), floor, ratio, ms(s.DurationMs), ms(l.DurationMs), money(cs), money(cl))
	}
	fmt.Fprintf(&b, "\nPrices: %s, %s. %s\n", p.Region, p.Date, p.Note)
	return b.String()
}

// short is the first line of an error, at most 80 characters.
func short(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", f), "0"), ".")
}

func ms(f float64) string { return fmt.Sprintf("%.0f", math.Max(1, math.Ceil(f))) }

func money(c Cost) string {
	return fmt.Sprintf("%.2f (%.2f + %.2f + %.2f)", c.Total(), c.DynamoDB, c.Lambda, c.APIGateway)
}

// ConsumerRow is one consumer invocation, measured: Count units of Per
// (events, recipients, member records) done by it.
type ConsumerRow struct {
	Function, Invocation, Per string
	Count                     int
	Calls                     int
	Read, Write               float64
	DurationMs                float64
	MemoryMB                  int
	// SNSPublishes and SQSRequests are the messages the invocation sent
	// (publish-events' one publish per event, a split's SendMessageBatch
	// calls); its own receipt and deletion by the event source mapping are
	// left out (a few requests per batch of up to 10 messages).
	SNSPublishes, SQSRequests int
}

// ConsumerCost is a consumer invocation's price per million units of
// its Per, by service.
type ConsumerCost struct {
	DynamoDB, Lambda, Messaging float64
}

// Total is the sum of the parts.
func (c ConsumerCost) Total() float64 { return c.DynamoDB + c.Lambda + c.Messaging }

// PerMillionUnits prices one million units of r's Per, done as r did them.
func (p Prices) PerMillionUnits(r ConsumerRow) ConsumerCost {
	per := 1 / float64(max(1, r.Count))
	billedSec := math.Max(1, math.Ceil(r.DurationMs)) / 1000
	return ConsumerCost{
		DynamoDB:  per * (r.Read*p.DynamoDBReadPerM + r.Write*p.DynamoDBWritePerM),
		Lambda:    per * (p.LambdaPerMRequests + float64(r.MemoryMB)/1024*billedSec*1e6*p.LambdaArm64PerGBSec),
		Messaging: per * (float64(r.SNSPublishes)*p.SNSPerMPublishes + float64(r.SQSRequests)*p.SQSPerMRequests),
	}
}

// ConsumerMarkdown is the consumers' table: each invocation measured, with
// its units per unit of work and the price of a million of those.
func ConsumerMarkdown(p Prices, rows []ConsumerRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| consumer | invocation | calls | read units | write units | per unit of work: read / write units | billed ms (MB) | SNS / SQS requests | $ per million units of work (DynamoDB + Lambda + SNS/SQS) |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		c := p.PerMillionUnits(r)
		n := float64(max(1, r.Count))
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s: %s / %s | %s (%d) | %d / %d | %.2f (%.2f + %.2f + %.2f) |\n",
			r.Function, r.Invocation, r.Calls, num(r.Read), num(r.Write), r.Per, num2(r.Read/n), num2(r.Write/n),
			ms(r.DurationMs), r.MemoryMB, r.SNSPublishes, r.SQSRequests, c.Total(), c.DynamoDB, c.Lambda, c.Messaging)
	}
	return b.String()
}

func num2(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// ReplaceBetween puts table into doc between the lines begin and end,
// which must each be present once and in that order.
func ReplaceBetween(doc, begin, end, table string) (string, error) {
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < 0 || j < i || strings.Count(doc, begin) != 1 || strings.Count(doc, end) != 1 {
		return "", fmt.Errorf("the markers %q and %q must each appear once, in order", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + table + doc[j:], nil
}
