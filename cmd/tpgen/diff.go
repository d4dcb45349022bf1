package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
)

// -check prints what would change as a unified diff (diff -u), so that a CI
// log shows the change itself, not only the files. The diff is by lines:
// patience diff (lines that occur once on both sides anchor the match,
// recursively), with an exact longest common subsequence for the small
// stretches between anchors and a plain replacement for large ones without
// any. It is minimal for the changes regenerated code has (a few methods
// more or less, a renamed type) and never quadratic on large files.

// diffContext is the number of unchanged lines around each change.
const diffContext = 3

// maxDiffLines bounds the lines of diff printed per file: a regenerated
// 60,000-line client should not flood a CI log. Whole hunks are printed
// until the bound; unifiedDiff says when it cut.
const maxDiffLines = 2000

// unifiedDiff writes the diff from old to new under the headers --- oldName
// and +++ newName (/dev/null for a file created or removed). It returns the
// number of hunks left out because of maxDiffLines.
func unifiedDiff(w io.Writer, oldName, newName string, old, new []byte) (cut int) {
	a, b := splitLines(old), splitLines(new)
	ops := diffLines(a, b)
	hunks := hunksOf(ops, len(a), len(b))
	if len(hunks) == 0 {
		return 0
	}
	fmt.Fprintf(w, "--- %s\n+++ %s\n", oldName, newName)
	printed := 0
	for i, h := range hunks {
		if printed > 0 && printed+len(h.lines) > maxDiffLines {
			return len(hunks) - i
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(h.aStart, h.aLen), hunkRange(h.bStart, h.bLen))
		for _, l := range h.lines {
			io.WriteString(w, l)
			if !strings.HasSuffix(l, "\n") {
				io.WriteString(w, "\n\\ No newline at end of file\n")
			}
		}
		printed += len(h.lines)
	}
	return 0
}

// hunkRange is a hunk header's start,length (diff -u's form: the line
// before the hunk when it is empty).
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits b after each newline; the last line may lack one.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// op is one line of the edit script: kind ' ' (both), '-' (a only), '+' (b only).
type op struct {
	kind byte
	line string
}

// diffLines returns an edit script from a to b.
func diffLines(a, b []string) []op {
	var out []op
	var walk func(a, b []string)
	walk = func(a, b []string) {
		// Common start and end first: most of a regenerated file.
		p := 0
		for p < len(a) && p < len(b) && a[p] == b[p] {
			p++
		}
		s := 0
		for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
			s++
		}
		for _, l := range a[:p] {
			out = append(out, op{' ', l})
		}
		ma, mb := a[p:len(a)-s], b[p:len(b)-s]
		switch anchors := uniqueMatches(ma, mb); {
		case len(ma) == 0 || len(mb) == 0:
			out = appendLines(out, '-', ma)
			out = appendLines(out, '+', mb)
		case len(anchors) > 0:
			i, j := 0, 0
			for _, m := range anchors {
				walk(ma[i:m[0]], mb[j:m[1]])
				out = append(out, op{' ', ma[m[0]]})
				i, j = m[0]+1, m[1]+1
			}
			walk(ma[i:], mb[j:])
		case len(ma)*len(mb) <= 1<<20:
			out = append(out, lcs(ma, mb)...)
		default:
			out = appendLines(out, '-', ma)
			out = appendLines(out, '+', mb)
		}
		for _, l := range a[len(a)-s:] {
			out = append(out, op{' ', l})
		}
	}
	walk(a, b)
	return out
}

func appendLines(out []op, kind byte, lines []string) []op {
	for _, l := range lines {
		out = append(out, op{kind, l})
	}
	return out
}

// uniqueMatches pairs the lines that occur exactly once in a and once in b,
// and returns the longest chain of pairs in order on both sides (patience
// sorting's longest increasing subsequence), as index pairs.
func uniqueMatches(a, b []string) [][2]int {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	inB := map[string]int{}
	bCount := map[string]int{}
	for j, l := range b {
		bCount[l]++
		inB[l] = j
	}
	var pairs [][2]int
	for i, l := range a {
		if count[l] == 1 && bCount[l] == 1 {
			pairs = append(pairs, [2]int{i, inB[l]})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	// Longest increasing subsequence of the b indices (pairs are in a order).
	tails := []int{} // index into pairs of the smallest tail of each length
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		n, _ := slices.BinarySearchFunc(tails, p[1], func(t, target int) int { return pairs[t][1] - target })
		if n > 0 {
			prev[k] = tails[n-1]
		} else {
			prev[k] = -1
		}
		if n == len(tails) {
			tails = append(tails, k)
		} else {
			tails[n] = k
		}
	}
	chain := make([][2]int, len(tails))
	for k, i := tails[len(tails)-1], len(tails)-1; i >= 0; k, i = prev[k], i-1 {
		chain[i] = pairs[k]
	}
	return chain
}

// lcs is the exact edit script of a small stretch, by dynamic programming.
func lcs(a, b []string) []op {
	n, m := len(a), len(b)
	t := make([]int32, (n+1)*(m+1)) // t[i*(m+1)+j]: LCS length of a[i:], b[j:]
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*(m+1)+j] = t[(i+1)*(m+1)+j+1] + 1
			} else {
				t[i*(m+1)+j] = max(t[(i+1)*(m+1)+j], t[i*(m+1)+j+1])
			}
		}
	}
	var out []op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, op{' ', a[i]})
			i++
			j++
		case t[(i+1)*(m+1)+j] >= t[i*(m+1)+j+1]:
			out = append(out, op{'-', a[i]})
			i++
		default:
			out = append(out, op{'+', b[j]})
			j++
		}
	}
	out = appendLines(out, '-', a[i:])
	return appendLines(out, '+', b[j:])
}

// hunk is a stretch of the edit script with its context, as printed.
type hunk struct {
	aStart, aLen, bStart, bLen int
	lines                      []string // with their ' ', '-', '+'
}

// hunksOf groups the changes of ops with diffContext lines around each;
// changes closer than twice that share a hunk.
func hunksOf(ops []op, na, nb int) []hunk {
	var hunks []hunk
	ai, bi := make([]int, len(ops)+1), make([]int, len(ops)+1) // line numbers before each op
	for k, o := range ops {
		ai[k+1], bi[k+1] = ai[k], bi[k]
		if o.kind != '+' {
			ai[k+1]++
		}
		if o.kind != '-' {
			bi[k+1]++
		}
	}
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start := max(0, k-diffContext)
		end := k // one past the last change of the hunk
		for e := k; e < len(ops); e++ {
			if ops[e].kind != ' ' {
				end = e + 1
			} else if e-end >= 2*diffContext {
				break
			}
		}
		stop := min(len(ops), end+diffContext)
		h := hunk{aStart: ai[start], bStart: bi[start], aLen: ai[stop] - ai[start], bLen: bi[stop] - bi[start]}
		for _, o := range ops[start:stop] {
			h.lines = append(h.lines, string(o.kind)+o.line)
		}
		hunks = append(hunks, h)
		k = stop
	}
	return hunks
}
