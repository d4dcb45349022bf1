package load

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// Checks of a parsed YAML file that no decoder makes with a position:
// nesting depth, keys written twice, and YAML aliases.
//
// Aliases (*name) are read as the value their anchor (&name) holds, as
// kin-openapi and every other YAML reader read them: published specs use
// them to write a shared block once. Two kinds are refused, at the alias:
//
//   - an alias inside the value it names (a: &a {b: *a}), which expands
//     without end;
//   - aliases that make the document much larger than it is written: nine
//     levels of ten aliases each (the "billion laughs") are 10^9 values from
//     a few hundred bytes, and every decoder after this one, kin-openapi's
//     included, expands them again. The document as aliases expand it may
//     hold aliasExpansion times the values it is written with, or
//     aliasFloor values when that is more.
//
// The walk is linear in the written document however far aliases would
// expand it: the expanded size of each anchored value is worked out once.

// Bounds on what aliases may expand a document to, in YAML nodes (each key,
// value and list item is one).
const (
	aliasExpansion = 8
	aliasFloor     = 1 << 17
)

// checkYAML checks a document parsed into doc.
func checkYAML(doc *yaml.Node) error {
	written := countNodes(doc, 0)
	c := &yamlChecker{extents: map[*yaml.Node]yamlExtent{}, open: map[*yaml.Node]bool{}, limit: max(aliasExpansion*written, aliasFloor), written: written}
	return c.walk(doc, 0)
}

// yamlExtent is the size of a value with its aliases expanded: its nodes
// (at most limit+1: beyond, it is too large anyway) and how deeply they nest.
type yamlExtent struct {
	nodes, height int
}

type yamlChecker struct {
	extents  map[*yaml.Node]yamlExtent // of the values an alias named, worked out once
	open     map[*yaml.Node]bool       // values whose extent is being worked out
	expanded int                       // nodes of the document met so far, aliases expanded
	limit    int
	written  int // nodes of the document as written
}

// walk checks n, at depth, and the nodes written under it. An alias adds
// the expanded size of what it names; that value was walked where its
// anchor is.
func (c *yamlChecker) walk(n *yaml.Node, depth int) error {
	if depth > MaxNesting {
		return &posError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("nested more than %d levels deep", MaxNesting)}
	}
	if n.Kind == yaml.AliasNode {
		e, err := c.extent(n)
		if err != nil {
			return err
		}
		if depth+e.height-1 > MaxNesting {
			return &posError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("the YAML alias %s nests the document more than %d levels deep once expanded", aliasName(n), MaxNesting)}
		}
		if c.expanded += e.nodes; c.expanded > c.limit {
			return c.tooLarge(n)
		}
		return nil
	}
	if c.expanded++; c.expanded > c.limit {
		return c.tooLarge(n)
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 2 {
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			name := deref(k).Value
			if prev, dup := seen[name]; dup && !isMerge(k) {
				return &posError{Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("key %s is written twice (also at line %d): YAML keeps only one of them; merge them", strconv.Quote(name), prev.Line)}
			}
			seen[name] = k
		}
	}
	for _, ch := range n.Content {
		if err := c.walk(ch, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// extent is n's size with its aliases expanded, worked out once per value
// an alias names. An alias met again inside the value it names is recursive.
func (c *yamlChecker) extent(n *yaml.Node) (yamlExtent, error) {
	if n.Kind == yaml.AliasNode {
		t := n.Alias
		if t == nil {
			return yamlExtent{}, &posError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("the YAML alias %s names no anchor", aliasName(n))}
		}
		if c.open[t] {
			return yamlExtent{}, &posError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("the YAML alias %s is inside the value it names, which would expand without end: write the value out, or use a $ref (which may refer to itself)", aliasName(n))}
		}
		if e, ok := c.extents[t]; ok {
			return e, nil
		}
		c.open[t] = true
		e, err := c.extent(t)
		delete(c.open, t)
		if err != nil {
			return e, err
		}
		c.extents[t] = e
		return e, nil
	}
	e := yamlExtent{nodes: 1, height: 1}
	for _, ch := range n.Content {
		ce, err := c.extent(ch)
		if err != nil {
			return e, err
		}
		e.nodes = min(e.nodes+ce.nodes, c.limit+1)
		e.height = max(e.height, ce.height+1)
		if e.height > MaxNesting+1 {
			break // deep enough to refuse; deeper adds nothing
		}
	}
	return e, nil
}

func (c *yamlChecker) tooLarge(n *yaml.Node) error {
	return &posError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("YAML aliases expand the document past %d values (it is written with %d; tpgen expands aliases to at most %d times that, or %d): an alias bomb? Write repeated parts once and refer to them with $ref", c.limit, c.written, aliasExpansion, aliasFloor)}
}

// aliasName is how messages name an alias: *name, quoted.
func aliasName(n *yaml.Node) string {
	return strconv.Quote("*" + n.Value)
}

// deref is the node an alias names, or n itself.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isMerge reports whether k is a YAML merge key (<<), whose mappings' keys
// a mapping's own keys override rather than repeat.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}
