package load

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/generator/internal/goname"
	"github.com/tpgen/tpgen/generator/internal/model"
	"go.yaml.in/yaml/v4"
)

// Multi-file specs. kin-openapi resolves a $ref to another file by reading
// and decoding that file again at every reference: each reference becomes a
// schema of its own (PetYaml, PetYaml2, ...), the load grows with the number
// of references rather than of schemas, and $refs where the grammar has none
// (an operation written as a $ref, as large vendors publish) are dropped
// without a word. So tpgen bundles first, as the tools those vendors use do
// (redocly bundle): every file is read and parsed once; each object another
// file refers to is placed once in the root document's components (schemas,
// parameters, responses, ...), named after the component, title or file it
// comes from, and every reference to it becomes a local one; path items and
// operations are written out where they are referenced. kin-openapi then
// loads one document with local references only.
//
// The bundle remembers where each part came from (grafts), so that every
// error, kin-openapi's or tpgen's, names the file, line and column where the
// problem is.

// refFile is one file of a multi-file spec.
type refFile struct {
	abs     string // absolute path
	display string // as messages name it: relative to the working directory as the root spec is
	rel     string // relative to the root spec's directory, slash-separated, for generated comments
	data    []byte
	tree    *yaml.Node // the document's top value, while bundling
}

// graft says that the bundled document's keys at came from keys from of file.
type graft struct {
	at   []string
	file *refFile
	from []string
}

// bundle is a multi-file spec made one document.
type bundle struct {
	Data    []byte // the document kin-openapi loads
	root    *refFile
	files   map[string]*refFile // by absolute path
	order   []*refFile          // in the order first read
	grafts  []graft
	hoisted map[string]*target      // "section/name" -> the target placed there
	fileOf  map[*yaml.Node]*refFile // when tracking: the file each node's content comes from
	lines   []lineOrigin            // when tracking: where each line of data came from
	trees   map[*refFile]*yaml.Node // parsed again for positions, on errors only
	inlined int                     // path items and operations written out where referenced
	// docNotes say which documentation fields were left out (see bundle_docs.go).
	docNotes []model.Note
	// repairs are what lenient mode repaired, each at its place (see lenient.go).
	repairs []string
	opts    bundleOptions
	reader  *RefReader // reads every file but the root, inside the ref root
}

// target is an object that references from other files point at.
type target struct {
	file    *refFile
	ptr     []string // JSON pointer segments in file
	node    *yaml.Node
	kind    kind
	section string
	name    string
	rootDef bool // a component of the root document that is only this $ref: it is named after it and holds it
}

// Bounds on what bundling may read and write, against specs made to exhaust
// memory: the files' total size, and the bundled document's size relative to
// it (path items and operations are copied to each place that refers to them).
const (
	maxBundleInput  = 4 * maxSpecSize
	bundleExpansion = 8
)

// externalRefRE finds a $ref to something other than a local pointer, the
// cheap test of whether a document needs bundling at all (a YAML block
// scalar's indicator, $ref: >-, is looked past). A false positive only costs
// the bundling.
var externalRefRE = regexp.MustCompile(`\$ref["']?\s*:\s*(?:[|>][-+0-9]*\s+)?["']?[^"'#\s|>]`)

// needsBundle reports whether data refers to other files.
func needsBundle(data []byte) bool { return externalRefRE.Match(data) }

type bundler struct {
	*bundle
	targets  map[string]*target // by kind, file and pointer
	queue    []*target          // targets whose content is still to be walked
	taken    map[string]map[string]bool
	inlining map[string]bool // path items and operations being written out, against cycles
	current  string          // the targetKey of the target being hoisted or placed
	at, from []string        // where the walk is: in the bundle, and in the current file
	count    int             // nodes written out by inlining so far
	input    int             // nodes of the files read so far
	size     int             // bytes of the files read so far
}

