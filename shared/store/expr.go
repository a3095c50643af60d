package store

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// expr builds update and condition expressions with placeholders, so no
// attribute name collides with a reserved word and no value is inlined.
type expr struct {
	sets    []string
	adds    []string
	removes []string
	conds   []string
	names   map[string]string
	values  map[string]types.AttributeValue
}

func newExpr() *expr {
	return &expr{names: map[string]string{}, values: map[string]types.AttributeValue{}}
}

// name returns the placeholder for attribute a.
func (e *expr) name(a string) string {
	p := "#" + a
	e.names[p] = a
	return p
}

// value returns a placeholder bound to v.
func (e *expr) value(v any) string {
	p := fmt.Sprintf(":v%d", len(e.values))
	av, ok := v.(types.AttributeValue)
	if !ok {
		var err error
		av, err = attributevalue.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("store: marshal %T: %v", v, err))
		}
	}
	e.values[p] = av
	return p
}

func (e *expr) set(a string, v any) *expr {
	e.sets = append(e.sets, e.name(a)+" = "+e.value(v))
	return e
}

func (e *expr) add(a string, n int64) *expr {
	e.adds = append(e.adds, e.name(a)+" "+e.value(n))
	return e
}

func (e *expr) remove(a string) *expr {
	e.removes = append(e.removes, e.name(a))
	return e
}

// cond adds a condition; in the format, %n is an attribute name and %v a
// value, consumed in order from args.
func (e *expr) cond(format string, args ...any) *expr {
	var b strings.Builder
	i := 0
	for j := 0; j < len(format); j++ {
		if format[j] == '%' && j+1 < len(format) {
			switch format[j+1] {
			case 'n':
				b.WriteString(e.name(args[i].(string)))
				i++
				j++
				continue
			case 'v':
				b.WriteString(e.value(args[i]))
				i++
				j++
				continue
			}
		}
		b.WriteByte(format[j])
	}
	e.conds = append(e.conds, "("+b.String()+")")
	return e
}

func (e *expr) updateExpression() *string {
	var parts []string
	if len(e.sets) > 0 {
		parts = append(parts, "SET "+strings.Join(e.sets, ", "))
	}
	if len(e.adds) > 0 {
		parts = append(parts, "ADD "+strings.Join(e.adds, ", "))
	}
	if len(e.removes) > 0 {
		parts = append(parts, "REMOVE "+strings.Join(e.removes, ", "))
	}
	if len(parts) == 0 {
		return nil
	}
	return aws.String(strings.Join(parts, " "))
}

func (e *expr) conditionExpression() *string {
	if len(e.conds) == 0 {
		return nil
	}
	return aws.String(strings.Join(e.conds, " AND "))
}

func (e *expr) namesOrNil() map[string]string {
	if len(e.names) == 0 {
		return nil
	}
	return e.names
}

func (e *expr) valuesOrNil() map[string]types.AttributeValue {
	if len(e.values) == 0 {
		return nil
	}
	return e.values
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

// updateItem is a transaction Update of the item at (pk, sk).
func (s *Store) updateItem(pk, sk string, e *expr) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           aws.String(s.table),
		Key:                                 key(pk, sk),
		UpdateExpression:                    e.updateExpression(),
		ConditionExpression:                 e.conditionExpression(),
		ExpressionAttributeNames:            e.namesOrNil(),
		ExpressionAttributeValues:           e.valuesOrNil(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// putItem is a transaction Put of item, with an optional condition.
func (s *Store) putItem(item map[string]types.AttributeValue, e *expr) types.TransactWriteItem {
	p := &types.Put{
		TableName:                           aws.String(s.table),
		Item:                                item,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if e != nil {
		p.ConditionExpression = e.conditionExpression()
		p.ExpressionAttributeNames = e.namesOrNil()
		p.ExpressionAttributeValues = e.valuesOrNil()
	}
	return types.TransactWriteItem{Put: p}
}

// deleteItem is a transaction Delete of the item at (pk, sk).
func (s *Store) deleteItem(pk, sk string, e *expr) types.TransactWriteItem {
	d := &types.Delete{
		TableName:                           aws.String(s.table),
		Key:                                 key(pk, sk),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if e != nil {
		d.ConditionExpression = e.conditionExpression()
		d.ExpressionAttributeNames = e.namesOrNil()
		d.ExpressionAttributeValues = e.valuesOrNil()
	}
	return types.TransactWriteItem{Delete: d}
}

// checkItem is a transaction ConditionCheck on the item at (pk, sk).
func (s *Store) checkItem(pk, sk string, e *expr) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                           aws.String(s.table),
		Key:                                 key(pk, sk),
		ConditionExpression:                 e.conditionExpression(),
		ExpressionAttributeNames:            e.namesOrNil(),
		ExpressionAttributeValues:           e.valuesOrNil(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// marshalItem marshals a record and adds its key attributes.
func marshalItem(rec any, attrs map[string]string) map[string]types.AttributeValue {
	item, err := attributevalue.MarshalMap(rec)
	if err != nil {
		panic(fmt.Sprintf("store: marshal %T: %v", rec, err))
	}
	for k, v := range attrs {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	return item
}
