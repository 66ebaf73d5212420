package dev.hotreload.k8s.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Contexts and namespaces resolved as kubectl does, from kubeconfig text. */
class KubeConnectionTest {
  private static final String TWO_CONTEXTS = """
      apiVersion: v1
      kind: Config
      clusters:
      - name: local
        cluster:
          server: https://127.0.0.1:6443
          insecure-skip-tls-verify: true
      users:
      - name: me
        user:
          token: abc
      contexts:
      - name: main
        context: {cluster: local, user: me}
      - name: shop
        context: {cluster: local, user: me, namespace: shop-dev}
      current-context: main
      """;

  @Test
  void currentContext_withoutNamespace_isDefault() throws IOException {
    assertThat(KubeConnection.kubeconfigYaml(TWO_CONTEXTS).namespace()).isEqualTo("default");
  }

  @Test
  void namedContext_bringsItsNamespace_andAnExplicitOneWins() throws IOException {
    KubeConnection shop = KubeConnection.kubeconfigYaml(TWO_CONTEXTS).context("shop");

    assertThat(shop.namespace()).isEqualTo("shop-dev");
    assertThat(shop.namespace("other").namespace()).isEqualTo("other");
    assertThat(shop.client().getBasePath()).isEqualTo("https://127.0.0.1:6443");
  }

  @Test
  void unknownContext_namesTheOnesThatExist() {
    assertThatThrownBy(() -> KubeConnection.kubeconfigYaml(TWO_CONTEXTS).context("prod").client())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Context 'prod'").hasMessageContaining("[main, shop]");
  }

  @Test
  void emptyNames_areRefusedWithTheField() {
    assertThatThrownBy(() -> KubeConnection.standard().context(" "))
        .hasMessageContaining("context");
    assertThatThrownBy(() -> KubeConnection.standard().namespace(""))
        .hasMessageContaining("namespace");
  }
}
