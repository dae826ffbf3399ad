package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The parts of a {@code Forwarded} element (RFC 7239) that need quoting. */
class ForwardedTests {

  @Test
  void ipv6NodesAreQuotedAndBracketedWithoutTheirZone() throws Exception {
    assertThat(ProxyHandler.node(new InetSocketAddress(InetAddress.getByName("192.0.2.60"), 1)))
        .isEqualTo("192.0.2.60");
    assertThat(
            ProxyHandler.node(new InetSocketAddress(InetAddress.getByName("2001:db8:cafe::17"), 1)))
        .isEqualTo("\"[2001:db8:cafe:0:0:0:0:17]\"");
    assertThat(ProxyHandler.node(null)).isEqualTo("unknown");
  }

  @Test
  void valuesThatAreNotTokensAreQuotedWithEscapes() {
    assertThat(ProxyHandler.forwardedValue("example.com")).isEqualTo("example.com");
    assertThat(ProxyHandler.forwardedValue("example.com:8080")).isEqualTo("\"example.com:8080\"");
    assertThat(ProxyHandler.forwardedValue("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(ProxyHandler.forwardedValue("x\u0001y")).isEqualTo("\"x?y\"");
  }
}
