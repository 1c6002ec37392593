package main

import (
	"fmt"
	"image/png"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdPNGSize implements the scripts' "pngsize FILE WxH": FILE decodes as
// a PNG image of that size.
func cmdPNGSize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pngsize FILE WxH")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if got := fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy()); got != args[1] {
		ts.Fatalf("%s is %s, want %s", args[0], got, args[1])
	}
}
