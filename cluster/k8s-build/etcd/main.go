// Command etcd runs the etcd server from the etcd version that
// k8s.io/kubernetes pins, so it builds in the same go build as the rest.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
