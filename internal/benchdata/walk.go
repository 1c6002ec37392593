package benchdata

import (
	"math/rand/v2"
	"strconv"
)

// Value rules of the reference data set.
const (
	uStartMin = 1000   // U starts uniform in [uStartMin, uStartMax)
	uStartMax = 100000 //
	uStepMax  = 50     // U steps are uniform integers in [-uStepMax, uStepMax]
	fStartMin = -100.0 // F starts uniform in [fStartMin, fStartMax)
	fStartMax = 100.0  //
)

// walk is the value stream of one key: value is sample 0 after newWalk and
// sample s after s calls of step. The U walk keeps its value in u, the F
// walk in f.
type walk struct {
	rng    *rand.Rand
	format Format
	u      uint32
	f      float64
}

func newWalk(c Config, k int) *walk {
	w := &walk{rng: rand.New(keySource(c.Seed, c.Format, k)), format: c.Format}
	if c.Format == F {
		w.f = fStartMin + (fStartMax-fStartMin)*w.rng.Float64()
	} else {
		w.u = uint32(uStartMin + w.rng.IntN(uStartMax-uStartMin))
	}
	return w
}

// keySource returns the random source of key k: a PCG whose two seed words
// are mixed from the seed, the format and k, so that neighbouring keys get
// unrelated streams.
func keySource(seed uint64, f Format, k int) *rand.PCG {
	s1 := splitmix(seed ^ uint64(f))
	s2 := splitmix(s1 ^ splitmix(uint64(k)))
	return rand.NewPCG(s1, s2)
}

// splitmix is the SplitMix64 finaliser, a bijective bit mixer.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (w *walk) step() {
	if w.format == F {
		w.f += w.rng.NormFloat64()
		return
	}
	w.u = stepU(w.u, w.rng.IntN(2*uStepMax+1)-uStepMax)
}

// stepU adds d to v, clamping at 0.
func stepU(v uint32, d int) uint32 {
	if d < 0 && uint32(-d) > v {
		return 0
	}
	return uint32(int64(v) + int64(d))
}

// appendValue appends the current value as add input text.
func (w *walk) appendValue(dst []byte) []byte {
	if w.format == F {
		return strconv.AppendFloat(dst, w.f, 'f', -1, 64)
	}
	return strconv.AppendUint(dst, uint64(w.u), 10)
}
