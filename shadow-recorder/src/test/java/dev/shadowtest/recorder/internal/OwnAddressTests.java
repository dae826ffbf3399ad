package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Upstreams that would send every request back to the proxy, and upstreams that would not. */
class OwnAddressTests {

  static boolean reaches(String url, String host, int port) {
    return OwnAddress.reaches(URI.create(url), new InetSocketAddress(host, port));
  }

  @Test
  void theSameAddressAndPortIsTheProxyItself() {
    assertThat(reaches("http://127.0.0.1:8080", "127.0.0.1", 8080)).isTrue();
    assertThat(reaches("http://localhost:8080/base", "127.0.0.1", 8080)).isTrue();
    assertThat(reaches("http://[::1]:8080", "::1", 8080)).isTrue();
  }

  @Test
  void listeningOnAllAddressesCatchesLoopbackAndZero() {
    assertThat(reaches("http://127.0.0.1:8080", "0.0.0.0", 8080)).isTrue();
    assertThat(reaches("http://localhost:8080", "0.0.0.0", 8080)).isTrue();
    assertThat(reaches("http://0.0.0.0:8080", "0.0.0.0", 8080)).isTrue();
    assertThat(reaches("http://0.0.0.0:8080", "127.0.0.1", 8080)).isTrue();
    assertThat(reaches("http://127.0.0.1:80", "0.0.0.0", 80)).isTrue(); // the scheme's default port
    assertThat(reaches("http://127.0.0.1", "0.0.0.0", 80)).isTrue();
  }

  @Test
  void anotherPortAnotherHostOrAnyFreePortIsNot() {
    assertThat(reaches("http://127.0.0.1:8081", "127.0.0.1", 8080)).isFalse();
    assertThat(reaches("http://127.0.0.2:8080", "127.0.0.1", 8080)).isFalse();
    assertThat(reaches("http://127.0.0.1:8080", "127.0.0.1", 0)).isFalse();
    assertThat(reaches("http://no-such-host.invalid:8080", "0.0.0.0", 8080)).isFalse();
    assertThat(reaches("https://127.0.0.1", "0.0.0.0", 80)).isFalse(); // 443
  }
}
