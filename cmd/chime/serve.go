package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/compact"
	"github.com/chime-tsdb/chime/server"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/extsort"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

type serveOptions struct {
	root      string
	listen    string
	token     string
	tokenFile string
	insecure  bool
	noCreate  bool
	noSync    bool
	maxBody   byteSize
	maxLine   byteSize
	sortMem   byteSize
	writers   int
	timeouts  server.Timeouts
}

func newServeCmd(g *globals) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve (-d DIR | --root DIR) [-l ADDR:PORT]",
		Short: "Serve one database (-d) or every database under a root (--root) over HTTP",
		Long: "Serve the HTTP API: GET /<filter> reads rows, PUT / writes `KEY NANOS FORMAT VALUES`\n" +
			"lines; with --root each database is under /db/<name>/. See the README's serve section.\n" +
			"SIGINT or SIGTERM stops it after the requests in flight have finished.",
		Args: args(0, 0),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, g, o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.root, "root", "", "serve every database directory under this one, at /db/<name>/")
	f.StringVarP(&o.listen, "listen", "l", "127.0.0.1:5555", "address and port to listen on")
	f.StringVar(&o.token, "token", "", "require the header \"Authorization: Bearer TOKEN\" on every request")
	f.StringVar(&o.tokenFile, "token-file", "", "read the token from this file (keeps it out of the process list)")
	f.BoolVar(&o.insecure, "insecure", false, "allow a non-loopback address without a token")
	f.BoolVar(&o.noCreate, "no-create", false, "with --root: refuse writes to databases that do not exist")
	noSyncFlag(cmd, &o.noSync)
	o.maxBody, o.maxLine = server.DefaultMaxBody, server.DefaultMaxLine
	f.Var(&o.maxBody, "max-body", "largest PUT body (K, M, G suffixes are binary)")
	f.Var(&o.maxLine, "max-line", "longest line of a PUT body")
	o.sortMem = extsort.DefaultMemory
	f.Var(&o.sortMem, "sort-memory", "memory for sorting one PUT body; beyond it the body spills to disk beside the database")
	f.IntVar(&o.writers, "max-writers", server.DefaultMaxWriters, "writes in progress at once; more wait, then get 503")
	f.DurationVar(&o.timeouts.ReadHeader, "header-timeout", server.DefaultReadHeaderTimeout, "time to read a request's headers")
	f.DurationVar(&o.timeouts.Read, "read-timeout", server.DefaultReadTimeout, "time to read a whole request, body included")
	f.DurationVar(&o.timeouts.Idle, "idle-timeout", server.DefaultIdleTimeout, "time a kept-alive connection may stay idle")
	f.DurationVar(&o.timeouts.Grace, "grace", server.DefaultGrace, "time a shutdown waits for requests in flight")
	cmd.MarkFlagsMutuallyExclusive("token", "token-file")
	return cmd
}

func runServe(cmd *cobra.Command, g *globals, o *serveOptions) error {
	opts, err := o.serverOptions(g)
	if err != nil {
		return err
	}
	if err := server.CheckAddress(o.listen, opts.Token != "", o.insecure); err != nil {
		return &usageError{err}
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	served := g.dir
	if o.root != "" {
		served = o.root
	}
	opts.Log.Info("serving", "address", ln.Addr().String(), "databases", served, "auth", opts.Token != "", "ui", "http://"+ln.Addr().String()+"/ui/")
	if err := srv.Serve(ctx, ln, o.timeouts); err != nil {
		return err
	}
	opts.Log.Info("stopped")
	return nil
}

// serverOptions checks the flags and turns them into server.Options.
func (o *serveOptions) serverOptions(g *globals) (server.Options, error) {
	opts := server.Options{
		Dir: g.dir, Root: o.root, NoCreate: o.noCreate,
		DB:         *g.dbOptions(o.noSync),
		MaxWriters: o.writers,
		Log:        slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Compact:    compactor,
	}
	var err error
	if opts.DB.FS, err = g.store(g.dir); err != nil {
		return opts, err
	}
	if opts.DB.FS != nil {
		if err := checkStore(opts.DB.FS); err != nil {
			return opts, err
		}
	}
	if s3.IsLocation(o.root) {
		st, err := g.s3Store(o.root)
		if err != nil {
			return opts, err
		}
		opts.Root, opts.Namespace = "", newS3Root(st)
	}
	switch {
	case g.dir != "" && o.root != "":
		return opts, usagef("serve: -d (one database) and --root (many) cannot be combined")
	case g.dir == "" && o.root == "":
		return opts, usagef("serve: give -d DIR (one database) or --root DIR (every database under DIR)")
	case o.noCreate && o.root == "":
		return opts, usagef("serve: --no-create applies to --root only")
	case o.writers < 1:
		return opts, usagef("serve: --max-writers must be at least 1")
	}
	for _, l := range []struct {
		flag string
		size byteSize
	}{{"--max-body", o.maxBody}, {"--max-line", o.maxLine}} {
		if l.size < 1 || l.size > 1<<32-1 {
			return opts, usagef("serve: %s %s: want a size from 1 byte to 4G-1", l.flag, &l.size)
		}
	}
	opts.MaxBody, opts.MaxLine, opts.SortMemory = int64(o.maxBody), int(o.maxLine), int64(o.sortMem)
	opts.Token, err = o.readToken()
	return opts, err
}

// readToken returns --token or the first line of --token-file.
func (o *serveOptions) readToken() (string, error) {
	if o.tokenFile == "" {
		return o.token, nil
	}
	b, err := os.ReadFile(o.tokenFile)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	token, _, _ := strings.Cut(string(b), "\n")
	if token = strings.TrimSpace(token); token == "" {
		return "", fmt.Errorf("--token-file: %s holds no token", o.tokenFile)
	}
	return token, nil
}

// compactor runs a compaction for `POST /?compact`.
func compactor(ctx context.Context, db *tsdb.DB, o server.CompactOptions) (string, error) {
	res, err := compact.Run(ctx, db, compact.Options{Major: o.Major, NoWait: o.NoWait})
	if err != nil {
		return "", err
	}
	return summary(res), nil
}
