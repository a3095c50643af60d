// Package invocation writes a consumer function's one log line per
// invocation, as the HTTP handler writes one per request: the records it
// was given, its duration, its outcome and, for a function that uses the
// table, its DynamoDB calls and units (a store.Meter on the invocation's
// context). The cost table (infra/costtable) prices the consumers from it;
// CloudWatch Logs Insights can sum it per function in AWS. It does not
// import the store, so a function that never calls DynamoDB
// (publish-events) does not link the DynamoDB client for it.
package invocation

import (
	"context"
	"log/slog"
	"os"
	"time"
)

var logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// Units is what a meter counted (store.Meter).
type Units interface {
	Calls() int
	ReadUnits() float64
	WriteUnits() float64
	FloorReadUnits() float64
	StandaloneWriteUnits() float64
	CheckedItems() int
}

// Meter starts counting on a context; nil for a function that makes no
// DynamoDB calls.
type Meter func(context.Context) (context.Context, Units)

// Metered wraps a consumer's handler: it runs h (on a metered context when
// meter is given) and logs the line "invocation" of function after it.
// records counts the event's records (a batch's messages or stream
// records).
func Metered[E, R any](function string, records func(E) int, meter Meter, h func(context.Context, E) (R, error)) func(context.Context, E) (R, error) {
	return func(ctx context.Context, ev E) (R, error) {
		began := time.Now()
		var u Units
		if meter != nil {
			ctx, u = meter(ctx)
		}
		out, err := h(ctx, ev)
		attrs := []any{"function", function, "records", records(ev), "durationMs", time.Since(began).Milliseconds()}
		if u != nil {
			attrs = append(attrs, "dynamoCalls", u.Calls(), "readUnits", u.ReadUnits(), "writeUnits", u.WriteUnits(),
				"floorReadUnits", u.FloorReadUnits(), "standaloneWriteUnits", u.StandaloneWriteUnits(), "checkedItems", u.CheckedItems())
		}
		if err != nil {
			attrs = append(attrs, "outcome", "error", "error", err.Error())
		} else {
			attrs = append(attrs, "outcome", "ok")
		}
		logger.Info("invocation", attrs...)
		return out, err
	}
}
