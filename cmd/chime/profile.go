package main

import (
	"os"
	"runtime/pprof"
)

// startProfile starts the CPU profile asked for with the hidden
// --cpuprofile flag, for measuring whole commands.
func (g *globals) startProfile() error {
	if g.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(g.cpuProfile)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	g.stopProf = func() { pprof.StopCPUProfile(); f.Close() }
	return nil
}

func (g *globals) stopProfile() {
	if g.stopProf != nil {
		g.stopProf()
	}
}
