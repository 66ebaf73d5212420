package dev.hotreload.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class LocalRegistryTest {
  @Test
  void aMissingBinary_failsNamingThePackageToInstall() {
    assertThatThrownBy(() -> LocalRegistry.binary("/nonexistent/docker-registry"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/nonexistent/docker-registry is missing")
        .hasMessageContaining("apt-get install -y docker-registry");
  }

  @Test
  void start_answersTheRegistryApi_andCloseStopsIt() throws Exception {
    String address;
    try (LocalRegistry registry = LocalRegistry.start()) {
      address = registry.address();
      HttpResponse<byte[]> response = registry.get("/v2/", "application/json");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Docker-Distribution-Api-Version"))
          .hasValue("registry/2.0");
    }
    int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
    assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close())
        .isInstanceOf(java.net.ConnectException.class);
  }
}
