package generator

import (
	"reflect"

	"github.com/tpgen/tpgen/generator/internal/model"
)

// usedDecls returns the declarations the package's operations need, directly
// or through other types, in their order in pkg.Types, and the number of
// component schemas left out. Every schema is typed (and named) before this
// runs, so whether a type is generated never changes another type's name.
//
// The walk is over the model's values by reflection, so a field added to
// Operation, Decl or their parts later is followed without being listed here.
func usedDecls(pkg *model.Package) (used []*model.Decl, unusedComponents int) {
	u := usage{decls: map[*model.Decl]bool{}, seen: map[seenKey]bool{}}
	u.walk(reflect.ValueOf(pkg.Methods))
	u.walk(reflect.ValueOf(pkg.ErrorModels))
	for _, d := range pkg.Types {
		switch {
		case u.decls[d]:
			used = append(used, d)
		case d.Source.Component:
			unusedComponents++
		}
	}
	return used, unusedComponents
}

// usage walks the model with a stack of its own rather than by recursion: a
// long chain of types (A has a B, B a C, ...) would otherwise be as deep a
// recursion, several frames per link.
type usage struct {
	decls map[*model.Decl]bool
	seen  map[seenKey]bool // pointers already walked
	todo  []reflect.Value
}

type seenKey struct {
	t reflect.Type
	p uintptr
}

var declType = reflect.TypeFor[*model.Decl]()

func (u *usage) walk(root reflect.Value) {
	u.todo = append(u.todo[:0], root)
	for len(u.todo) > 0 {
		v := u.todo[len(u.todo)-1]
		u.todo = u.todo[:len(u.todo)-1]
		u.visit(v)
	}
}

// visit marks v if it is a *Decl and queues the values it holds.
func (u *usage) visit(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		k := seenKey{v.Type(), v.Pointer()}
		if v.IsNil() || u.seen[k] {
			return
		}
		u.seen[k] = true
		if v.Type() == declType {
			// UnsafePointer, not Interface: the value may come from an
			// unexported field.
			u.decls[(*model.Decl)(v.UnsafePointer())] = true
		}
		u.todo = append(u.todo, v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			u.todo = append(u.todo, v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			u.todo = append(u.todo, v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			u.todo = append(u.todo, it.Value())
		}
	case reflect.Interface:
		if !v.IsNil() {
			u.todo = append(u.todo, v.Elem())
		}
	}
}