// bundleOptions say how a spec is bundled.
type bundleOptions struct {
	// track records where each line of the bundle comes from, for error
	// positions (see bundle.loadError).
	track bool
	// lenient repairs what lenient mode repairs (see lenient.go) instead of
	// failing.
	lenient bool
	// nested are the targets (by targetKey) that lie inside other targets,
	// found by a first bundling (see bundle_nested.go).
	nested map[string]bool
}

// bundleSpec reads the root document (data, at abs) and every file it refers
// to, and makes them one document.
func bundleSpec(abs, display string, data []byte, reader *RefReader, opts bundleOptions) (*bundle, error) {
	bd, b, err := bundleOnce(abs, display, data, reader, opts)
	if err != nil || opts.nested != nil {
		return bd, err
	}
	if nested := b.nestedTargets(); len(nested) > 0 {
		// Objects referred to both themselves and inside another: bundled
		// again, the inner ones placed once and referred to from the outer.
		opts.nested = nested
		bd, _, err = bundleOnce(abs, display, data, reader, opts)
	}
	return bd, err
}

// bundleOnce is bundleSpec's work, returning the bundler too.
func bundleOnce(abs, display string, data []byte, reader *RefReader, opts bundleOptions) (*bundle, *bundler, error) {
	root := &refFile{abs: abs, display: display, rel: filepath.Base(abs), data: data}
	bd := &bundle{root: root, files: map[string]*refFile{abs: root}, order: []*refFile{root}, hoisted: map[string]*target{}, reader: reader, opts: opts}
	track := opts.track
	if track {
		bd.fileOf = map[*yaml.Node]*refFile{}
	}
	b := &bundler{bundle: bd, targets: map[string]*target{}, taken: map[string]map[string]bool{}, inlining: map[string]bool{}}
	tree, err := parseRefFile(root)
	if err != nil {
		return nil, nil, err
	}
	root.tree = tree
	if tree.Kind != yaml.MappingNode {
		return nil, nil, &SpecError{File: display, Line: tree.Line, Col: tree.Column, Msg: "not an OpenAPI document: the top level is not a mapping"}
	}
	b.input, b.size = countNodes(tree, 0), len(data)
	b.rootComponents()
	b.grafts = append(b.grafts, graft{file: root})
	out, err := b.walk(root, tree, kDoc)
	if err != nil {
		return nil, nil, err
	}
	for len(b.queue) > 0 {
		t := b.queue[0]
		b.queue = b.queue[1:]
		if err := b.hoist(t); err != nil {
			return nil, nil, err
		}
	}
	out = b.withHoisted(out)
	if track {
		for _, f := range bd.order {
			markFile(bd.fileOf, f.tree, f, 0)
		}
	}
	w := &bundleWriter{track: track, fileOf: bd.fileOf, Limit: bundleExpansion*b.size + 1<<20}
	if err := w.Document(out); err != nil {
		return nil, nil, &SpecError{File: display, Msg: err.Error()}
	}
	bd.Data, bd.lines = w.Buf.Bytes(), w.lines
	for _, f := range bd.order {
		f.tree = nil // the trees are most of bundling's memory; errors parse again
	}
	return bd, b, nil
}

// note says what bundling did, for -v ("" when there is nothing to say).
func (bd *bundle) note() string {
	per := map[string]int{}
	for _, t := range bd.hoisted {
		per[t.section]++
	}
	var parts []string
	for _, sec := range slices.Sorted(maps.Keys(per)) {
		parts = append(parts, fmt.Sprintf("%d %s", per[sec], sec))
	}
	placed := "none"
	if len(parts) > 0 {
		placed = strings.Join(parts, ", ")
	}
	if len(bd.order) == 1 && bd.inlined == 0 {
		return "" // bundled only to leave out documentation (see bundle_docs.go)
	}
	files := fmt.Sprintf("%d files", len(bd.order))
	if len(bd.order) == 1 {
		files = "the spec's file" // operations as $refs within it
	}
	return fmt.Sprintf("%s bundled into one document: objects from other files placed in its components: %s; %d path items and operations written out where they are referenced", files, placed, bd.inlined)
}

