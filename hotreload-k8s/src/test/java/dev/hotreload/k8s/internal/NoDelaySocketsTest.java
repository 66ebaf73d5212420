package dev.hotreload.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.ApiClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class NoDelaySocketsTest {

  @Test
  void theClientsNewSocketsHaveNagleOffAndItsOtherSettingsStay() throws Exception {
    ApiClient client = new ApiClient();
    client.setBasePath("https://cluster.example:6443");
    OkHttpClient before = client.getHttpClient();

    NoDelaySockets.apply(client);

    OkHttpClient after = client.getHttpClient();
    assertThat(after.readTimeoutMillis()).isEqualTo(before.readTimeoutMillis());
    assertThat(after.interceptors()).isEqualTo(before.interceptors());
    assertThat(client.getBasePath()).isEqualTo("https://cluster.example:6443");
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket socket = after.socketFactory().createSocket(InetAddress.getLoopbackAddress(),
            server.getLocalPort())) {
      assertThat(socket.getTcpNoDelay()).isTrue();
    }
    try (Socket unconnected = after.socketFactory().createSocket()) {
      assertThat(unconnected.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void applyingTwiceKeepsTheSameHttpClient() {
    ApiClient client = NoDelaySockets.apply(new ApiClient());
    OkHttpClient once = client.getHttpClient();

    NoDelaySockets.apply(client);

    assertThat(client.getHttpClient()).isSameAs(once);
  }
}
