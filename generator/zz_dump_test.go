package generator_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestZZDump(t *testing.T) {
	data, _ := os.ReadFile(os.Getenv("ZZ"))
	lines := strings.Split(string(data), "\n")
	lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	doc, n := buildFuzzSpec([]byte(s))
	y, _ := yaml.Marshal(doc)
	t.Logf("ops %d\n%s", n, y)
}
