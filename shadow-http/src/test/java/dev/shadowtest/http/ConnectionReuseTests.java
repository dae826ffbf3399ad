package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.message.BufferedHeader;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.junit.jupiter.api.Test;

/** {@link ConnectionReuse} decides as HttpCore's {@code DefaultConnectionReuseStrategy} does. */
class ConnectionReuseTests {

  private static final DefaultConnectionReuseStrategy HTTPCORE =
      DefaultConnectionReuseStrategy.INSTANCE;

  @Test
  void theUsualExchangesKeepTheConnection() {
    BasicHttpRequest get = new BasicHttpRequest("GET", "/api/data.json");
    get.addHeader("Host", "127.0.0.1:8080");
    get.addHeader("Connection", "keep-alive");
    HttpResponse nginx = response(200, HttpVersion.HTTP_1_1);
    for (String line :
        List.of(
            "Server: nginx",
            "Content-Type: application/json",
            "Content-Length: 628",
            "Connection: keep-alive",
            "Accept-Ranges: bytes")) {
      nginx.addHeader(parsed(line));
    }
    assertThat(ConnectionReuse.INSTANCE.keepAlive(get, nginx, HttpCoreContext.create())).isTrue();

    nginx.setHeader("Connection", "Upgrade, CLOSE");
    assertThat(ConnectionReuse.INSTANCE.keepAlive(get, nginx, HttpCoreContext.create())).isFalse();

    HttpResponse old = response(200, HttpVersion.HTTP_1_0);
    old.addHeader("Content-Length", "3");
    assertThat(ConnectionReuse.INSTANCE.keepAlive(get, old, HttpCoreContext.create())).isFalse();
    old.addHeader(parsed("Connection: \t Keep-Alive "));
    assertThat(ConnectionReuse.INSTANCE.keepAlive(get, old, HttpCoreContext.create())).isTrue();
  }

  @Test
  void aTokenIsWhatLiesBetweenCommasWithoutTheWhitespaceAround() {
    for (String value :
        List.of(
            "close", " close ", "a, close", "close ,b", "\tclose\r\n", ",,close,,", "x,CLOSE")) {
      assertThat(ConnectionReuse.tokens(new BasicHeader("Connection", value)))
          .as(value)
          .isEqualTo(ConnectionReuse.CLOSE);
      assertThat(ConnectionReuse.tokens(parsed("Connection: " + value.strip())))
          .as(value)
          .isEqualTo(ConnectionReuse.CLOSE);
    }
    for (String value :
        List.of("", "clos", "closer", "clo se", "close-it", "a close", "\"close\"")) {
      assertThat(ConnectionReuse.tokens(new BasicHeader("Connection", value))).as(value).isZero();
    }
    // as String.equalsIgnoreCase: the long s is an s, the Kelvin sign a k
    assertThat(ConnectionReuse.tokens(new BasicHeader("Connection", "clo\u017Fe")))
        .isEqualTo(ConnectionReuse.CLOSE);
    assertThat(ConnectionReuse.tokens(new BasicHeader("Connection", "\u212Aeep-alive, x, close")))
        .isEqualTo(ConnectionReuse.CLOSE | ConnectionReuse.KEEP_ALIVE);
  }