// rootComponents reserves every root component's name, so that no target
// from another file takes it, and names each target that a root component is
// nothing but a $ref to after that component: Pet: {$ref: models/pet.yaml}
// makes models/pet.yaml Pet, everywhere.
func (b *bundler) rootComponents() {
	comps := mappingValue(b.root.tree, "components")
	if comps == nil || comps.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(comps.Content); i += 2 {
		section, objs := comps.Content[i].Value, comps.Content[i+1]
		k := kindOfSection(section)
		if k == kNone || objs.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(objs.Content); j += 2 {
			b.take(section, goname.ExportedName(objs.Content[j].Value))
		}
		for j := 0; j+1 < len(objs.Content); j += 2 {
			name, obj := objs.Content[j].Value, objs.Content[j+1]
			ref := refNode(obj)
			if ref == nil || len(obj.Content) != 2 {
				continue
			}
			tf, ptr, err := b.resolve(b.root, ref)
			if err != nil || tf == b.root {
				continue // reported when the walk meets it
			}
			key := targetKey(k, tf, ptr)
			if b.targets[key] != nil {
				continue // a second name for it: that component stays a $ref to the first
			}
			if node := lookupNode(tf.tree, ptr); node != nil {
				b.targets[key] = &target{file: tf, ptr: ptr, node: node, kind: k, section: section, name: name, rootDef: true}
			}
		}
	}
}

func (b *bundler) take(section, name string) {
	if b.taken[section] == nil {
		b.taken[section] = map[string]bool{}
	}
	b.taken[section][name] = true
}

// walk returns n, of kind k in file f, as it goes into the bundle: n itself
// when nothing below it changes.
func (b *bundler) walk(f *refFile, n *yaml.Node, k kind) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return n, nil // not an object: kin-openapi words it
	}
	ref := refNode(n)
	if ref != nil && refersHere(k) {
		return b.ref(f, n, ref, k)
	}
	if ref == nil && b.opts.nested != nil {
		if out := b.nestedRef(f, n, k); out != nil {
			return out, nil
		}
	}
	return b.walkObject(f, n, k)
}

// walkObject walks the keys of an object that hold other objects.
func (b *bundler) walkObject(f *refFile, n *yaml.Node, k kind) (*yaml.Node, error) {
	var out *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		var nv *yaml.Node
		var err error
		switch c, ok := childOf(k, key); {
		case key == "<<" && n.Content[i].ShortTag() == "!!merge":
			// A YAML merge key: its mappings' keys are this object's.
			nv, err = b.walkMerge(f, val, k)
		case k == kPathItem && c.kind == kOperation && c.shape == shapeOne && val.Kind == yaml.ScalarNode && val.ShortTag() == "!!null":
			// get: with nothing after it: loaders read no operation at all.
			where := ""
			if len(b.at) >= 2 && b.at[0] == "paths" {
				where = " of " + b.at[1]
			}
			k := n.Content[i]
			return nil, &SpecError{File: f.display, Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("operation %s%s is empty: give it responses, or remove it", key, where)}
		case docValue(k, key, val) != nil:
			nv = b.leaveOutDoc(f, key, val, docValue(k, key, val))
		case k == kSchema && key == "discriminator":
			nv, err = b.discriminator(f, val)
		case ok:
			b.push(key)
			nv, err = b.walkChild(f, val, c)
			b.pop()
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		if nv != val {
			if out == nil {
				out = b.copyNode(f, n)
			}
			out.Content[i+1] = nv
		}
	}
	if out == nil {
		return n, nil
	}
	return out, nil
}

