// Command probe is the workload of "scripts/cluster selftest" and of the
// measure tool: a static program, alone in its image, that exercises what the
// project needs from the cluster.
//
//	probe            serve HTTP on :8080 ("probe <hostname>\n"), log one line per request
//	probe sum        read stdin to EOF, print "<sha256 hex> <bytes>"
//	probe true       exit 0 at once (a trivial exec)
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cmd := ""
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	switch cmd {
	case "true":
		return
	case "sum":
		h := sha256.New()
		n, err := io.Copy(h, os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "probe sum:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %d\n", hex.EncodeToString(h.Sum(nil)), n)
	case "", "serve":
		serve()
	default:
		fmt.Fprintf(os.Stderr, "probe: unknown command %q\n", cmd)
		os.Exit(2)
	}
}

func serve() {
	host, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		log.Printf("probe: %s %s", r.Method, r.URL.Path)
		fmt.Fprintf(w, "probe %s\n", host)
	})
	go func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
		<-sigs
		os.Exit(0)
	}()
	log.Printf("probe: listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}