  /** Random requests and responses made of the headers and values the decision turns on. */
  @Test
  void decidesAsHttpCoreOnRandomMessages() {
    Random random = new Random(7);
    int kept = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      BasicHttpRequest request =
          random.nextInt(10) == 0 ? null : new BasicHttpRequest(pick(random, METHODS), "/x");
      if (request != null) {
        addHeaders(random, request::addHeader);
      }
      HttpResponse response = response(pick(random, STATUSES), pick(random, VERSIONS));
      addHeaders(random, response::addHeader);
      HttpCoreContext context = HttpCoreContext.create();
      if (random.nextBoolean()) {
        context.setProtocolVersion(pick(random, VERSIONS));
      }
      String expected = outcome(() -> HTTPCORE.keepAlive(request, response, context));
      String actual = outcome(() -> ConnectionReuse.INSTANCE.keepAlive(request, response, context));
      assertThat(actual)
          .as(
              "request %s %s, response %s %s",
              request, headers(request), response, headers(response))
          .isEqualTo(expected);
      kept += expected.equals("true") ? 1 : 0;
    }
    // both answers are common, or the comparison says little
    assertThat(kept).isBetween(n / 10, n - n / 10);
  }

  private static final String[] METHODS = {"GET", "HEAD", "head", "POST", "CONNECT", "OPTIONS"};
  private static final int[] STATUSES = {100, 101, 200, 200, 200, 204, 204, 304, 404, 500};
  private static final ProtocolVersion[] VERSIONS = {
    HttpVersion.HTTP_1_1,
    HttpVersion.HTTP_1_1,
    HttpVersion.HTTP_1_0,
    HttpVersion.HTTP_0_9,
    HttpVersion.HTTP_2,
    null,
    new ProtocolVersion("FOO", 1, 1)
  };
  private static final String[] NAMES = {
    "Content-Length",
    "content-length",
    "CONTENT-LENGTH",
    "Transfer-Encoding",
    "transfer-encoding",
    "Tran\u017Fer-Encoding",
    "Connection",
    "connection",
    "CONNECTION",
    "Proxy-Connection",
    "proxy-connection",
    "Host",
    "Keep-Alive",
    "X-Connection",
    "Connections"
  };
  private static final String[] TOKENS = {
    "close",
    "Close",
    "CLOSE",
    "clo\u017Fe",
    "keep-alive",
    "Keep-Alive",
    "\u212Aeep-alive",
    "upgrade",
    "te",
    "",
    "clo se",
    "keep alive",
    "closed",
    "\"close\"",
    "0",
    "5",
    "-1",
    "12x",
    "chunked"
  };
  private static final String[] SEPARATORS = {",", ", ", " ,", " , ", ",\t", ",,"};
  private static final String[] AROUND = {"", "", " ", "\t", "  "};

  private static void addHeaders(Random random, Consumer<Header> add) {
    int count = random.nextInt(7);
    for (int h = 0; h < count; h++) {
      String name = pick(random, NAMES);
      StringBuilder value = new StringBuilder(pick(random, AROUND));
      int tokens = 1 + random.nextInt(3);
      for (int t = 0; t < tokens; t++) {
        if (t > 0) {
          value.append(pick(random, SEPARATORS));
        }
        value.append(pick(random, TOKENS));
      }
      value.append(pick(random, AROUND));
      add.accept(header(random, name, value.toString()));
    }
  }

  /** As a client builds it, as HttpCore's parser reads it (in place), or without a value. */
  private static Header header(Random random, String name, String value) {
    switch (random.nextInt(5)) {
      case 0:
        return new BasicHeader(name, null);
      case 1:
      case 2:
        return new BasicHeader(name, value);
      default:
        return parsed(name + ":" + value);
    }
  }

  private static Header parsed(String line) {
    CharArrayBuffer buffer = new CharArrayBuffer(line.length());
    buffer.append(line);
    return BufferedHeader.create(buffer);
  }

  private static HttpResponse response(int status, ProtocolVersion version) {
    BasicHttpResponse r = new BasicHttpResponse(status);
    r.setVersion(version);
    return r;
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }

  private static int pick(Random random, int[] values) {
    return values[random.nextInt(values.length)];
  }

  private static String outcome(BooleanSupplier decision) {
    try {
      return Boolean.toString(decision.getAsBoolean());
    } catch (RuntimeException e) {
      return e.getClass().getName();
    }
  }

  private static String headers(HttpMessage m) {
    if (m == null) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    for (Header h : m.getHeaders()) {
      s.append('[').append(h.getName()).append(": ").append(h.getValue()).append(']');
    }
    return s.toString();
  }
}
