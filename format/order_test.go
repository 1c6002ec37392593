package format

import (
	"errors"
	"testing"
)

// TestOrderCheck_Check accepts sorted blocks and names the first row out
// of order, within a block or across blocks.
func TestOrderCheck_Check(t *testing.T) {
	blk := func(key string, ts ...uint64) *Block {
		b := &Block{}
		b.Reset([]byte(key), "u")
		for _, x := range ts {
			b.Times = append(b.Times, x)
			b.Cols[0].Nums = append(b.Cols[0].Nums, 0)
		}
		return b
	}
	tests := []struct {
		name   string
		blocks []*Block
		bad    int // index of the failing block, -1 for none
		row    int
	}{
		{"sorted", []*Block{blk("a", 1, 2), blk("a", 3), blk("b", 0), blk("c", 9, 10)}, -1, 0},
		{"empty blocks", []*Block{blk("b"), blk("a", 1), blk("a")}, -1, 0},
		{"time repeats in a block", []*Block{blk("a", 1, 2, 2)}, 0, 2},
		{"time goes back across blocks", []*Block{blk("a", 1, 5), blk("a", 4)}, 1, 0},
		{"time repeats across blocks", []*Block{blk("a", 5), blk("a", 5)}, 1, 0},
		{"key goes back", []*Block{blk("b", 1), blk("a", 2)}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c OrderCheck
			for i, b := range tt.blocks {
				err := c.Check(b)
				if i != tt.bad {
					if err != nil {
						t.Fatalf("block %d: %v", i, err)
					}
					continue
				}
				var oe *OrderError
				if !errors.As(err, &oe) || oe.Row != tt.row || !errors.Is(err, ErrUnsorted) {
					t.Fatalf("block %d: %v, want an OrderError at row %d", i, err, tt.row)
				}
				return
			}
		})
	}
}
