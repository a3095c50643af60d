package invocation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type counted struct{}

func (counted) Calls() int                    { return 3 }
func (counted) ReadUnits() float64            { return 1.5 }
func (counted) WriteUnits() float64           { return 4 }
func (counted) FloorReadUnits() float64       { return 2 }
func (counted) StandaloneWriteUnits() float64 { return 0 }
func (counted) CheckedItems() int             { return 1 }

type key struct{}

// The line carries the records, the outcome and, only for a metered
// function, what its meter counted on the context the handler ran with.
func TestTheInvocationLineCarriesRecordsOutcomeAndTheMetersCounts(t *testing.T) {
	meter := func(ctx context.Context) (context.Context, Units) {
		return context.WithValue(ctx, key{}, true), counted{}
	}
	cases := []struct {
		name    string
		meter   Meter
		err     error
		want    map[string]any
		missing []string
	}{
		{"a metered consumer", meter, nil, map[string]any{"function": "f", "records": 2.0, "dynamoCalls": 3.0, "readUnits": 1.5, "writeUnits": 4.0, "floorReadUnits": 2.0, "checkedItems": 1.0, "outcome": "ok"}, nil},
		{"a failed invocation", meter, errors.New("boom"), map[string]any{"outcome": "error", "error": "boom"}, nil},
		{"a function without DynamoDB", nil, nil, map[string]any{"records": 2.0, "outcome": "ok"}, []string{"dynamoCalls", "readUnits"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger = slog.New(slog.NewJSONHandler(&buf, nil))
			h := Metered("f", func(ev []int) int { return len(ev) }, c.meter, func(ctx context.Context, ev []int) (string, error) {
				assert.Equal(t, c.meter != nil, ctx.Value(key{}) != nil, "the handler runs on the metered context")
				return "out", c.err
			})
			out, err := h(context.Background(), []int{1, 2})
			assert.Equal(t, "out", out)
			assert.Equal(t, c.err, err)
			var line map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
			assert.Equal(t, "invocation", line["msg"])
			for k, v := range c.want {
				assert.Equal(t, v, line[k], k)
			}
			for _, k := range c.missing {
				assert.NotContains(t, line, k)
			}
			assert.Contains(t, line, "durationMs")
		})
	}
}
