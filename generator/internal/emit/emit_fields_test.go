package emit

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
	"github.com/tpgen/tpgen/generator/internal/model"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/tpgenimpl"
)

// TestFieldOrders: the emitter's field lists are the runtime structs'
// exported fields in their declared order, so that the tables read as the
// runtime documents them and a field added to the runtime is not written
// after the others, sorted, unnoticed.
func TestFieldOrders(t *testing.T) {
	for _, c := range []struct {
		typ  any
		list []string
	}{
		{tpgenimpl.Operation{}, operationFields},
		{tpgenimpl.Param{}, paramFields},
		{tpgenimpl.ResponseSpec{}, responseSpecFields},
		{tpgenimpl.ResultSpec{}, resultSpecFields},
		{tpgenimpl.HeaderSpec{}, headerSpecFields},
		{tpgenimpl.Paging{}, pagingFields},
		{runtime.ServiceConfig{}, serviceConfigFields},
		{runtime.SecurityScheme{}, securitySchemeFields},
		{runtime.TokenStoreConfig{}, tokenStoreFields},
	} {
		rt := reflect.TypeOf(c.typ)
		var want []string
		for i := range rt.NumField() {
			if f := rt.Field(i); f.IsExported() {
				want = append(want, f.Name)
			}
		}
		if !slices.Equal(c.list, want) {
			t.Errorf("the fields of %s are written in the order %q; the runtime declares %q", rt, c.list, want)
		}
	}
}

// TestInOrder: listed keys in the list's order, others after them sorted,
// one field on one line.
func TestInOrder(t *testing.T) {
	d := fieldValues{"Zed": jen.Lit(1), "Path": jen.Lit("/p"), "ID": jen.Lit("x"), "Alpha": jen.True()}
	got := jen.Var().Id("v").Op("=").Id("T").Add(inOrder(d, []string{"ID", "Method", "Path"})).GoString()
	want := "var v = T{\n\tID:    \"x\",\n\tPath:  \"/p\",\n\tAlpha: true,\n\tZed:   1,\n}"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := jen.Id("T").Add(inOrder(fieldValues{"Name": jen.Lit("a")}, nil)).GoString(); got != `T{Name: "a"}` {
		t.Errorf("one field: %s", got)
	}
	if got := jen.Id("T").Add(inOrder(fieldValues{}, nil)).GoString(); !strings.HasPrefix(got, "T{}") {
		t.Errorf("no field: %s", got)
	}
}

// TestTokenStoreKinds: the words the emitter writes for the token store
// kinds are the runtime's.
func TestTokenStoreKinds(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{tokenStoreKinds[model.StoreMemory], runtime.TokenStoreMemory},
		{tokenStoreKinds[model.StoreRedis], runtime.TokenStoreRedis},
	} {
		if c.got != c.want {
			t.Errorf("the emitter writes kind %q where the runtime's word is %q", c.got, c.want)
		}
	}
}

// TestKeyInWords: the runtime takes every word the emitter writes for where
// an API key goes, and refuses one that is not among them (so that the
// check can fail).
func TestKeyInWords(t *testing.T) {
	service := func(in string) error {
		_, err := runtime.NewService(runtime.ServiceConfig{Name: "keys", BaseURL: "https://api.example",
			Schemes: []runtime.SecurityScheme{{Name: "key", Kind: runtime.SchemeAPIKey, In: in, Param: "X-Key"}}},
			runtime.WithAuth(runtime.Auth{APIKeys: map[string]string{"key": "k"}}))
		return err
	}
	for in, word := range keyInWords {
		if model.ParamIn(in) == model.InPath {
			continue
		}
		if word == "" {
			t.Errorf("no word for an API key in %s", model.ParamIn(in))
		} else if err := service(word); err != nil {
			t.Errorf("an API key in %q: %v", word, err)
		}
	}
	if service("path") == nil {
		t.Error(`the runtime took an API key in "path"`)
	}
}
