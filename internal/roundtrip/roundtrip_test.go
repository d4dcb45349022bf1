package roundtrip_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/params"
	"github.com/tpgen/tpgen/internal/roundtrip/gen/unions"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

var noEnv = runtime.WithLookupEnv(func(string) (string, bool) { return "", false })

// seen is what the server received for the last call.
type seen struct {
	mu   sync.Mutex
	path string // escaped path
	q    string
	hdr  http.Header
	body []byte
}

func start(t *testing.T, spec string, echo bool) (*specserver.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv, err := specserver.Start(spec, func(w http.ResponseWriter, r *http.Request, op string, _ map[string]string) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.path, s.q, s.hdr, s.body = r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body
		s.mu.Unlock()
		if echo {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range srv.Invalid() {
			t.Errorf("%s %s?%s does not conform to the spec: %v", c.Method, c.Path, c.Query, c.Err)
		}
		srv.Close()
	})
	return srv, s
}

func ptr[T any](v T) *T { return &v }

// TestParameterStyles calls one operation per location, style, explode and
// shape, checks the request against the spec (openapi3filter decodes and
// validates every parameter) and the wire form against OpenAPI's table of
// style examples.
func TestParameterStyles(t *testing.T) {
	srv, got := start(t, "specs/params.yaml", false)
	c, err := params.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	arr := []int32{3, 4, 5}
	cases := []struct {
		name  string
		call  func() error
		where string // "path", "query", "X-V", "Cookie"
		want  string
	}{
		{"path simple prim", func() error { return c.PathSimpleFlatPrim(ctx, 5) }, "path", "/path/simple/f/prim/5"},
		{"path simple array", func() error { return c.PathSimpleFlatArray(ctx, arr) }, "path", "/path/simple/f/array/3,4,5"},
		{"path simple object", func() error {
			return c.PathSimpleFlatObject(ctx, params.PathSimpleFlatObjectV{Role: "admin", FirstName: "Alex"})
		}, "path", "/path/simple/f/object/firstName,Alex,role,admin"},
		{"path simple explode prim", func() error { return c.PathSimpleExplodePrim(ctx, 5) }, "path", "/path/simple/x/prim/5"},
		{"path simple explode array", func() error { return c.PathSimpleExplodeArray(ctx, arr) }, "path", "/path/simple/x/array/3,4,5"},
		{"path simple explode object", func() error {
			return c.PathSimpleExplodeObject(ctx, params.PathSimpleExplodeObjectV{Role: "admin", FirstName: "Alex"})
		}, "path", "/path/simple/x/object/firstName=Alex,role=admin"},
		{"path label prim", func() error { return c.PathLabelFlatPrim(ctx, 5) }, "path", "/path/label/f/prim/.5"},
		{"path label array", func() error { return c.PathLabelFlatArray(ctx, arr) }, "path", "/path/label/f/array/.3,4,5"},
		{"path label object", func() error {
			return c.PathLabelFlatObject(ctx, params.PathLabelFlatObjectV{Role: "admin", FirstName: "Alex"})
		}, "path", "/path/label/f/object/.firstName,Alex,role,admin"},
		{"path label explode prim", func() error { return c.PathLabelExplodePrim(ctx, 5) }, "path", "/path/label/x/prim/.5"},
		{"path label explode array", func() error { return c.PathLabelExplodeArray(ctx, arr) }, "path", "/path/label/x/array/.3.4.5"},
		{"path label explode object", func() error {
			return c.PathLabelExplodeObject(ctx, params.PathLabelExplodeObjectV{Role: "admin", FirstName: "Alex"})
		}, "path", "/path/label/x/object/.firstName=Alex.role=admin"},
		{"path matrix prim", func() error { return c.PathMatrixFlatPrim(ctx, 5) }, "path", "/path/matrix/f/prim/;v=5"},
		{"path matrix array", func() error { return c.PathMatrixFlatArray(ctx, arr) }, "path", "/path/matrix/f/array/;v=3,4,5"},
		{"path matrix object", func() error {
			return c.PathMatrixFlatObject(ctx, params.PathMatrixFlatObjectV{Role: "admin", FirstName: "Alex"})
		}, "path", "/path/matrix/f/object/;v=firstName,Alex,role,admin"},
		{"path matrix explode prim", func() error { return c.PathMatrixExplodePrim(ctx, 5) }, "path", "/path/matrix/x/prim/;v=5"},
		{"path matrix explode array", func() error { return c.PathMatrixExplodeArray(ctx, arr) }, "path", "/path/matrix/x/array/;v=3;v=4;v=5"},
		{"path matrix explode object", func() error {
			return c.PathMatrixExplodeObject(ctx, params.PathMatrixExplodeObjectV{Role: "admin", FirstName: "Alex"})
		}, "path", "/path/matrix/x/object/;firstName=Alex;role=admin"},

		{"query form prim", func() error { return c.QueryFormFlatPrim(ctx, &params.QueryFormFlatPrimParams{V: 5}) }, "query", "v=5"},
		{"query form array", func() error { return c.QueryFormFlatArray(ctx, &params.QueryFormFlatArrayParams{V: arr}) }, "query", "v=3,4,5"},
		{"query form object", func() error {
			return c.QueryFormFlatObject(ctx, &params.QueryFormFlatObjectParams{V: params.QueryFormFlatObjectV{Role: "admin", FirstName: "Alex"}})
		}, "query", "v=firstName,Alex,role,admin"},
		{"query form explode prim", func() error { return c.QueryFormExplodePrim(ctx, &params.QueryFormExplodePrimParams{V: 5}) }, "query", "v=5"},
		{"query form explode array", func() error { return c.QueryFormExplodeArray(ctx, &params.QueryFormExplodeArrayParams{V: arr}) }, "query", "v=3&v=4&v=5"},
		{"query form explode object", func() error {
			return c.QueryFormExplodeObject(ctx, &params.QueryFormExplodeObjectParams{V: params.QueryFormExplodeObjectV{Role: "admin", FirstName: "Alex"}})
		}, "query", "firstName=Alex&role=admin"},
		{"query spaceDelimited", func() error {
			return c.QuerySpaceDelimitedFlatArray(ctx, &params.QuerySpaceDelimitedFlatArrayParams{V: arr})
		}, "query", "v=3%204%205"},
		{"query pipeDelimited", func() error {
			return c.QueryPipeDelimitedFlatArray(ctx, &params.QueryPipeDelimitedFlatArrayParams{V: arr})
		}, "query", "v=3|4|5"},
		{"query deepObject", func() error {
			return c.QueryDeepObjectExplodeObject(ctx, &params.QueryDeepObjectExplodeObjectParams{V: params.QueryDeepObjectExplodeObjectV{Role: "admin", FirstName: "Alex"}})
		}, "query", "v[firstName]=Alex&v[role]=admin"},
		{"query optional absent", func() error { return c.QueryOptionalAbsent(ctx, nil) }, "query", ""},
		{"query optional present", func() error {
			return c.QueryOptionalAbsent(ctx, &params.QueryOptionalAbsentParams{V: ptr(int32(7))})
		}, "query", "v=7"},

		{"header prim", func() error { return c.HeaderSimpleFlatPrim(ctx, &params.HeaderSimpleFlatPrimParams{XV: 5}) }, "X-V", "5"},
		{"header array", func() error { return c.HeaderSimpleFlatArray(ctx, &params.HeaderSimpleFlatArrayParams{XV: arr}) }, "X-V", "3,4,5"},
		{"header object", func() error {
			return c.HeaderSimpleFlatObject(ctx, &params.HeaderSimpleFlatObjectParams{XV: params.HeaderSimpleFlatObjectXV{Role: "admin", FirstName: "Alex"}})
		}, "X-V", "firstName,Alex,role,admin"},
		{"header explode object", func() error {
			return c.HeaderSimpleExplodeObject(ctx, &params.HeaderSimpleExplodeObjectParams{XV: params.HeaderSimpleExplodeObjectXV{Role: "admin", FirstName: "Alex"}})
		}, "X-V", "firstName=Alex,role=admin"},
		{"cookie", func() error { return c.CookieFormPrim(ctx, &params.CookieFormPrimParams{Session: "abc"}) }, "Cookie", "session=abc"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			got.mu.Lock()
			defer got.mu.Unlock()
			var have string
			switch tc.where {
			case "path":
				have = got.path
			case "query":
				have = got.q
			default:
				have = got.hdr.Get(tc.where)
			}
			if have != tc.want {
				t.Errorf("%s = %q, want %q", tc.where, have, tc.want)
			}
		})
	}
	// A required parameter cannot be left out by passing nil.
	if err := c.QueryFormFlatPrim(ctx, nil); err == nil || !strings.Contains(err.Error(), "required") {
		t.Errorf("nil params with a required parameter: %v", err)
	}
}

