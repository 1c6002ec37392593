package tsdb

// brokenRules switch rules of the protocol off, one at a time, so that the
// simulation test can show that its oracle catches each (sim_test.go): a
// test that finds nothing wrong proves something only if it finds a broken
// rule. Nothing but that test sets them.
type brokenRules struct {
	namesOnly  bool // match included lists by name only, not by file ID
	noIgnore   bool // read outputs planned on an older main
	eagerSweep bool // on object storage, remove what outputs include at once
	noConfirm  bool // acknowledge without the confirming listing
}

var broken brokenRules
