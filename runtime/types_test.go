package runtime_test

import (
	"encoding/json"
	"testing"

	"github.com/tpgen/tpgen/runtime"
)

func TestDateJSON(t *testing.T) {
	var d runtime.Date
	if err := json.Unmarshal([]byte(`"2024-02-29"`), &d); err != nil || d.String() != "2024-02-29" {
		t.Fatalf("Unmarshal = %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`"2024-02-29T10:00:00Z"`), &d); err != nil || d.String() != "2024-02-29" {
		t.Fatalf("a timestamp: %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`"29.02.2024"`), &d); err == nil {
		t.Fatal("a date in another format was accepted")
	}
	b, _ := json.Marshal(d)
	if string(b) != `"2024-02-29"` {
		t.Fatalf("Marshal = %s", b)
	}
}
