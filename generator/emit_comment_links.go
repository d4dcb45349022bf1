package generator

import (
	"net/url"
	"regexp"
	"strings"
)

// Markdown links in spec text become Go doc links
// (https://go.dev/doc/comment#links): "[text](https://x)" becomes "[text]",
// and a link definition "[text]: https://x" goes to the end of the comment,
// where go doc expects it; "<https://x>" becomes the bare URL, which go doc
// links by itself. A link whose URL is not absolute http(s) stays as it is
// written. The text of both comes from cleaned spec text and is written
// through commentLines like any other, so a link can hold nothing that a
// comment line could not.

// mdLink matches an inline Markdown link with an optional title: its text
// holds no brackets and its URL no spaces or parentheses (a link that does
// stays text).
var mdLink = regexp.MustCompile(`\[([^\[\]]+)\]\(<?([^()\s<>]+)>?(?:\s+"[^"]*")?\)|<(https?://[^\s<>]+)>`)

// linkDef matches a line that go doc reads as a link definition.
var linkDef = regexp.MustCompile(`^\[[^\[\]]+\]:[ \t]+\S+$`)

// isLinkDef reports whether line is a link definition, which must stay on
// one line.
func isLinkDef(line string) bool { return linkDef.MatchString(line) }

// links collects the link definitions of one comment, in order of first use.
type links struct {
	defs []string          // "[text]: url" lines
	urls map[string]string // text -> url of the definitions
}

// rewrite turns the Markdown links of one line into Go doc links.
func (l *links) rewrite(line string) string {
	if !strings.ContainsAny(line, "[<") {
		return line
	}
	return mdLink.ReplaceAllStringFunc(line, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		if sub[3] != "" {
			return sub[3] // <https://x>
		}
		text, target := strings.TrimSpace(sub[1]), sub[2]
		if !httpURL(target) || text == "" {
			return m
		}
		if strings.Join(strings.Fields(text), " ") != text {
			return m // text with runs of spaces or tabs: go doc would not match it
		}
		switch u, ok := l.urls[text]; {
		case !ok:
			if l.urls == nil {
				l.urls = map[string]string{}
			}
			l.urls[text] = target
			l.defs = append(l.defs, "["+text+"]: "+target)
		case u != target:
			// The same text for another URL: a definition can name only one.
			return text + " (" + target + ")"
		}
		return "[" + text + "]"
	})
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && strings.HasPrefix(strings.ToLower(s), u.Scheme+"://")
}
