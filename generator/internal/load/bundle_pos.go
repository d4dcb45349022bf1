package load

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Positions in a bundled spec: what the bundled document's keys, lines and
// sources are in the files the user wrote.

// origin returns the file and keys in it that the bundled document's keys
// came from: the last recorded of the longest grafts that hold them.
func (bd *bundle) origin(keys []string) (*refFile, []string) {
	best := -1
	for i, g := range bd.grafts {
		if len(g.at) <= len(keys) && slices.Equal(g.at, keys[:len(g.at)]) && (best < 0 || len(g.at) >= len(bd.grafts[best].at)) {
			best = i
		}
	}
	if best < 0 {
		return bd.root, keys
	}
	g := bd.grafts[best]
	return g.file, append(slices.Clone(g.from), keys[len(g.at):]...)
}

// position is the file, line and column of the bundled document's keys: of
// the deepest of them that the file has.
func (bd *bundle) position(keys ...string) (string, int, int) {
	f, from := bd.origin(keys)
	n := bd.tree(f)
	if n == nil {
		return f.display, 0, 0
	}
	line, col := locateKeys(n, from)
	if line == 0 && len(from) == 0 {
		line, col = n.Line, n.Column
	}
	return f.display, line, col
}

// tree parses a file of the bundle again (errors only: bundling drops the trees).
func (bd *bundle) tree(f *refFile) *yaml.Node {
	if bd.trees == nil {
		bd.trees = map[*refFile]*yaml.Node{}
	}
	if n, ok := bd.trees[f]; ok {
		return n
	}
	n, err := parseRefFile(f)
	if err != nil {
		n = nil
	}
	bd.trees[f] = n
	return n
}

// hoistedSourceRE finds the sources of schemas that were placed in the
// components from other files, in messages.
var hoistedSourceRE = regexp.MustCompile(`/?components/(schemas|parameters|headers|requestBodies|responses|examples|links|callbacks)/([A-Za-z0-9_]+)((?:/[^\s:,;"()]*)?)`)

// DisplaySources writes the sources in a message (components/schemas/Pet/properties/id)
// that came from other files as the place in the file (models/pet.yaml#/properties/id),
// relative to the root spec's directory: they are what the user wrote.
func (bd *bundle) DisplaySources(msg string) string {
	if bd == nil || len(bd.hoisted) == 0 || !strings.Contains(msg, "components/") {
		return msg
	}
	return hoistedSourceRE.ReplaceAllStringFunc(msg, func(m string) string {
		sub := hoistedSourceRE.FindStringSubmatch(m)
		t := bd.hoisted[sub[1]+"/"+sub[2]]
		if t == nil {
			return m
		}
		ptr := slices.Clone(t.ptr)
		if sub[3] != "" {
			ptr = append(ptr, strings.Split(sub[3][1:], "/")...)
		}
		// Written as a URI reference: escaped, a file or pointer name with
		// a line break in it (%0A in the $ref) stays on its line.
		u := &url.URL{Path: t.file.rel}
		if len(ptr) == 0 {
			return u.EscapedPath()
		}
		return u.EscapedPath() + "#" + (&url.URL{Fragment: encodePointer(ptr)}).EscapedFragment()
	})
}

var loadLineRE = regexp.MustCompile(`\bline (\d+)(?:, column (\d+))?: ?`)

// loadError places an error kin-openapi gave for the bundled document in the
// file it is about. The bundle is made again, recording where each of its
// lines comes from: errors are rare, and the record is costly to keep.
func (bd *bundle) loadError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "yaml error: "); i >= 0 {
		// The bundle is valid JSON too, but only the YAML decoder says where.
		msg = msg[i+len("yaml error: "):]
	} else {
		msg = cleanLoadError(msg)
	}
	se := &SpecError{File: bd.root.display}
	if loadLineRE.MatchString(msg) {
		if again, berr := bundleSpec(bd.root.abs, bd.root.display, bd.root.data, bd.reader, bundleOptions{track: true, lenient: bd.opts.lenient}); berr == nil {
			// The first line named is the error's position; kin-openapi lists
			// further problems after it, each placed in its file.
			first := true
			msg = loadLineRE.ReplaceAllStringFunc(msg, func(m string) string {
				sub := loadLineRE.FindStringSubmatch(m)
				n, _ := strconv.Atoi(sub[1])
				if n < 1 || n > len(again.lines) || again.lines[n-1].file == nil {
					return m
				}
				o := again.lines[n-1]
				if first {
					first = false
					se.File, se.Line, se.Col = o.file.display, o.line, o.col
					return ""
				}
				return fmt.Sprintf("%s:%d:%d: ", o.file.display, o.line, o.col)
			})
		}
	}
	msg = yamlPrefixRE.ReplaceAllString(msg, "")
	msg = relativePaths(msg, filepath.Dir(bd.root.abs), filepath.Dir(bd.root.display))
	se.Msg = bd.DisplaySources(msg)
	return se
}