// walkMerge walks the value of a merge key (<<): a mapping or a list of them,
// whose keys are those of the object of kind k that holds it.
func (b *bundler) walkMerge(f *refFile, n *yaml.Node, k kind) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return b.walkObject(f, n, k)
	case yaml.SequenceNode:
		var out *yaml.Node
		for i, item := range n.Content {
			if item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind != yaml.MappingNode {
				continue
			}
			nv, err := b.walkObject(f, item, k)
			if err != nil {
				return nil, err
			}
			if nv != item {
				if out == nil {
					out = b.copyNode(f, n)
				}
				out.Content[i] = nv
			}
		}
		if out != nil {
			return out, nil
		}
	}
	return n, nil
}

// walkChild walks the value of a key that holds objects of c's kind.
func (b *bundler) walkChild(f *refFile, n *yaml.Node, c child) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch {
	case c.shape == shapeOne, c.shape == shapeOneOrList && n.Kind == yaml.MappingNode:
		return b.walk(f, n, c.kind)
	case c.shape == shapeMap && n.Kind == yaml.MappingNode:
		var out *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if c.kind != kSchema && strings.HasPrefix(key, "x-") {
				continue
			}
			b.push(key)
			nv, err := b.walk(f, n.Content[i+1], c.kind)
			b.pop()
			if err != nil {
				return nil, err
			}
			if nv != n.Content[i+1] {
				if out == nil {
					out = b.copyNode(f, n)
				}
				out.Content[i+1] = nv
			}
		}
		if out == nil {
			return n, nil
		}
		return out, nil
	case (c.shape == shapeList || c.shape == shapeOneOrList) && n.Kind == yaml.SequenceNode:
		var out *yaml.Node
		for i, item := range n.Content {
			b.push(strconv.Itoa(i))
			nv, err := b.walk(f, item, c.kind)
			b.pop()
			if err != nil {
				return nil, err
			}
			if nv != item {
				if out == nil {
					out = b.copyNode(f, n)
				}
				out.Content[i] = nv
			}
		}
		if out == nil {
			return n, nil
		}
		return out, nil
	}
	return n, nil
}

func (b *bundler) push(key string) {
	b.at = append(b.at, key)
	b.from = append(b.from, key)
}

func (b *bundler) pop() {
	b.at = b.at[:len(b.at)-1]
	b.from = b.from[:len(b.from)-1]
}

// copyNode copies n for changing its content.
func (b *bundler) copyNode(f *refFile, n *yaml.Node) *yaml.Node {
	cp := *n
	cp.Content = slices.Clone(n.Content)
	b.made(f, &cp)
	return &cp
}

// made records the file of a node bundling made, for error positions.
func (b *bundler) made(f *refFile, n *yaml.Node) {
	if b.fileOf != nil {
		b.fileOf[n] = f
	}
}

