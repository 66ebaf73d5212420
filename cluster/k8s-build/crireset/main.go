// Command crireset talks to a CRI runtime (containerd here) the way the kubelet
// does. "scripts/cluster down" uses it to stop and remove every pod sandbox, so
// that the runtime runs the CNI DEL of each pod (veth, IP lease, portmap rules)
// before the runtime itself is stopped.
//
//	crireset -endpoint /path/containerd.sock pods
//	crireset -endpoint /path/containerd.sock remove-all
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	endpoint := flag.String("endpoint", "", "path of the CRI unix socket")
	timeout := flag.Duration("timeout", 60*time.Second, "overall time limit")
	flag.Parse()
	if *endpoint == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: crireset -endpoint SOCKET pods|remove-all")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+*endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	rt := cri.NewRuntimeServiceClient(conn)
	list, err := rt.ListPodSandbox(ctx, &cri.ListPodSandboxRequest{})
	if err != nil {
		fail(err)
	}
	switch flag.Arg(0) {
	case "pods":
		for _, p := range list.Items {
			fmt.Printf("%s\t%s\t%s/%s\n", p.Id[:13], p.State, p.Metadata.Namespace, p.Metadata.Name)
		}
	case "remove-all":
		failed := 0
		for _, p := range list.Items {
			name := p.Metadata.Namespace + "/" + p.Metadata.Name
			if _, err := rt.StopPodSandbox(ctx, &cri.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "stop %s: %v\n", name, err)
				failed++
				continue
			}
			if _, err := rt.RemovePodSandbox(ctx, &cri.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "remove %s: %v\n", name, err)
				failed++
			}
		}
		fmt.Printf("removed %d of %d pod sandboxes\n", len(list.Items)-failed, len(list.Items))
		if failed > 0 {
			os.Exit(1)
		}
	default:
		fail(fmt.Errorf("unknown command %q", flag.Arg(0)))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "crireset:", err)
	os.Exit(1)
}
