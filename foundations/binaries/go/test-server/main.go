// Command strata-test-server is the machine lab's workload: a small HTTP server that pods run, and the client that
// proves the pod network from inside a pod. It has only the standard library, so it builds with no module download,
// and it resolves names with Go's own resolver (/etc/resolv.conf), which a static binary in an image without a C
// library needs: a statically linked glibc program cannot load its name-service modules there.
//
//	strata-test-server serve [-listen :8080] [-dir /www]   serve the files of dir; log a line when listening
//	strata-test-server fetch [-timeout 20s] URL            print the body of a GET; exit 1 unless the answer is 200
//	strata-test-server lookup [-timeout 20s] NAME          print each address NAME resolves to, one a line
//	strata-test-server version                             print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is stamped by the build (-X main.version=…).
var version = "unknown"

// Exit codes: 1 when the request or lookup failed, 2 for a wrong command line.
const (
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	if len(os.Args) < 2 {
		usage("a command is needed")
	}
	command, args := os.Args[1], os.Args[2:]
	var err error
	switch command {
	case "serve":
		err = serve(args)
	case "fetch":
		err = fetch(args)
	case "lookup":
		err = lookup(args)
	case "version", "--version":
		fmt.Printf("strata-test-server %s\n", version)
	default:
		usage(fmt.Sprintf("unknown command %q", command))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "strata-test-server %s: %v\n", command, err)
		os.Exit(exitFailed)
	}
}

func usage(problem string) {
	fmt.Fprintf(os.Stderr, "strata-test-server: %s; commands: serve [-listen :8080] [-dir /www], fetch [-timeout 20s] URL, lookup [-timeout 20s] NAME, version\n", problem)
	os.Exit(exitUsage)
}

func parse(set *flag.FlagSet, args []string, operands int) []string {
	set.SetOutput(os.Stderr)
	if err := set.Parse(args); err != nil {
		os.Exit(exitUsage)
	}
	if set.NArg() != operands {
		usage(fmt.Sprintf("%s takes %d operand(s), got %d", set.Name(), operands, set.NArg()))
	}
	return set.Args()
}

func serve(args []string) error {
	set := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := set.String("listen", ":8080", "address to listen on")
	dir := set.String("dir", "/www", "directory whose files are served")
	parse(set, args, 0)
	hostname, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("hostname: %w", err)
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	// The line `kubectl logs` shows: which pod answers.
	fmt.Printf("hello from %s\n", hostname)
	logger := log.New(os.Stderr, "", log.LstdFlags)
	server := &http.Server{
		Handler:           http.FileServer(http.Dir(*dir)),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}
	// A pod's container is stopped with SIGTERM: close the listener and let requests in flight finish.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func fetch(args []string) error {
	set := flag.NewFlagSet("fetch", flag.ContinueOnError)
	timeout := set.Duration("timeout", 20*time.Second, "limit of the whole request")
	url := parse(set, args, 1)[0]
	client := &http.Client{Timeout: *timeout}
	answer, err := client.Get(url)
	if err != nil {
		return err
	}
	defer answer.Body.Close()
	body, err := io.ReadAll(answer.Body)
	if err != nil {
		return fmt.Errorf("reading the body of %s: %w", url, err)
	}
	if answer.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", url, answer.Status, body)
	}
	_, err = os.Stdout.Write(body)
	return err
}

func lookup(args []string) error {
	set := flag.NewFlagSet("lookup", flag.ContinueOnError)
	timeout := set.Duration("timeout", 20*time.Second, "limit of the lookup")
	name := parse(set, args, 1)[0]
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	addresses, err := net.DefaultResolver.LookupHost(ctx, name)
	if err != nil {
		return err
	}
	for _, address := range addresses {
		fmt.Println(address)
	}
	return nil
}