// ref handles a $ref object n of kind k in f.
func (b *bundler) ref(f *refFile, n, ref *yaml.Node, k kind) (*yaml.Node, error) {
	tf, ptr, err := b.resolve(f, ref)
	var missing *missingFile
	if errors.As(err, &missing) && b.opts.lenient && k == kSchema {
		return b.unresolved(f, n, ref, missing.err.Msg)
	}
	if err != nil {
		return nil, err
	}
	node := lookupNode(tf.tree, ptr)
	if node == nil {
		if b.opts.lenient && k == kSchema {
			return b.unresolved(f, n, ref, fmt.Sprintf("$ref %s: %s", QuoteText(ref.Value), missingTarget(tf, ptr)))
		}
		why := missingTarget(tf, ptr)
		if b.opts.lenient {
			why += fmt.Sprintf(" (lenient mode types dangling $refs to schemas only: %s here cannot be made up)", strings.TrimPrefix(kindNames[k], "a "))
		}
		return nil, b.refError(f, ref, errors.New(why))
	}
	if k == kPathItem || k == kOperation {
		return b.inline(f, n, ref, tf, ptr, node, k)
	}
	var to string
	switch have := componentKind(ptr); {
	case have != kNone && have != k && (b.opts.lenient || tf != b.root):
		// (kin-openapi words it in the root document, as it always has.)
		if to, err = b.otherKind(f, ref, tf, ptr, node, have, k); err != nil {
			return nil, err
		}
	case tf == b.root:
		// The root document's own object: a local pointer, as written in it.
		to = localRef(ptr)
	default:
		t := b.target(tf, ptr, node, k)
		if t.rootDef && f == b.root && len(b.at) == 3 && b.at[0] == "components" && b.at[1] == t.section && b.at[2] == t.name {
			// The root component that names the target holds it.
			return b.place(t)
		}
		to = "#/components/" + t.section + "/" + t.name
	}
	// Fields beside the $ref stay (OpenAPI 3.1 applies a schema's), walked in f.
	out := n
	if len(n.Content) > 2 {
		if out, err = b.walkObject(f, n, k); err != nil {
			return nil, err
		}
	}
	if to == ref.Value && out == n {
		return n, nil
	}
	if out == n {
		out = b.copyNode(f, n)
	}
	for i := 0; i+1 < len(out.Content); i += 2 {
		if out.Content[i].Value == "$ref" {
			out.Content[i+1] = b.refValue(f, out.Content[i+1], to)
		}
	}
	return out, nil
}

// refValue is a copy of the scalar at with the value to.
func (b *bundler) refValue(f *refFile, at *yaml.Node, to string) *yaml.Node {
	r := *at
	r.Value, r.Style, r.Tag = to, yaml.DoubleQuotedStyle, "!!str"
	b.made(f, &r)
	return &r
}

// localRef is the $ref of a pointer into the root document.
func localRef(ptr []string) string {
	return "#" + (&url.URL{Fragment: encodePointer(ptr)}).EscapedFragment()
}

// target returns the target of references to ptr in tf as kind k, naming it
// and queuing its content the first time.
func (b *bundler) target(tf *refFile, ptr []string, node *yaml.Node, k kind) *target {
	key := targetKey(k, tf, ptr)
	if t := b.targets[key]; t != nil {
		return t
	}
	t := &target{file: tf, ptr: ptr, node: node, kind: k, section: sections[k]}
	t.name = b.nameTarget(t)
	b.targets[key] = t
	b.queue = append(b.queue, t)
	return t
}

// hoist walks a target's content into its place in the components.
func (b *bundler) hoist(t *target) error {
	at, from, current := b.at, b.from, b.current
	b.at, b.from, b.current = []string{"components", t.section, t.name}, slices.Clone(t.ptr), targetKey(t.kind, t.file, t.ptr)
	defer func() { b.at, b.from, b.current = at, from, current }()
	b.grafts = append(b.grafts, graft{at: slices.Clone(b.at), file: t.file, from: slices.Clone(t.ptr)})
	out, err := b.walk(t.file, t.node, t.kind)
	if err != nil {
		return err
	}
	t.node = out
	b.hoisted[t.section+"/"+t.name] = t
	return nil
}

// place walks a root component's target where the component is.
func (b *bundler) place(t *target) (*yaml.Node, error) {
	from, current := b.from, b.current
	b.from, b.current = slices.Clone(t.ptr), targetKey(t.kind, t.file, t.ptr)
	defer func() { b.from, b.current = from, current }()
	b.grafts = append(b.grafts, graft{at: slices.Clone(b.at), file: t.file, from: slices.Clone(t.ptr)})
	return b.walk(t.file, t.node, t.kind)
}

