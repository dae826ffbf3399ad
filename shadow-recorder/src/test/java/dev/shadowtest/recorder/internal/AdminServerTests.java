package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.ShadowListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin port over HTTP on 127.0.0.1: an open one and one that needs a token, both serving the
 * stats and {@code /metrics}, whose exposition Prometheus' own {@code promtool} checks.
 */
class AdminServerTests {

  static final String TOKEN = "s3cret-Token_0123456789";
  static final String STATS = "{\"proxied\":3}";

  static final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final Counters counters = new Counters(ShadowListener.NONE);
  static final LiveMetrics metrics = new LiveMetrics(counters, 100);
  static AdminServer open;
  static AdminServer guarded;

  @BeforeAll
  static void start() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    open = new AdminServer(loopback, 0, null, () -> STATS, metrics);
    guarded = new AdminServer(loopback, 0, TOKEN, () -> STATS, metrics);
  }

  @AfterAll
  static void stop() {
    open.close();
    guarded.close();
  }

  static URI uri(AdminServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(AdminServer server, String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(server, path)));
  }

  @Test
  void metricsAreServedInTheTextFormatThatPromtoolAccepts() throws Exception {
    counters.proxied.add(3);
    metrics.judged("GET /api/items/{id}", "DIFFERENT", 1200L, 950L, 200);
    metrics.judged("GET /api/items/{id}", "CANDIDATE_ERROR", 800L, null, null);
    metrics.judged("GET /a \"quoted\" \\ path", "MATCH", 800L, 700L, 503);
    metrics.window(10, 8, 1, 0, 1, 1, 0);
    metrics.trigger("discrepancy", true, 0.125);
    metrics.trigger("errors", false, null); // NaN
    metrics.triggerEvent("discrepancy", "fired");

    HttpResponse<String> response = get(open, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE shadow_judged_total counter")
        .contains("shadow_judged_total{verdict=\"different\"} 1.0")
        .contains("shadow_trigger_value{trigger=\"errors\"} NaN");
    ScrapedSamples s = ScrapedSamples.parse(response.body());
    assertThat(
            s.value("shadow_legacy_latency_seconds_count", "endpoint", "GET /a \"quoted\" \\ path"))
        .isEqualTo(1);

    Promtool.Outcome check = Promtool.run(response.body(), "check", "metrics");
    assertThat(check.said()).as("promtool's lint findings").isBlank();
    assertThat(check.exitCode()).as("promtool's exit code").isZero();
  }

  @Test
  void statsAreServedAsJson() throws Exception {
    HttpResponse<String> response = get(open, "/_shadow/stats?pretty");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    assertThat(response.body()).isEqualTo(STATS + "\n");
  }

  @Test
  void anUnknownPathIsNotFound() throws Exception {
    assertThat(get(open, "/_shadow").statusCode()).isEqualTo(404);
    assertThat(get(open, "/metrics/x").statusCode()).isEqualTo(404);
  }

  @Test
  void withoutLiveMetricsThereIsNoMetricsPath() throws Exception {
    try (AdminServer statsOnly = new AdminServer(0, () -> STATS)) {
      assertThat(get(statsOnly, "/metrics").statusCode()).isEqualTo(404);
      assertThat(get(statsOnly, "/_shadow/stats").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void onlyGetIsAllowed() throws Exception {
    for (String path : new String[] {"/metrics", "/_shadow/stats"}) {
      HttpResponse<String> post =
          send(
              HttpRequest.newBuilder(uri(open, path))
                  .POST(HttpRequest.BodyPublishers.ofString("x")));
      assertThat(post.statusCode()).as(path).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).as(path).hasValue("GET");
      HttpResponse<String> delete = send(HttpRequest.newBuilder(uri(open, path)).DELETE());
      assertThat(delete.statusCode()).as(path).isEqualTo(405);
    }
  }

  @Test
  void withATokenARequestWithoutItIsUnauthorized() throws Exception {
    for (String path : new String[] {"/metrics", "/_shadow/stats", "/elsewhere"}) {
      HttpResponse<String> response = get(guarded, path);
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer");
      assertThat(response.body()).doesNotContain("shadow_").doesNotContain("proxied");
    }
  }

  @Test
  void withATokenAWrongOneIsUnauthorized() throws Exception {
    for (String authorization :
        new String[] {
          "Bearer wrong",
          "Bearer " + TOKEN.substring(0, TOKEN.length() - 1), // a prefix
          "Bearer " + TOKEN + "x",
          "Basic " + TOKEN,
          TOKEN,
          "Bearer"
        }) {
      HttpResponse<String> response =
          send(
              HttpRequest.newBuilder(uri(guarded, "/metrics"))
                  .header("Authorization", authorization));
      assertThat(response.statusCode()).as(authorization).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }
  }

  @Test
  void withATokenTheRightOneIsServed() throws Exception {
    for (String path : new String[] {"/metrics", "/_shadow/stats"}) {
      HttpResponse<String> response =
          send(
              HttpRequest.newBuilder(uri(guarded, path))
                  .header("Authorization", "Bearer " + TOKEN));
      assertThat(response.statusCode()).as(path).isEqualTo(200);
    }
    // the scheme is case-insensitive; the token is not
    assertThat(
            send(HttpRequest.newBuilder(uri(guarded, "/metrics"))
                    .header("Authorization", "bearer " + TOKEN))
                .statusCode())
        .isEqualTo(200);
    assertThat(
            send(HttpRequest.newBuilder(uri(guarded, "/metrics"))
                    .header("Authorization", "Bearer " + TOKEN.toUpperCase()))
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void withATokenTheRightOneStillOnlyReads() throws Exception {
    HttpResponse<String> post =
        send(
            HttpRequest.newBuilder(uri(guarded, "/metrics"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void aNonLoopbackAddressWithoutATokenIsRefused() throws Exception {
    for (InetAddress bind :
        new InetAddress[] {
          InetAddress.getByName("0.0.0.0"),
          InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1})
        }) {
      assertThatThrownBy(() -> new AdminServer(bind, 0, null, () -> STATS, metrics))
          .as(bind.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the admin port on " + bind.getHostAddress())
          .hasMessageContaining("use --admin-token-env VAR");
    }
  }

  @Test
  void aTokenNoHeaderCanCarryIsRefusedWithoutShowingIt() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (String token : new String[] {"", "two words", "caf\u00e9-secret"}) {
      assertThatThrownBy(() -> new AdminServer(loopback, 0, token, () -> STATS, metrics))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the admin token must be printable ASCII without spaces, and not empty");
    }
  }

  @Test
  void clientsThatConnectAndSayNothingHoldAtMostABoundedNumberOfThreads() throws Exception {
    try (AdminServer server =
        new AdminServer(InetAddress.getLoopbackAddress(), 0, null, () -> "{}", null)) {
      int before = Thread.activeCount();
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 24; i++) {
          idle.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
        }
        Thread.sleep(500);
        // one thread per accepted connection, and only MAX_CONNECTIONS are accepted at once
        assertThat(Thread.activeCount() - before)
            .isLessThanOrEqualTo(AdminServer.MAX_CONNECTIONS + 4);
        // the idle ones are closed after AdminServer.IDLE: a real client is served then
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/_shadow/stats"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
    }
  }
}
