package model

// Paging is an operation's pagination from services.yaml, checked against
// the operation: the parameters are its query parameters, the paths are in
// its success body's type. The emitter writes it as a tpgenimpl.Paging and
// a method (Method) that iterates over every item of every page.
type Paging struct {
	Method string // the iterating method's Go name: ListOrdersAll
	Item   *Type  // the type of one item
	Items  []string
	Next   PageNext // how the next page is found
	Header string   // NextHeader: the response header with the cursor
	Field  []string // NextField, NextLastItem: the path of the (item's) field with the cursor
	Param  string   // the query parameter the cursor, page or offset is sent in
	Size   string
	First  int64
	// HasMore and Total are paths of body fields (see tpgenimpl.Paging).
	HasMore []string
	Total   []string
}

// PageNext is how the next page is found: the emitter writes it as the
// runtime's NextKind constant of the same name.
type PageNext uint8

const (
	NextUnset    PageNext = iota // no pagination style: never in a Paging the builder made
	NextLink                     // the Link header's rel="next" URL
	NextHeader                   // a cursor in a response header
	NextField                    // a cursor in a body field
	NextLastItem                 // a field of the last item
	NextPage                     // numbered pages
	NextOffset                   // offsets
)
