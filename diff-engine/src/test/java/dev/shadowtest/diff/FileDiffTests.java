package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** shadow diff's comparisons in bounded memory: body files up to a limit, recordings of any size. */
class FileDiffTests {

  @TempDir Path dir;

  Path recording(String name, String idPrefix, int n, int differentEvery) {
    Path p = dir.resolve(name);
    try (RecordingWriter w =
        RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
      for (int i = 0; i < n; i++) {
        String body =
            "{\"i\":"
                + i
                + ",\"v\":"
                + (differentEvery > 0 && i % differentEvery == 0 ? 2 : 1)
                + ",\"pad\":\""
                + "p".repeat(200)
                + "\"}";
        w.write(
            new Exchange(
                idPrefix + i,
                null,
                null,
                new HttpRequest(
                    "GET",
                    "/items/" + (i % 50) + "?page=" + (i / 50),
                    "HTTP/1.1",
                    Headers.of("Host", "legacy"),
                    Body.none()),
                new HttpResponse(
                    200, "OK", Headers.of("Content-Type", "application/json"), Body.text(body)),
                null,
                Map.of()));
      }
    }
    return p;
  }

  Path withIds(String name, String... idsAndBodies) {
    Path p = dir.resolve(name);
    try (RecordingWriter w =
        RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
      for (int i = 0; i < idsAndBodies.length; i += 2) {
        w.write(
            new Exchange(
                idsAndBodies[i],
                null,
                null,
                new HttpRequest("GET", "/x", "HTTP/1.1", Headers.of("Host", "legacy"), Body.none()),
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "application/json"),
                    Body.text(idsAndBodies[i + 1])),
                null,
                Map.of()));
      }
    }
    return p;
  }

  /** An id repeated in a recording (files concatenated) pairs by occurrence: none is dropped. */
  @Test
  void aRepeatedIdPairsByOccurrenceAndNoneIsDropped() {
    Path left = withIds("l.jsonl", "e1", "{\"a\":1}");
    Path right = withIds("r.jsonl", "e1", "{\"a\":999}", "e1", "{\"a\":1}");
    for (long budget : new long[] {FileDiff.MEMORY_BUDGET, 1}) {
      FileDiff.Totals t =
          FileDiff.recordings(
              left, right, Rules.defaults(), null, FileDiff.MatchBy.ID, x -> {}, w -> {}, budget);
      assertThat(t.compared()).isEqualTo(1);
      assertThat(t.different()).isEqualTo(1); // the first e1 of each side: 1 against 999
      assertThat(t.onlyRight()).isEqualTo(1); // the second e1, counted
    }
  }

  @Test
  void largeRecordingsArePartitionedOnDiskAndGiveTheSameTotals() {
    Path a = recording("a.jsonl.gz", "a-", 3_000, 0);
    Path b = recording("b.jsonl.gz", "b-", 3_000, 7);
    for (FileDiff.MatchBy by : List.of(FileDiff.MatchBy.REQUEST, FileDiff.MatchBy.ID)) {
      List<String> inMemory = new ArrayList<>();
      List<String> partitioned = new ArrayList<>();
      FileDiff.Totals whole =
          FileDiff.recordings(
              a,
              b,
              Rules.defaults(),
              null,
              by,
              x -> inMemory.add(String.valueOf(x.left()) + x.right()),
              w -> {},
              FileDiff.MEMORY_BUDGET);
      FileDiff.Totals split =
          FileDiff.recordings(
              a,
              b,
              Rules.defaults(),
              null,
              by,
              x -> partitioned.add(String.valueOf(x.left()) + x.right()),
              w -> {},
              64 << 10); // 64 KiB: many partitions
      assertThat(split).as(by.name()).isEqualTo(whole);
      assertThat(partitioned).as(by.name()).containsExactlyInAnyOrderElementsOf(inMemory);
    }
    FileDiff.Totals byRequest =
        FileDiff.recordings(
            a, b, Rules.defaults(), null, FileDiff.MatchBy.REQUEST, x -> {}, w -> {}, 64 << 10);
    assertThat(byRequest.compared()).isEqualTo(3_000);
    assertThat(byRequest.different()).isEqualTo(429); // every 7th of 3,000
    try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("shadow-diff-"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aBodyFileOverTheLimitIsRefusedAfterReadingOnlyTheLimit() throws Exception {
    Path big = dir.resolve("big.json");
    Files.write(big, new byte[2048]);
    Path ok = dir.resolve("ok.json");
    Files.writeString(ok, "{}");
    assertThatThrownBy(() -> FileDiff.bodies(big, ok, EndpointRule.builtIn(), 1024))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            big
                + ": is larger than 1024 bytes, the most shadow diff compares (--max-body raises it)");
    assertThatThrownBy(
            () -> FileDiff.bodies(Path.of("/dev/zero"), ok, EndpointRule.builtIn(), 1 << 20))
        .hasMessageContaining("/dev/zero: is larger than 1048576 bytes");
  }
}
