// Command measure times a running cluster from the outside, through the API
// server, the way the project's tests use it: pod start (create → Running) for
// an image in the local registry, and exec round trips of a trivial command.
//
//	go run ./measure -kubeconfig $KUBECONFIG -image localhost:5000/hotreload/pause@sha256:... \
//	    -exec-command /pause,-v [-evict 'ctr ... images rm {}']
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/remotecommand"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "admin kubeconfig")
	image := flag.String("image", "", "image of the measured pods")
	namespace := flag.String("namespace", "default", "namespace")
	pods := flag.Int("pods", 10, "pod starts to time")
	execs := flag.Int("execs", 50, "exec round trips to time")
	execCommand := flag.String("exec-command", "/pause,-v", "comma-separated command run by each exec")
	evict := flag.String("evict", "", "shell command run before each pod start to drop the image from the node ({} = image)")
	flag.Parse()
	if *image == "" {
		fmt.Fprintln(os.Stderr, "measure: -image is required")
		os.Exit(2)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	check(err)
	cs, err := kubernetes.NewForConfig(cfg)
	check(err)
	ctx := context.Background()

	var starts []time.Duration
	for i := 0; i < *pods; i++ {
		if *evict != "" {
			out, err := exec.Command("sh", "-c", strings.ReplaceAll(*evict, "{}", *image)).CombinedOutput()
			if err != nil {
				fmt.Fprintf(os.Stderr, "evict: %v: %s\n", err, out)
			}
		}
		name := fmt.Sprintf("measure-start-%d", i)
		d := startPod(ctx, cs, *namespace, name, *image)
		starts = append(starts, d)
		deletePod(ctx, cs, *namespace, name)
	}
	report("pod start (create → Running)", starts)

	name := "measure-exec"
	startPod(ctx, cs, *namespace, name, *image)
	defer deletePod(ctx, cs, *namespace, name)
	var rts []time.Duration
	cmd := strings.Split(*execCommand, ",")
	for i := 0; i < *execs; i++ {
		t0 := time.Now()
		out := execOnce(ctx, cfg, cs, *namespace, name, cmd)
		rts = append(rts, time.Since(t0))
		if i == 0 {
			fmt.Printf("exec output: %q\n", strings.TrimSpace(out))
		}
	}
	report("exec round trip", rts)
}

func startPod(ctx context.Context, cs *kubernetes.Clientset, ns, name, image string) time.Duration {
	grace := int64(0)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/managed-by": "hotreload-measure"}},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: &grace,
			AutomountServiceAccountToken:  new(bool),
			Containers:                    []corev1.Container{{Name: "c", Image: image, ImagePullPolicy: corev1.PullIfNotPresent}},
		},
	}
	w, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
	check(err)
	defer w.Stop()
	t0 := time.Now()
	_, err = cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	check(err)
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case ev := <-w.ResultChan():
			if ev.Type == watch.Error {
				check(fmt.Errorf("watch error: %v", ev.Object))
			}
			if p, ok := ev.Object.(*corev1.Pod); ok && p.Status.Phase == corev1.PodRunning {
				return time.Since(t0)
			}
		case <-timeout:
			check(fmt.Errorf("pod %s not Running after 3 minutes", name))
		}
	}
}

func deletePod(ctx context.Context, cs *kubernetes.Clientset, ns, name string) {
	zero := int64(0)
	_ = cs.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	for i := 0; i < 600; i++ {
		if _, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{}); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func execOnce(ctx context.Context, cfg *rest.Config, cs *kubernetes.Clientset, ns, name string, cmd []string) string {
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(name).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "c", Command: cmd, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	ex, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
	check(err)
	var stdout, stderr bytes.Buffer
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		check(fmt.Errorf("exec: %v (stderr %q)", err, stderr.String()))
	}
	return stdout.String()
}

func report(what string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
	median := s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	fmt.Printf("%s: n=%d median %s min %s max %s\n", what, len(s), ms(median), ms(s[0]), ms(s[len(s)-1]))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
}
