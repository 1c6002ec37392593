package main

import (
	"github.com/spf13/cobra"
)

func newInitCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create an empty database (a directory holding an empty main file)",
		Args:  args(0, 1),
		RunE: runE(func(cmd *cobra.Command, a []string) error {
			dir := g.dir
			if len(a) == 1 {
				dir = a[0]
			}
			if dir == "" {
				return usagef("init: give the directory as argument or with -d")
			}
			return g.initDB(dir)
		}),
	}
}