// TestUnions sends unions through a server that validates the body against
// the spec and echoes it back (nullables: nullables_test.go).
func TestUnions(t *testing.T) {
	srv, _ := start(t, "specs/unions.yaml", true)
	c, err := unions.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	var pet unions.Pet
	if err := pet.FromDog(&unions.Dog{PetType: unions.DogPetTypeDog, Name: "Rex", GoodBoy: true}); err != nil {
		t.Fatal(err)
	}
	back, err := c.EchoPet(ctx, pet)
	if err != nil {
		t.Fatal(err)
	}
	v, err := back.ValueByDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := v.(*unions.Dog); !ok || d.Name != "Rex" || !d.GoodBoy {
		t.Fatalf("ValueByDiscriminator = %#v", v)
	}
	if _, err := back.AsDog(); err != nil {
		t.Fatal(err)
	}

	var value unions.HolderValue
	if err := value.FromInt(42); err != nil {
		t.Fatal(err)
	}
	var cat unions.HolderListItem
	if err := cat.FromCat(&unions.Cat{PetType: unions.CatPetTypeCat, Name: "Tom"}); err != nil {
		t.Fatal(err)
	}
	h, err := c.EchoValue(ctx, &unions.Holder{Value: value, List: []unions.HolderListItem{cat}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.Value.AsInt(); err != nil || n != 42 {
		t.Fatalf("AsInt = %d, %v", n, err)
	}
	if c, err := h.List[0].AsCat(); err != nil || c.Name != "Tom" {
		t.Fatalf("AsCat = %+v, %v", c, err)
	}

}

func sameJSON(t *testing.T, a []byte, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
