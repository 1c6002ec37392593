package parquet

import (
	"reflect"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// field is a named node of a group.
type field struct {
	name string
	node pq.Node
}

// group is a Parquet group whose fields keep the order given. parquet-go's
// Group is a map and orders its fields by name, which would put v10
// before v2.
type group []field

var _ pq.Node = group(nil)

// The methods of pq.Node: a required group of leaves. Type comes from an
// empty pq.Group, the library's own group type.

func (g group) ID() int                     { return 0 }
func (g group) String() string              { return pq.Group{}.String() }
func (g group) Type() pq.Type               { return pq.Group{}.Type() }
func (g group) Optional() bool              { return false }
func (g group) Repeated() bool              { return false }
func (g group) Required() bool              { return true }
func (g group) Leaf() bool                  { return false }
func (g group) Encoding() encoding.Encoding { return nil }
func (g group) Compression() compress.Codec { return nil }
func (g group) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
func (g group) Fields() []pq.Field {
	out := make([]pq.Field, len(g))
	for i, f := range g {
		out[i] = &groupField{Node: f.node, name: f.name}
	}
	return out
}

// groupField is a field of a group.
type groupField struct {
	pq.Node
	name string
}

func (f *groupField) Name() string { return f.name }

// Value maps a Go value to the field for parquet-go's reflection-based
// writers, which chime does not use: rows go to the column writers.
func (f *groupField) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Map {
		return base.MapIndex(reflect.ValueOf(f.name))
	}
	return reflect.Value{}
}