// inline writes the path item or operation that n refers to in its place,
// with the fields written beside the $ref over the referenced ones.
func (b *bundler) inline(f *refFile, n, ref *yaml.Node, tf *refFile, ptr []string, node *yaml.Node, k kind) (*yaml.Node, error) {
	key := targetKey(k, tf, ptr)
	if b.inlining[key] {
		return nil, b.refError(f, ref, errors.New("refers back to itself: a path item or operation cannot contain itself"))
	}
	if node.Kind != yaml.MappingNode {
		return nil, b.refError(f, ref, fmt.Errorf("points at %s, not an object", yamlKind(node)))
	}
	if b.count += countNodes(node, 0); b.count > bundleExpansion*b.input+1<<18 {
		return nil, b.refError(f, ref, errors.New("writing out the path items and operations referenced here would make the document too large: they refer to each other too often"))
	}
	b.inlining[key] = true
	defer delete(b.inlining, key)
	b.inlined++
	sibFrom := slices.Clone(b.from)
	b.from = slices.Clone(ptr)
	b.grafts = append(b.grafts, graft{at: slices.Clone(b.at), file: tf, from: slices.Clone(ptr)})
	out, err := b.walk(tf, node, k)
	b.from = sibFrom
	if err != nil || len(n.Content) == 2 {
		return out, err
	}
	// Siblings: walked in f, over the target's fields of the same name.
	sib, err := b.walkObject(f, n, k)
	if err != nil {
		return nil, err
	}
	merged := b.copyNode(tf, out)
	for i := 0; i+1 < len(sib.Content); i += 2 {
		kn, vn := sib.Content[i], sib.Content[i+1]
		if kn.Value == "$ref" {
			continue
		}
		b.grafts = append(b.grafts, graft{at: append(slices.Clone(b.at), kn.Value), file: f, from: append(slices.Clone(sibFrom), kn.Value)})
		replaced := false
		for j := 0; j+1 < len(merged.Content); j += 2 {
			if merged.Content[j].Value == kn.Value {
				merged.Content[j+1] = vn
				replaced = true
			}
		}
		if !replaced {
			merged.Content = append(merged.Content, kn, vn)
		}
	}
	return merged, nil
}

// discriminator rewrites the mapping values of a discriminator that refer to
// schemas in other files (dog.yaml, ../pets.yaml#/Dog) to the components
// they became. Plain names (Dog) name components of the root document.
func (b *bundler) discriminator(f *refFile, n *yaml.Node) (*yaml.Node, error) {
	m := mappingValue(n, "mapping")
	if m == nil || m.Kind != yaml.MappingNode {
		return n, nil
	}
	var out *yaml.Node
	for i := 1; i < len(m.Content); i += 2 {
		v := m.Content[i]
		if v.Kind != yaml.ScalarNode || !isMappingRef(v.Value) || f == b.root && strings.HasPrefix(v.Value, "#") {
			continue
		}
		tf, ptr, err := b.resolve(f, v)
		if err != nil {
			return nil, err
		}
		node := lookupNode(tf.tree, ptr)
		if node == nil {
			return nil, b.refError(f, v, errors.New(missingTarget(tf, ptr)))
		}
		to := localRef(ptr)
		if tf != b.root {
			to = "#/components/schemas/" + b.target(tf, ptr, node, kSchema).name
		}
		if out == nil {
			out = b.copyNode(f, m)
		}
		out.Content[i] = b.refValue(f, v, to)
	}
	if out == nil {
		return n, nil
	}
	d := b.copyNode(f, n)
	for i := 0; i+1 < len(d.Content); i += 2 {
		if d.Content[i].Value == "mapping" {
			d.Content[i+1] = out
		}
	}
	return d, nil
}

