package generator

import "reflect"

// usedDecls returns the declarations the package's operations need, directly
// or through other types, in their order in pkg.Types, and the number of
// component schemas left out. Every schema is typed (and named) before this
// runs, so whether a type is generated never changes another type's name.
//
// The walk is over the model's values by reflection, so a field added to
// Operation, Decl or their parts later is followed without being listed here.
func usedDecls(pkg *Package) (used []*Decl, unusedComponents int) {
	u := usage{decls: map[*Decl]bool{}, seen: map[seenKey]bool{}}
	u.walk(reflect.ValueOf(pkg.Operations))
	u.walk(reflect.ValueOf(pkg.ErrorModels))
	for _, d := range pkg.Types {
		switch {
		case u.decls[d]:
			used = append(used, d)
		case isComponent(d.Source):
			unusedComponents++
		}
	}
	return used, unusedComponents
}

type usage struct {
	decls map[*Decl]bool
	seen  map[seenKey]bool // pointers already walked
}

type seenKey struct {
	t reflect.Type
	p uintptr
}

var declType = reflect.TypeFor[*Decl]()

func (u *usage) walk(v reflect.Value) {
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
			u.decls[(*Decl)(v.UnsafePointer())] = true
		}
		u.walk(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			u.walk(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			u.walk(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			u.walk(it.Value())
		}
	case reflect.Interface:
		if !v.IsNil() {
			u.walk(v.Elem())
		}
	}
}
