package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// applyDiff applies a unified diff of one file to old, as patch would,
// checking every context and removed line against old.
func applyDiff(old []byte, diff string) ([]byte, error) {
	if diff == "" {
		return old, nil
	}
	a := splitLines(old)
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return nil, fmt.Errorf("no headers: %q", diff)
	}
	var out []string
	next := 0 // next line of a not yet copied
	for i := 2; i < len(lines) && lines[i] != ""; {
		var as, al, bs, bl int
		h := lines[i]
		if _, err := fmt.Sscanf(strings.NewReplacer(",", " ", "-", "", "+", "").Replace(strings.Trim(h, "@ \n")), "%d %d %d %d", &as, &al, &bs, &bl); err != nil {
			// one-line ranges have no length
			f := strings.Fields(strings.Trim(h, "@ \n"))
			if len(f) != 2 {
				return nil, fmt.Errorf("hunk header %q", h)
			}
			parse := func(s string) (int, int) {
				st, n, ok := strings.Cut(s[1:], ",")
				x, _ := strconv.Atoi(st)
				if !ok {
					return x, 1
				}
				y, _ := strconv.Atoi(n)
				return x, y
			}
			as, al = parse(f[0])
			bs, bl = parse(f[1])
		}
		_ = bs
		start := as - 1
		if al == 0 {
			start = as
		}
		if start < next {
			return nil, fmt.Errorf("hunk %q overlaps", h)
		}
		out = append(out, a[next:start]...)
		next = start
		i++
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			text := l[1:]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\\ No newline") {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(a) || a[next] != text {
					return nil, fmt.Errorf("line %d: diff has %q, old has %q", next+1, text, a[min(next, len(a)-1)])
				}
				if l[0] == ' ' {
					out = append(out, text)
				}
				next++
			case '+':
				out = append(out, text)
			default:
				return nil, fmt.Errorf("line %q", l)
			}
			i++
		}
	}
	out = append(out, a[next:]...)
	return []byte(strings.Join(out, "")), nil
}

func diffString(old, new string) string {
	var b bytes.Buffer
	unifiedDiff(&b, "a", "b", []byte(old), []byte(new))
	return b.String()
}

func TestUnifiedDiff(t *testing.T) {
	ten := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"same", ten, ten, ""},
		{"one line changed", ten, strings.Replace(ten, "5\n", "five\n", 1),
			"--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
		{"two changes far apart: two hunks", ten + ten, "1\ntwo\n3\n4\n5\n6\n7\n8\n9\n10\n1\n2\n3\n4\n5\n6\n7\n8\nnine\n10\n",
			"--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -16,5 +16,5 @@\n 6\n 7\n 8\n-9\n+nine\n 10\n"},
		{"created", "", "x\ny\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"removed", "x\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n"},
		{"no newline at the end", "x\ny", "x\nz", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diffString(tc.old, tc.new)
			if got != tc.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, tc.want)
			}
			if back, err := applyDiff([]byte(tc.old), got); err != nil || string(back) != tc.new {
				t.Errorf("applying the diff: %q, %v; want %q", back, err, tc.new)
			}
		})
	}
}

// TestUnifiedDiffApplies: for random edits of a Go-like file (repeated
// lines included), the diff applied to the old text gives the new one, and
// it changes no more lines than the edits did.
func TestUnifiedDiffApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := []string{}
	for i := range 400 {
		switch i % 5 {
		case 0:
			base = append(base, fmt.Sprintf("func F%d() {\n", i))
		case 4:
			base = append(base, "}\n")
		default:
			base = append(base, "\treturn nil\n")
		}
	}
	for n := range 200 {
		lines := append([]string(nil), base...)
		edits := 1 + r.IntN(8)
		for range edits {
			i := r.IntN(len(lines))
			switch r.IntN(3) {
			case 0:
				lines = append(lines[:i], lines[i+1:]...)
			case 1:
				lines = append(lines[:i], append([]string{fmt.Sprintf("// new %d\n", r.IntN(5))}, lines[i:]...)...)
			default:
				lines[i] = "}\n"
			}
		}
		old, new := strings.Join(base, ""), strings.Join(lines, "")
		d := diffString(old, new)
		back, err := applyDiff([]byte(old), d)
		if err != nil || string(back) != new {
			t.Fatalf("case %d: applying gives %v (equal: %v)\n%s", n, err, string(back) == new, d)
		}
		if changed := strings.Count(d, "\n-") + strings.Count(d, "\n+") - 2; changed > 2*edits {
			t.Errorf("case %d: %d lines changed for %d edits:\n%s", n, changed, edits, d)
		}
	}
}

// TestUnifiedDiffCut: a diff longer than maxDiffLines is printed in whole
// hunks up to it, and says how many it left out.
func TestUnifiedDiffCut(t *testing.T) {
	var old, new strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&old, "line %d\n", i)
		if i%10 == 0 {
			fmt.Fprintf(&new, "changed %d\n", i)
		} else {
			fmt.Fprintf(&new, "line %d\n", i)
		}
	}
	var b bytes.Buffer
	cut := unifiedDiff(&b, "a", "b", []byte(old.String()), []byte(new.String()))
	if n := strings.Count(b.String(), "\n"); cut == 0 || n > maxDiffLines+2+cut || n < maxDiffLines/2 {
		t.Fatalf("%d lines printed, %d hunks cut", n, cut)
	}
	if !strings.HasSuffix(b.String(), "\n") || strings.Count(b.String(), "@@ -")+cut != 500 {
		t.Errorf("%d hunks printed and %d cut, want 500 in all", strings.Count(b.String(), "@@ -"), cut)
	}
}

// FuzzUnifiedDiff: whatever two texts hold, the diff applied to the first
// gives the second.
//
//	go test -run '^$' -fuzz FuzzUnifiedDiff ./cmd/tpgen
func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd")
	f.Add("", "x")
	f.Add("}\n}\n}\n", "}\n{\n}\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		d := diffString(old, new)
		back, err := applyDiff([]byte(old), d)
		if err != nil || string(back) != new {
			t.Fatalf("applying gives %q, %v; want %q\n%s", back, err, new, d)
		}
	})
}

// BenchmarkUnifiedDiff: a 60,000-line file with a few changes, as a
// regenerated GitHub client.
func BenchmarkUnifiedDiff(b *testing.B) {
	var old, new strings.Builder
	for i := range 60000 {
		line := fmt.Sprintf("\tfield%d string\n", i%700)
		old.WriteString(line)
		if i%15000 == 7 {
			new.WriteString("\tadded string\n")
		}
		new.WriteString(line)
	}
	o, n := []byte(old.String()), []byte(new.String())
	for b.Loop() {
		unifiedDiff(&bytes.Buffer{}, "a", "b", o, n)
	}
}