// isMappingRef reports whether a discriminator mapping value is a reference
// rather than a schema name: it has a pointer, a path, or a file extension.
func isMappingRef(v string) bool {
	if strings.ContainsAny(v, "#/") {
		return true
	}
	ext := strings.ToLower(filepath.Ext(v))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

// withHoisted adds the targets from other files to the root document's
// components, in the order they were met.
func (b *bundler) withHoisted(top *yaml.Node) *yaml.Node {
	order := b.hoistOrder()
	if len(order) == 0 {
		return top
	}
	if top == b.root.tree {
		top = b.copyNode(b.root, top)
	}
	comps := b.mappingAt(top, "components")
	secs := map[string]*yaml.Node{}
	for _, t := range order {
		sec := secs[t.section]
		if sec == nil {
			sec = b.mappingAt(comps, t.section)
			secs[t.section] = sec
		}
		sec.Content = append(sec.Content, b.key(t.file, t.name, t.node), t.node)
	}
	return top
}

// mappingAt returns a copy of the mapping at key of n, put in its place (a new
// one when n has none, or something else there: null, say), to add to.
func (b *bundler) mappingAt(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != key {
			continue
		}
		v := n.Content[i+1]
		var m *yaml.Node
		if v.Kind == yaml.MappingNode {
			m = b.copyNode(b.root, v)
		} else {
			m = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column}
			b.made(b.root, m)
		}
		n.Content[i+1] = m
		return m
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	b.made(b.root, m)
	n.Content = append(n.Content, b.key(b.root, key, n), m)
	return m
}

// hoistOrder is the hoisted targets in the order they were met.
func (b *bundler) hoistOrder() []*target {
	var out []*target
	for _, g := range b.grafts {
		if len(g.at) == 3 && g.at[0] == "components" {
			if t := b.hoisted[g.at[1]+"/"+g.at[2]]; t != nil && !t.rootDef {
				out = append(out, t)
				delete(b.hoisted, g.at[1]+"/"+g.at[2])
			}
		}
	}
	for _, t := range out {
		b.hoisted[t.section+"/"+t.name] = t
	}
	return out
}

// key makes a key node for the bundle, placed where at is.
func (b *bundler) key(f *refFile, value string, at *yaml.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Line: at.Line, Column: at.Column}
	b.made(f, n)
	return n
}

// refError is a problem with the $ref at ref in f.
func (b *bundler) refError(f *refFile, ref *yaml.Node, err error) error {
	msg := relativePaths(err.Error(), filepath.Dir(b.root.abs), filepath.Dir(b.root.display))
	return &SpecError{File: f.display, Line: ref.Line, Col: ref.Column, Msg: fmt.Sprintf("$ref %q: %s", ref.Value, msg)}
}

// relativePaths writes the absolute directory absDir in msg as dir, the
// way the user named it.
func relativePaths(msg, absDir, dir string) string {
	if dir == "." {
		return strings.ReplaceAll(msg, absDir+string(filepath.Separator), "")
	}
	return strings.ReplaceAll(msg, absDir, dir)
}

// missingTarget says what is missing where a pointer leads nowhere.
func missingTarget(f *refFile, ptr []string) string {
	n := f.tree
	for i, seg := range ptr {
		next := childNode(n, seg)
		if next == nil {
			where := "at its top level"
			if i > 0 {
				where = "in " + encodePointer(ptr[:i])
			}
			return fmt.Sprintf("%s has no %q %s", f.display, seg, where)
		}
		n = next
	}
	return fmt.Sprintf("%s has no %s", f.display, encodePointer(ptr))
}

// targetKey identifies a referenced object: its kind, file and pointer.
func targetKey(k kind, f *refFile, ptr []string) string {
	return strconv.Itoa(int(k)) + " " + f.abs + "#" + encodePointer(ptr)
}

// countNodes counts the nodes under n, for the expansion bound.
func countNodes(n *yaml.Node, depth int) int {
	if n == nil || depth > MaxNesting {
		return 0
	}
	c := 1
	for _, x := range n.Content {
		c += countNodes(x, depth+1)
	}
	return c
}

// markFile records the file of every node under n.
func markFile(m map[*yaml.Node]*refFile, n *yaml.Node, f *refFile, depth int) {
	if n == nil || depth > MaxNesting {
		return
	}
	if _, ok := m[n]; !ok {
		m[n] = f
	}
	for _, c := range n.Content {
		markFile(m, c, f, depth+1)
	}
}
