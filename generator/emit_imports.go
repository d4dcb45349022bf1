package generator

import (
	"bytes"
	"strings"
)

// groupImports puts the standard library's imports of a gofmt-ed file first
// and the others after a blank line, as goimports does; jennifer writes them
// in one sorted block. The order within each group stays sorted, so gofmt
// leaves the result as it is.
func groupImports(src []byte) []byte {
	start := bytes.Index(src, []byte("\nimport (\n"))
	if start < 0 {
		return src
	}
	start += len("\nimport (\n")
	end := bytes.Index(src[start:], []byte("\n)\n"))
	if end < 0 {
		return src
	}
	end += start + 1 // the block's lines, each ending in \n
	var std, other []string
	for _, line := range strings.SplitAfter(string(src[start:end]), "\n") {
		switch {
		case line == "":
		case strings.TrimSpace(line) == "":
			return src // already grouped
		case isStdImport(line):
			std = append(std, line)
		default:
			other = append(other, line)
		}
	}
	if len(std) == 0 || len(other) == 0 {
		return src
	}
	var b bytes.Buffer
	b.Grow(len(src) + 1)
	b.Write(src[:start])
	b.WriteString(strings.Join(std, ""))
	b.WriteString("\n")
	b.WriteString(strings.Join(other, ""))
	b.Write(src[end:])
	return b.Bytes()
}

// isStdImport reports whether an import spec line (`\t"path"` or
// `\tname "path"`) imports a standard library package: one whose path's
// first element has no dot.
func isStdImport(line string) bool {
	_, p, ok := strings.Cut(line, `"`)
	if !ok {
		return false
	}
	first, _, _ := strings.Cut(p, "/")
	first, _, _ = strings.Cut(first, `"`)
	return !strings.Contains(first, ".")
}
