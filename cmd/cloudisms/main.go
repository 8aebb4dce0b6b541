// Command cloudisms runs an ISMS with the cloud controls of JIS Q 27017.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudisms/cloudisms/internal/cli"
)

func main() {
	// SIGTERM is what service managers send: shut down gracefully on it too.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
