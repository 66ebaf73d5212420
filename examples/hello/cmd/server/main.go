// Command server is the hello-world service the hotreload demos reload: it answers / with a
// greeting, /kodata with a file shipped in the image's kodata, and /healthz with ok.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// greeting is what / answers. The demo edits this line.
const greeting = "Hello from hotreload v1"

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, greeting)
	})
	mux.HandleFunc("/kodata", func(w http.ResponseWriter, r *http.Request) {
		dir := os.Getenv("KO_DATA_PATH")
		if dir == "" {
			dir = "kodata"
		}
		banner, err := os.ReadFile(filepath.Join(dir, "banner.txt"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Write(banner)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	})

	server := &http.Server{Addr: ":" + port, Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		// A restart must free the port quickly: give in-flight requests a moment, no more.
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		server.Shutdown(shutdown)
	}()
	log.Printf("listening on :%s", port)
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
