package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a parsed SAM/CloudFormation template. Values are generic
// (map[string]any, []any, string, int, float64, bool, nil); CloudFormation's
// short tags are rewritten to their long form ({"Ref": X}, {"Fn::GetAtt":
// [A, B]}, {"Fn::Sub": ...}) so callers only ever see one spelling.
type Template struct {
	Path       string
	Globals    map[string]any
	Parameters map[string]any
	Resources  map[string]Resource
}

// Resource is one entry of the template's Resources section.
type Resource struct {
	Type       string
	Properties map[string]any
}

// TemplatePath is the repository's template.yaml.
func TemplatePath() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "template.yaml"), nil
}

// LoadTemplate parses the template at path. A missing file is reported with
// an error that wraps os.ErrNotExist.
func LoadTemplate(path string) (*Template, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("devstack: parse %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("devstack: %s is empty", path)
	}
	v, err := nodeValue(doc.Content[0])
	if err != nil {
		return nil, fmt.Errorf("devstack: %s: %w", path, err)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("devstack: %s: top level is not a mapping", path)
	}
	t := &Template{
		Path:       path,
		Globals:    asMap(top["Globals"]),
		Parameters: asMap(top["Parameters"]),
		Resources:  map[string]Resource{},
	}
	for id, raw := range asMap(top["Resources"]) {
		m := asMap(raw)
		typ, _ := m["Type"].(string)
		if typ == "" {
			return nil, fmt.Errorf("devstack: %s: resource %s has no Type", path, id)
		}
		t.Resources[id] = Resource{Type: typ, Properties: asMap(m["Properties"])}
	}
	return t, nil
}

// repoTemplate loads the repository's template.yaml.
func repoTemplate() (*Template, error) {
	path, err := TemplatePath()
	if err != nil {
		return nil, err
	}
	return LoadTemplate(path)
}

// OfType returns the logical ids of every resource of the given type, sorted
// so that everything derived from the template is deterministic.
func (t *Template) OfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// nodeValue converts a YAML node into generic Go values, turning the
// CloudFormation short-form tags into their long form. Decoding straight into
// structs would fail on "!Ref Table" and friends.
func nodeValue(n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode {
		return nodeValue(n.Alias)
	}
	if fn := intrinsicName(n.Tag); fn != "" {
		// Strip the tag and convert the operand as plain YAML.
		plain := *n
		plain.Tag = ""
		plain.Style &^= yaml.TaggedStyle
		arg, err := nodeValue(&plain)
		if err != nil {
			return nil, err
		}
		if s, ok := arg.(string); ok && fn == "Fn::GetAtt" {
			// "!GetAtt Queue.Arn" is the scalar form of ["Queue", "Arn"].
			id, attr, _ := strings.Cut(s, ".")
			arg = []any{id, attr}
		}
		return map[string]any{fn: arg}, nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := nodeValue(n.Content[i])
			if err != nil {
				return nil, err
			}
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(k)] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}

// intrinsicName maps a short-form tag to its long-form key: !Ref -> Ref,
// !Condition -> Condition, any other !X -> Fn::X. Standard tags (!!str ...)
// and untagged nodes give "".
func intrinsicName(tag string) string {
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return ""
	}
	name := tag[1:]
	switch name {
	case "Ref", "Condition":
		return name
	}
	return "Fn::" + name
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// scalarString renders a YAML scalar (string, number, bool) as CloudFormation
// would pass it to a service API.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, uint64, float64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

// isNotExist reports whether err says the template file does not exist.
func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }

// compact renders a template value on one line for error messages.
func compact(v any) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(strings.ReplaceAll(b.String(), "\n", " "))
}
