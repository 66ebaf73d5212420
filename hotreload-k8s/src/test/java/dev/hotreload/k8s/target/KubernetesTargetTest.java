package dev.hotreload.k8s.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Platform;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.pod.PodContainer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesTargetTest {

  @Test
  void selectorString_writesMatchLabelsAndExpressionsLikeKubectl() {
    V1LabelSelector selector = new V1LabelSelector()
        .matchLabels(Map.of("app", "hello"))
        .matchExpressions(List.of(
            new V1LabelSelectorRequirement().key("tier").operator("In").values(List.of("a", "b")),
            new V1LabelSelectorRequirement().key("canary").operator("DoesNotExist")));

    assertThat(KubernetesTarget.selectorString(selector))
        .isEqualTo("!canary,app=hello,tier in (a,b)");
  }

  @Test
  void factories_rejectEmptyNames_namingTheField() {
    assertThatThrownBy(() -> KubernetesTarget.deployment("default", " "))
        .hasMessageContaining("deployment name ' ' is empty");
    assertThatThrownBy(() -> KubernetesTarget.pod("", "x"))
        .hasMessageContaining("namespace '' is empty");
    assertThatThrownBy(() -> KubernetesTarget.selector("default", Map.of()))
        .hasMessageContaining("at least one label");
  }

  @Test
  void podContainer_isANewDestinationAfterARestart() {
    ApiClient client = new ApiClient();
    PodContainer first = new PodContainer("default", "hello-1", "uid-1", "app", 0, "node",
        Optional.of(Platform.LINUX_AMD64), client, Optional.of(8080), Optional.empty());
    PodContainer same = new PodContainer("default", "hello-1", "uid-1", "app", 0, "node",
        Optional.empty(), client, Optional.empty(), Optional.empty());
    PodContainer restarted = new PodContainer("default", "hello-1", "uid-1", "app", 1, "node",
        Optional.of(Platform.LINUX_AMD64), client, Optional.of(8080), Optional.empty());

    assertThat(first).isEqualTo(same).isNotEqualTo(restarted);
    assertThat(restarted.id()).isEqualTo("pod/default/hello-1/app#1");
  }

  @Test
  void kubernetesTarget_declaresTheExecTransport() {
    assertThat(KubernetesTarget.pod("default", "x").defaultTransport())
        .containsInstanceOf(ExecTransport.class);
  }
}
