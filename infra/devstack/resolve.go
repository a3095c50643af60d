package devstack

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Local values of CloudFormation's pseudo parameters. The account id is
// moto's default account, so ARNs built with !Sub match the ones moto returns.
const (
	LocalAccountID = "123456789012"
	LocalStackName = "circles"
)

// Resolver evaluates the intrinsic functions a local stack can evaluate:
// Ref, Fn::GetAtt, Fn::Sub, Fn::Join and the AWS:: pseudo parameters.
type Resolver struct {
	// Refs maps a logical id or parameter name to the value of !Ref.
	Refs map[string]string
	// Attrs maps "LogicalId.Attribute" to the value of !GetAtt.
	Attrs map[string]string
}

// Resolver returns a Resolver preloaded with the template's parameter
// defaults, the names and ARNs of bus's resources (bus may be nil), and
// extra refs (for example "Table" -> the local table name), later ones
// winning.
func (t *Template) Resolver(bus *Bus, extra map[string]string) *Resolver {
	r := &Resolver{Refs: map[string]string{}, Attrs: map[string]string{}}
	for name, p := range t.Parameters {
		if s, ok := scalarString(asMap(p)["Default"]); ok {
			r.Refs[name] = s
		}
	}
	if bus != nil {
		bus.addTo(r)
	}
	for k, v := range extra {
		r.Refs[k] = v
	}
	return r
}

func (r *Resolver) pseudo(name string) (string, bool) {
	switch name {
	case "AWS::Region":
		if reg := os.Getenv("AWS_REGION"); reg != "" {
			return reg, true
		}
		return "us-east-1", true
	case "AWS::AccountId":
		return LocalAccountID, true
	case "AWS::StackName":
		return LocalStackName, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	return "", false
}

func (r *Resolver) ref(name string) (string, error) {
	if v, ok := r.pseudo(name); ok {
		return v, nil
	}
	if v, ok := r.Refs[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("cannot resolve !Ref %s locally", name)
}

func (r *Resolver) getAtt(id, attr string) (string, error) {
	if v, ok := r.Attrs[id+"."+attr]; ok {
		return v, nil
	}
	return "", fmt.Errorf("cannot resolve !GetAtt %s.%s locally", id, attr)
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// String evaluates v to a string: a scalar as is, an intrinsic function by
// evaluating it.
func (r *Resolver) String(v any) (string, error) {
	if s, ok := scalarString(v); ok {
		return s, nil
	}
	m := asMap(v)
	if len(m) != 1 {
		return "", fmt.Errorf("cannot evaluate %s to a string", compact(v))
	}
	for fn, arg := range m {
		switch fn {
		case "Ref":
			name, _ := arg.(string)
			return r.ref(name)
		case "Fn::GetAtt":
			parts := asSlice(arg)
			if len(parts) != 2 {
				return "", fmt.Errorf("bad !GetAtt %s", compact(arg))
			}
			id, _ := parts[0].(string)
			attr, _ := parts[1].(string)
			return r.getAtt(id, attr)
		case "Fn::Sub":
			return r.sub(arg)
		case "Fn::Join":
			parts := asSlice(arg)
			if len(parts) != 2 {
				return "", fmt.Errorf("bad !Join %s", compact(arg))
			}
			sep, _ := parts[0].(string)
			var out []string
			for _, p := range asSlice(parts[1]) {
				s, err := r.String(p)
				if err != nil {
					return "", err
				}
				out = append(out, s)
			}
			return strings.Join(out, sep), nil
		}
		return "", fmt.Errorf("intrinsic %s is not supported locally", fn)
	}
	panic("unreachable")
}

// sub evaluates Fn::Sub in both forms: "text ${X} ${Y.Attr}" and
// ["text ${x}", {x: value}].
func (r *Resolver) sub(arg any) (string, error) {
	text, ok := arg.(string)
	vars := map[string]any{}
	if !ok {
		parts := asSlice(arg)
		if len(parts) != 2 {
			return "", fmt.Errorf("bad !Sub %s", compact(arg))
		}
		text, _ = parts[0].(string)
		vars = asMap(parts[1])
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		var (
			s   string
			err error
		)
		switch {
		case vars[name] != nil:
			s, err = r.String(vars[name])
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			id, attr, _ := strings.Cut(name, ".")
			s, err = r.getAtt(id, attr)
		default:
			s, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return s
	})
	// "${!Literal}" is how a template writes a literal "${Literal}".
	out = strings.ReplaceAll(out, "${!", "${")
	return out, firstErr
}
