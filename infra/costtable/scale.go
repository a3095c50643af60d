package costtable

import (
	"fmt"
	"strings"
)

// Outgrown lists the operations whose DynamoDB calls, read units or write
// units in the large group are more than limit times those in the small
// one, or which did not finish there, each with what grew. The billed
// milliseconds are left out: on DynamoDB Local they vary more between two
// runs of one request than between the sizes.
func Outgrown(small, large []Row, limit float64) []string {
	byFn := map[string]Row{}
	for _, r := range large {
		byFn[r.Function] = r
	}
	var out []string
	for _, s := range small {
		l, ok := byFn[s.Function]
		if !ok {
			continue
		}
		if l.Failed != "" {
			out = append(out, fmt.Sprintf("%s (did not finish)", s.Operation))
			continue
		}
		var grew []string
		for _, m := range []struct {
			name         string
			small, large float64
		}{{"calls", float64(s.Calls), float64(l.Calls)}, {"read units", s.Read, l.Read}, {"write units", s.Write, l.Write}} {
			if m.large > limit*m.small {
				grew = append(grew, fmt.Sprintf("%s %s → %s", m.name, num(m.small), num(m.large)))
			}
		}
		if len(grew) > 0 {
			out = append(out, fmt.Sprintf("%s (%s)", s.Operation, strings.Join(grew, ", ")))
		}
	}
	return out
}

// ScaleNote is the sentence under the table that names the operations
// Outgrown finds at limit.
func ScaleNote(small, large []Row, limit float64) string {
	if len(small) == 0 || len(large) == 0 {
		return ""
	}
	over := Outgrown(small, large, limit)
	if len(over) == 0 {
		return fmt.Sprintf("\nWith %d members every operation makes at most %.1f× the DynamoDB calls and units it makes with %d.\n", large[0].Members, limit, small[0].Members)
	}
	return fmt.Sprintf("\nWith %d members, more than %.1f× the DynamoDB calls or units of %d: %s. Every other operation stays within %.1f×.\n",
		large[0].Members, limit, small[0].Members, strings.Join(over, "; "), limit)
}
