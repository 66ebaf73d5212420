package dev.hotreload.k8s.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PodContainerTest {
  private final PodContainer app = new PodContainer("default", "hello-1", "uid-1", "app", 2,
      "node", Optional.empty(), new ApiClient(), Optional.empty(), Optional.empty());

  @Test
  void theSameIncarnationRunning_isNotGone() {
    assertThat(app.whyGone(pod("uid-1", 2, running()))).isEmpty();
  }

  @Test
  void aRestartedContainer_isGone() {
    assertThat(app.whyGone(pod("uid-1", 3, running())))
        .hasValue("container app restarted (restart 3)");
  }

  @Test
  void aStoppedContainer_isGone() {
    V1ContainerState stopped = new V1ContainerState()
        .terminated(new V1ContainerStateTerminated().exitCode(137));
    assertThat(app.whyGone(pod("uid-1", 2, stopped))).hasValue("container app is not running");
  }

  @Test
  void aPodOfTheSameNameWithAnotherUid_isGone() {
    assertThat(app.whyGone(pod("uid-2", 0, running()))).get().asString().contains("replaced");
  }

  @Test
  void aPodWithoutStatusYet_isNotGone() {
    assertThat(app.whyGone(new V1Pod().metadata(new V1ObjectMeta().uid("uid-1")))).isEmpty();
  }

  @Test
  void aWaitThatEndsWithinItsFirstSlice_asksNothing() throws Exception {
    // The ApiClient points nowhere: asking it would fail, so the wait must not ask.
    AtomicInteger slices = new AtomicInteger();
    assertThat(app.awaitWhileRunning(Duration.ofSeconds(5), nanos -> {
      slices.incrementAndGet();
      return true;
    })).isTrue();
    assertThat(slices).hasValue(1);
  }

  @Test
  void aWaitThatRunsOut_returnsFalse_whenTheApiServerCannotSay() throws Exception {
    PodContainer unreachable = new PodContainer("default", "hello-1", "uid-1", "app", 2, "node",
        Optional.empty(), new ApiClient().setBasePath("http://127.0.0.1:9"), Optional.empty(),
        Optional.empty());
    assertThat(unreachable.awaitWhileRunning(Duration.ofMillis(300), nanos -> {
      Thread.sleep(nanos / 1_000_000);
      return false;
    })).isFalse();
  }

  @Test
  void aWaitOnADeletedPod_endsWithTheReason_afterOneSlice() throws Exception {
    // An API server that knows no pod (what it says of a deleted one).
    HttpServer api = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext("/", exchange -> {
      byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
          + "\"reason\":\"NotFound\",\"code\":404}").getBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    api.start();
    try {
      PodContainer deleted = new PodContainer("default", "hello-1", "uid-1", "app", 2, "node",
          Optional.empty(), new ApiClient().setBasePath("http://127.0.0.1:"
              + api.getAddress().getPort()), Optional.empty(), Optional.empty());
      AtomicInteger slices = new AtomicInteger();
      assertThatThrownBy(() -> deleted.awaitWhileRunning(Duration.ofMinutes(1), nanos -> {
        slices.incrementAndGet();
        return false; // the exec never answers
      })).isInstanceOf(IOException.class)
          .hasMessage("pod/default/hello-1/app#2 is gone: pod hello-1 was deleted");
      assertThat(slices).hasValue(1);
    } finally {
      api.stop(0);
    }
  }

  private static V1ContainerState running() {
    return new V1ContainerState().running(new V1ContainerStateRunning());
  }

  private static V1Pod pod(String uid, int restarts, V1ContainerState state) {
    return new V1Pod().metadata(new V1ObjectMeta().name("hello-1").uid(uid))
        .status(new V1PodStatus().containerStatuses(List.of(new V1ContainerStatus()
            .name("app").restartCount(restarts).state(state))));
  }
}
