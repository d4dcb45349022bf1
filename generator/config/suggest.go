package config

import "strings"

// Suggest returns the candidate closest to word, for "did you mean X?" hints,
// or "" when none is close. Case is ignored, and so are '-' and '_' when
// everything else matches (baseUrl finds base_url). Close means an edit
// distance, counting a swap of two neighbouring letters as one edit, of at
// most a third of word's length (at least 1, and less than the length of
// word). Ties go to the candidate that sorts first.
func Suggest(word string, candidates []string) string {
	w := strings.ToLower(word)
	wn := []rune(w)
	max := max(1, len(wn)/3)
	if max >= len(wn) {
		max = len(wn) - 1
	}
	ws := squash(w)
	best, bestDist := "", max+1
	for _, c := range candidates {
		cl := strings.ToLower(c)
		d := 0
		if cl != w && squash(cl) != ws {
			d = distance(wn, []rune(cl), bestDist+1)
		}
		if d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist > max {
		return ""
	}
	return best
}

// squash drops the separators that spellings of one name differ in.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// distance is the optimal string alignment distance between a and b: the
// number of insertions, deletions, substitutions and swaps of neighbours
// that turn a into b. Distances of limit or more are reported as limit.
func distance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	// Three rows suffice: the swap looks two rows back.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}
