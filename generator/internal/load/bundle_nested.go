package load

import (
	"slices"

	"go.yaml.in/yaml/v4"
)

// A spec may refer to an object of another file and to one inside it
// (defs.yaml#/Pet and defs.yaml#/Pet/properties/owner). Placed as they are,
// the inner object would be in the components twice, once inside the outer
// one and once on its own, and become two types. So when a bundling finds
// such targets, the spec is bundled again knowing them: where the walk of
// the outer object reaches an inner target, it writes a $ref to that
// target's component instead. One type per target, whichever is met first.

// nestedTargets returns the keys of the targets that lie inside others of
// the same file (the whole file is a target too when a $ref names it).
func (b *bundler) nestedTargets() map[string]bool {
	at := make(map[string]bool, len(b.targets))
	for _, t := range b.targets {
		at[t.file.abs+"#"+encodePointer(t.ptr)] = true
	}
	var nested map[string]bool
	for key, t := range b.targets {
		for i := len(t.ptr) - 1; i >= 0; i-- {
			if at[t.file.abs+"#"+encodePointer(t.ptr[:i])] {
				if nested == nil {
					nested = map[string]bool{}
				}
				nested[key] = true
				break
			}
		}
	}
	return nested
}

// nestedRef returns a $ref to the target n (of kind k in f, at b.from) is,
// when it is a target inside another that is being walked; nil otherwise.
func (b *bundler) nestedRef(f *refFile, n *yaml.Node, k kind) *yaml.Node {
	key := targetKey(k, f, b.from)
	if !b.opts.nested[key] || key == b.current {
		return nil
	}
	t := b.target(f, slices.Clone(b.from), n, k)
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	out.Content = []*yaml.Node{b.key(f, "$ref", n), b.refValue(f, &yaml.Node{Kind: yaml.ScalarNode, Line: n.Line, Column: n.Column}, "#/components/"+t.section+"/"+t.name)}
	b.made(f, out)
	return out
}
