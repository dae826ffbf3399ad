package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.testing.LoopbackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code shadow replay --loop N} and {@code --duration D}: soak runs, counted exactly. */
@Timeout(120)
class ReplayPassesCommandTests {

  @TempDir Path dir;

  LoopbackServer server;
  final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
  Path rec;

  @BeforeEach
  void start() throws IOException {
    server =
        LoopbackServer.start(
            4,
            (HttpExchange ex) -> {
              seen.computeIfAbsent(ex.getRequestURI().getPath(), p -> new AtomicInteger())
                  .incrementAndGet();
              ReplayConnectionsCommandTests.item(ex);
            });
    rec = ReplayConnectionsCommandTests.recording(dir, 4);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void loopThreeSendsEveryExchangeThreeTimesAndCountsThemExactly() throws IOException {
    Path out = dir.resolve("out");
    ShadowCliTests.Run run =
        shadow(
            "replay", "--recording", rec, "--candidate", server.uri(), "--out", out, "--loop", 3);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(seen).hasSize(4).allSatisfy((path, n) -> assertThat(n.get()).isEqualTo(3));
    JsonNode s = ReplayConnectionsCommandTests.summary(out);
    assertThat(s.get("exchanges").asLong()).isEqualTo(12);
    assertThat(s.get("compared").asLong()).isEqualTo(12);
    assertThat(s.get("matched").asLong()).isEqualTo(12);
    assertThat(ReplayConnectionsCommandTests.results(out))
        .extracting(ResultLine::id)
        .hasSize(12)
        .doesNotHaveDuplicates()
        .contains("e1#1", "e1#2", "e1#3", "e4#3");
  }

  @Test
  void aLoopedRunIsReJudgedWithOtherRulesAsItIs() throws IOException {
    Path out = dir.resolve("out");
    assertThat(
            shadow(
                    "replay",
                    "--recording",
                    rec,
                    "--candidate",
                    server.uri(),
                    "--out",
                    out,
                    "--loop",
                    2)
                .code())
        .isZero();
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, "version: 1\ndefaults:\n  ignore: [\"$.id\"]\n");
    Path again = dir.resolve("again");
    ShadowCliTests.Run report =
        shadow("report", "--results", out, "--rules", rules, "--out", again);
    assertThat(report.code()).as(report.err()).isZero();
    JsonNode s = ReplayConnectionsCommandTests.summary(again);
    assertThat(s.get("exchanges").asLong()).isEqualTo(8);
    assertThat(s.get("matched").asLong()).isEqualTo(8);
  }

  @Test
  void durationReplaysUntilTheTimeIsUp() throws IOException {
    Path out = dir.resolve("out");
    ShadowCliTests.Run run =
        shadow(
            "replay",
            "--recording",
            rec,
            "--candidate",
            server.uri(),
            "--out",
            out,
            "--duration",
            "2s",
            "--rate",
            "20");
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode s = ReplayConnectionsCommandTests.summary(out);
    long sent = seen.values().stream().mapToLong(AtomicInteger::get).sum();
    assertThat(s.get("exchanges").asLong()).isEqualTo(sent).isGreaterThan(8);
    assertThat(s.get("incomplete").asBoolean()).isFalse();
  }

  @Test
  void mergeRefusesShardsReplayedWithOtherPassesWithExitTwo() throws IOException {
    Path s1 = dir.resolve("s1");
    Path s2 = dir.resolve("s2");
    Object[] base = {"replay", "--recording", rec, "--candidate", server.uri()};
    assertThat(shadowWith(base, "--out", s1, "--shard", "1/2", "--loop", 3).code()).isZero();
    assertThat(shadowWith(base, "--out", s2, "--shard", "2/2", "--loop", 2).code()).isZero();
    assertThat(ReplayConnectionsCommandTests.summary(s1).get("passes").get("loop").asInt())
        .isEqualTo(3);
    Path merged = dir.resolve("merged");
    ShadowCliTests.Run run = shadow("merge", "--out", merged, s1, s2);
    assertThat(run.code()).as(run.err()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "error: "
                + s2
                + " was replayed with --loop 2, "
                + s1
                + " with --loop 3: merged, their passes would not add up to one run; merge runs"
                + " replayed with the same --loop or --duration\n");
    assertThat(merged).doesNotExist();
  }

  static ShadowCliTests.Run shadowWith(Object[] base, Object... more) {
    Object[] args = new Object[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return shadow(args);
  }

  @Test
  void nonsenseCombinationsAreRefusedWithExitTwo() {
    Object[][] cases = {
      {new Object[] {"--loop", 3, "--duration", "10m"}, "error: --loop and --duration contradict"},
      {new Object[] {"--loop", 0}, "error: --loop must be between 1 and 1000000 passes, got 0"},
      {
        new Object[] {"--duration", "ten"},
        "error: --duration: expected a duration like 30s, 5m, 1h or PT5M, got \"ten\""
      },
      {new Object[] {"--duration", "0"}, "error: --duration must be between 1s and 30 days, got 0"},
    };
    for (Object[] c : cases) {
      Object[] base = {
        "replay", "--recording", rec, "--candidate", server.uri(), "--out", dir.resolve("bad")
      };
      Object[] args = new Object[base.length + ((Object[]) c[0]).length];
      System.arraycopy(base, 0, args, 0, base.length);
      System.arraycopy((Object[]) c[0], 0, args, base.length, ((Object[]) c[0]).length);
      ShadowCliTests.Run run = shadow(args);
      assertThat(run.code()).as(run.err()).isEqualTo(2);
      assertThat(run.err()).startsWith((String) c[1]);
      assertThat(seen).isEmpty();
    }
  }
}
