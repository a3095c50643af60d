package devstack

import (
	"encoding/json"
	"fmt"
	"strings"
)

// filterCriteria is an event source mapping's FilterCriteria: a record
// passes when it matches any pattern (or there is none). Patterns use
// Lambda's event filtering syntax (EventBridge patterns): a value list
// matches equal scalars; {"exists": b}, {"prefix": s} and
// {"anything-but": [...]} are supported.
type filterCriteria []map[string]any

func parseFilterCriteria(v any) (filterCriteria, error) {
	var out filterCriteria
	for _, f := range asSlice(asMap(v)["Filters"]) {
		raw, ok := asMap(f)["Pattern"].(string)
		if !ok {
			return nil, fmt.Errorf("FilterCriteria: Pattern must be a JSON string, got %s", compact(asMap(f)["Pattern"]))
		}
		var pat map[string]any
		if err := json.Unmarshal([]byte(raw), &pat); err != nil {
			return nil, fmt.Errorf("FilterCriteria: pattern %s: %w", raw, err)
		}
		out = append(out, pat)
	}
	return out, nil
}

// match reports whether the record (its JSON as generic values) passes.
func (fc filterCriteria) match(record map[string]any) bool {
	if len(fc) == 0 {
		return true
	}
	for _, p := range fc {
		if matchObject(p, record) {
			return true
		}
	}
	return false
}

func matchObject(pattern map[string]any, v any) bool {
	obj, _ := v.(map[string]any)
	for k, pv := range pattern {
		val, present := obj[k]
		switch pv := pv.(type) {
		case map[string]any:
			if !present || !matchObject(pv, val) {
				return false
			}
		case []any:
			if !matchList(pv, val, present) {
				return false
			}
		default:
			return false // a pattern's leaves are always lists
		}
	}
	return true
}

func matchList(list []any, val any, present bool) bool {
	for _, want := range list {
		if cond, ok := want.(map[string]any); ok {
			if matchCondition(cond, val, present) {
				return true
			}
			continue
		}
		if present && equalsAny(val, want) {
			return true
		}
	}
	return false
}

func matchCondition(cond map[string]any, val any, present bool) bool {
	for op, arg := range cond {
		switch op {
		case "exists":
			b, _ := arg.(bool)
			return present == b
		case "prefix":
			s, _ := val.(string)
			p, _ := arg.(string)
			return present && strings.HasPrefix(s, p)
		case "anything-but":
			if !present {
				return false
			}
			for _, x := range append(asSlice(arg), arg) {
				if _, isList := x.([]any); !isList && equalsAny(val, x) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// equalsAny compares a record value (possibly an array, which matches when
// any element does) with a pattern scalar.
func equalsAny(val, want any) bool {
	if arr, ok := val.([]any); ok {
		for _, x := range arr {
			if equalsAny(x, want) {
				return true
			}
		}
		return false
	}
	return fmt.Sprint(val) == fmt.Sprint(want) && sameKind(val, want)
}

func sameKind(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case float64:
		_, ok := b.(float64)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	case nil:
		return b == nil
	}
	return false
}
