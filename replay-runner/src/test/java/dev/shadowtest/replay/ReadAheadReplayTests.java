package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.testing.LoopbackServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exchanges whose bodies reach or pass the reader's byte bound ({@link
 * Replayer#READ_AHEAD_BYTES}) are all replayed and judged, in the order read with one connection,
 * from both recording versions: the bound slows the reader down, never stops it.
 */
class ReadAheadReplayTests {

  @TempDir Path dir;

  /** Body sizes: small, around the bound and its half, and past it. */
  static final int[] SIZES = {
    10, 700_000, 1 << 20, (1 << 20) + 1, 1_500_000, 2 << 20, (2 << 20) + 1, 3_000_000, 5, 2_500_000
  };

  static String body(int i) {
    int n = SIZES[i % SIZES.length];
    StringBuilder b = new StringBuilder(n).append("{\"i\":").append(i).append(",\"x\":\"");
    while (b.length() < n - 2) {
      b.append((char) ('a' + b.length() % 26));
    }
    return b.append("\"}").toString();
  }

  @Test
  @Timeout(180) // a bound that never frees stops the reader for good: fail, do not hang
  void bodiesPastTheReadAheadBoundAreAllReplayedInOrder() throws Exception {
    int count = 2 * SIZES.length;
    List<Exchange> exchanges = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      exchanges.add(StreamingCompareTests.jsonGet(i, body(i)));
    }
    assertThat(exchanges.stream().mapToLong(Replayer::footprint).max().orElseThrow())
        .isGreaterThan(Replayer.READ_AHEAD_BYTES);
    try (LoopbackServer candidate =
        LoopbackServer.start(
            4,
            ex -> {
              int i = Integer.parseInt(ex.getRequestURI().getPath().substring("/doc/".length()));
              byte[] b = body(i).getBytes(StandardCharsets.UTF_8);
              ex.getResponseHeaders().set("Content-Type", "application/json");
              ex.sendResponseHeaders(200, b.length);
              try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
              }
            })) {
      for (int version = 1; version <= 2; version++) {
        Path rec = StreamingCompareTests.recording(dir, version, exchanges);
        for (int concurrency : new int[] {1, 4}) {
          Path out = dir.resolve("out-v" + version + "-c" + concurrency);
          ReplayResult r =
              new Replayer(
                      ReplayConfig.of(List.of(rec), candidate.uri(), out)
                          .withConcurrency(concurrency))
                  .run(ShadowListener.NONE);
          assertThat(r.internalError()).isNull();
          assertThat(r.incomplete()).as(r.abortReason() + " " + r.warnings()).isFalse();
          List<ResultLine> lines = ReplayerTests.lines(out);
          assertThat(lines).hasSize(count);
          assertThat(lines).allSatisfy(l -> assertThat(l.verdict().name()).isEqualTo("MATCH"));
          if (concurrency == 1) {
            assertThat(lines.stream().map(ResultLine::id).toList())
                .isEqualTo(exchanges.stream().map(Exchange::id).toList());
          }
        }
      }
    }
  }

  @Test
  void theFootprintCountsBodiesNotTheirOriginalsWhenNotCaptured() {
    assertThat(Replayer.footprint(answered(null))).isEqualTo(512);
    assertThat(Replayer.footprint(answered(Body.text("x".repeat(10_000))))).isEqualTo(10_512);
    assertThat(Replayer.footprint(answered(new Body.NotCaptured(1 << 30)))).isEqualTo(512);
    HttpRequest get = HttpRequest.of("GET", "/");
    Exchange noAnswer = new Exchange("d", null, null, get, null, "refused", Map.of());
    assertThat(Replayer.footprint(noAnswer)).isEqualTo(512);
  }

  /** A GET answered 200 with {@code body}. */
  static Exchange answered(Body body) {
    return new Exchange(
        "a",
        null,
        null,
        HttpRequest.of("GET", "/"),
        new HttpResponse(200, "OK", Headers.empty(), body),
        null,
        Map.of());
  }
}
