package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.internal.FollowedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class GorFollowerTests {

  static final String SEP = GorImporterTests.SEP;

  @TempDir Path dir;

  final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

  static String request(String id, long ts, String path) {
    return "1 " + id + " " + ts + " 0\nGET " + path + " HTTP/1.1\r\nHost: legacy\r\n\r\n" + SEP;
  }

  static String response(String id, long ts, int status) {
    return "2 "
        + id
        + " "
        + ts
        + " 1000\nHTTP/1.1 "
        + status
        + " OK\r\nContent-Length: 2\r\n\r\nok"
        + SEP;
  }

  static String pair(String id, long ts) {
    return request(id, ts, "/" + id) + response(id, ts + 1000, 200);
  }

  static void append(Path file, String text) throws IOException {
    Files.writeString(
        file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  CompletableFuture<ImportResult> follow(GorFollower f) {
    return CompletableFuture.supplyAsync(() -> f.run(p -> {}, warnings::add));
  }

  GorFollower follower(Path gor, Path out, GorFollower.Options options) {
    return GorFollower.create(gor, out, ImportOptions.defaults(), options);
  }

  static GorFollower.Options idle(long millis) {
    return GorFollower.Options.defaults().withUntilIdle(Duration.ofMillis(millis));
  }

  /** Waits (10 s at most) until the recording being written holds {@code n} exchanges. */
  static void awaitIds(Path recording, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      try {
        if (ids(recording).size() >= n) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not created yet, or its header not yet written
      }
      Thread.sleep(20);
    }
    throw new AssertionError(recording + " did not reach " + n + " exchanges in 10 s");
  }

  static List<String> ids(Path recording) {
    return HarImporterTests.read(recording).stream().map(Exchange::id).toList();
  }

  @Test
  void followsGoReplaysNumberedChunksInOrder() throws Exception {
    Path first = dir.resolve("requests_0.gor");
    append(first, pair("a", 1000));
    Path out = dir.resolve("rec.jsonl");
    CompletableFuture<ImportResult> done = follow(follower(first, out, idle(1500)));
    Thread.sleep(300);
    append(first, request("b", 3000, "/b"));
    append(dir.resolve("requests_1.gor"), response("b", 4000, 201) + pair("c", 5000));
    Thread.sleep(300);
    append(dir.resolve("requests_2.gor"), pair("d", 7000));
    ImportResult r = done.get(10, TimeUnit.SECONDS);
    assertThat(r.exchanges()).isEqualTo(4);
    assertThat(ids(out)).containsExactly("a", "b", "c", "d");
    assertThat(HarImporterTests.read(out).get(1).response().status()).isEqualTo(201);
    assertThat(warnings).isEmpty();
  }

  @Test
  void aRequestWaitsForItsResponseOnlyAsLongAsTheResponseWait() throws Exception {
    Path gor = dir.resolve("requests.gor");
    append(gor, request("a", 1000, "/slow"));
    Path out = dir.resolve("rec.jsonl");
    GorFollower f =
        follower(gor, out, GorFollower.Options.defaults().withResponseWait(Duration.ofMillis(300)));
    CompletableFuture<ImportResult> done = follow(f);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((!Files.exists(out) || ids(out).isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(50); // the recording is readable while the follow goes on
    }
    f.stop();
    ImportResult r = done.get(5, TimeUnit.SECONDS);
    Exchange a = HarImporterTests.read(out).get(0);
    assertThat(a.response()).isNull();
    assertThat(a.error()).isEqualTo(GorImporter.NO_RESPONSE);
    assertThat(r.withoutResponse()).isEqualTo(1);
  }

  @Test
  void aPayloadWithoutItsSeparatorIsNeverParsedAndLeftOutWhenTheFollowStops() throws Exception {
    Path gor = dir.resolve("requests.gor");
    append(
        gor, pair("a", 1000) + "1 b 3000 0\nPOST /b HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234");
    Path out = dir.resolve("rec.jsonl");
    ImportResult r = follow(follower(gor, out, idle(500))).get(10, TimeUnit.SECONDS);
    assertThat(r.exchanges()).isEqualTo(1);
    assertThat(warnings)
        .containsExactly(
            gor
                + ":13: the last payload had no separator yet when the follow stopped"
                + " (half-written?); left out");
  }

  @Test
  void aFileTruncatedInPlaceIsReadAgainFromItsStart() throws Exception {
    Path gor = dir.resolve("requests.gor");
    append(gor, pair("a", 1000) + pair("b", 3000));
    Path out = dir.resolve("rec.jsonl");
    CompletableFuture<ImportResult> done = follow(follower(gor, out, idle(1500)));
    awaitIds(out, 2); // both read before the file changes
    try (FileChannel c = FileChannel.open(gor, StandardOpenOption.WRITE)) {
      c.truncate(0);
    }
    append(gor, pair("c", 5000));
    done.get(10, TimeUnit.SECONDS);
    assertThat(ids(out)).containsExactly("a", "b", "c");
    assertThat(warnings).singleElement().asString().contains("truncated in place");
  }

  /**
   * Truncated and written again past where it had been read, between two looks (copytruncate and a
   * fast writer, or a writer that reopens it for writing): its size never fell below what was
   * read, its first bytes changed.
   */
  @Test
  void aFileRewrittenInPlacePastWhatWasReadIsReadAgainFromItsStart() throws Exception {
    Path gor = dir.resolve("requests.gor");
    append(gor, pair("a", 1000) + pair("b", 3000));
    Path out = dir.resolve("rec.jsonl");
    CompletableFuture<ImportResult> done = follow(follower(gor, out, idle(1500)));
    awaitIds(out, 2); // both read before the file changes
    Files.writeString(
        gor,
        pair("c", 5000) + pair("d", 7000) + pair("e", 9000) + pair("f", 11000),
        StandardCharsets.UTF_8,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    done.get(10, TimeUnit.SECONDS);
    assertThat(ids(out)).containsExactly("a", "b", "c", "d", "e", "f");
    // the poll may fall between the truncation and the write: either is said
    assertThat(warnings)
        .singleElement()
        .asString()
        .containsAnyOf("rewritten in place", "truncated in place");
  }

  /**
   * A writer that goes on writing to the file renamed away after the follow moved on to the new
   * one (it reopens its file late): those bytes are not read, and that is said.
   */
  @Test
  void writesToAFileRenamedAwayAfterTheFollowMovedOnAreNotSilent() throws Exception {
    Path gor = dir.resolve("requests.gor");
    append(gor, pair("a", 1000));
    Path out = dir.resolve("rec.jsonl");
    try (FileChannel late =
        FileChannel.open(gor, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      CompletableFuture<ImportResult> done = follow(follower(gor, out, idle(4000)));
      awaitIds(out, 1);
      Files.move(gor, dir.resolve("requests.gor.1"));
      append(gor, pair("b", 3000));
      awaitIds(out, 2); // the follow has moved on to the new file
      late.write(ByteBuffer.wrap(pair("x", 2000).getBytes(StandardCharsets.UTF_8)));
      done.get(10, TimeUnit.SECONDS);
    }
    assertThat(ids(out)).containsExactly("a", "b");
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains(gor + " (renamed away): ")
        .contains("were not read");
  }

  /**
   * A response with no length (304, one read to the end) ends its payload when the capture pauses:
   * its request is not left waiting for the next write, nor written without it.
   */
  @Test
  void aResponseWithoutALengthIsTakenWhenTheCapturePauses() throws Exception {
    Path gor = dir.resolve("requests.gor");
    append(
        gor,
        request("a", 1000, "/a")
            + "2 a 2000 1000\nHTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
            + SEP
            + request("b", 3000, "/b")
            + "2 b 4000 1000\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end"
            + SEP);
    Path out = dir.resolve("rec.jsonl");
    CompletableFuture<ImportResult> done =
        follow(follower(gor, out, idle(3000).withResponseWait(Duration.ofMillis(500))));
    awaitIds(out, 2); // both written while nothing more comes
    Thread.sleep(1000); // past the response wait
    append(gor, pair("c", 5000));
    done.get(15, TimeUnit.SECONDS);
    List<Exchange> recorded = HarImporterTests.read(out);
    assertThat(recorded).extracting(Exchange::id).containsExactly("a", "b", "c");
    assertThat(recorded.get(0).response().status()).isEqualTo(304);
    assertThat(recorded.get(1).response().body()).isEqualTo(Body.text("to the end"));
    assertThat(warnings).isEmpty();
  }

  @Test
  void aFileCutMidPayloadWhenRotatedHasItsLastPayloadClosedWithAWarning() throws Exception {
    Path first = dir.resolve("requests_0.gor");
    append(first, pair("a", 1000) + "1 b 3000 0\nGET /b HTTP/1.1\r\nHost: legacy\r\n\r\n");
    append(dir.resolve("requests_1.gor"), pair("c", 5000));
    Path out = dir.resolve("rec.jsonl");
    follow(follower(first, out, idle(500))).get(10, TimeUnit.SECONDS);
    assertThat(ids(out)).containsExactly("a", "b", "c");
    assertThat(warnings)
        .anySatisfy(w -> assertThat(w).contains("followed by requests_1.gor in the middle"));
  }

  @Test
  void aBadPayloadNamesTheRotatedFileAndItsLineAndKeepsWhatWasWritten() throws Exception {
    Path first = dir.resolve("requests_0.gor");
    append(first, pair("a", 1000));
    Path second = dir.resolve("requests_1.gor");
    append(second, pair("b", 3000) + "hello\nGET / HTTP/1.1\r\n\r\n" + SEP);
    Path out = dir.resolve("rec.jsonl.gz");
    assertThatThrownBy(() -> follower(first, out, idle(500)).run(p -> {}, warnings::add))
        .isInstanceOf(RecordingException.class)
        .hasMessageStartingWith(second + ":13: bad payload header \"hello\"");
    assertThat(ids(out)).containsExactly("a", "b"); // complete: closed on the error
  }

  @Test
  void aCaptureThatNeverAppearsIsAnErrorAndLeavesNoRecording() {
    Path out = dir.resolve("rec.jsonl");
    assertThatThrownBy(
            () -> follower(dir.resolve("nope.gor"), out, idle(300)).run(p -> {}, warnings::add))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            dir.resolve("nope.gor") + ": no such file (it did not appear before the follow ended)");
    assertThat(out).doesNotExist();
    assertThat(warnings).isEmpty(); // not also: no GoReplay payloads found
  }

  @Test
  void refusesGzipCapturesAndMissingDirectories() {
    assertThatThrownBy(() -> follower(dir.resolve("r.gor.gz"), dir.resolve("o.jsonl"), idle(1)))
        .hasMessageContaining("a gzip-compressed capture cannot be followed");
    assertThatThrownBy(() -> follower(dir.resolve("no/r_0.gor"), dir.resolve("o.jsonl"), idle(1)))
        .hasMessage(dir.resolve("no/r_0.gor") + ": no such directory: " + dir.resolve("no"));
  }

  @Test
  void theTemplateNameOfNumberedChunksIsAnErrorThatNamesTheFirstChunk() throws IOException {
    append(dir.resolve("requests_0.gor"), pair("a", 1000));
    assertThatThrownBy(() -> follower(dir.resolve("requests.gor"), dir.resolve("o.jsonl"), idle(1)))
        .hasMessage(
            dir.resolve("requests.gor")
                + ": no such file, but requests_0.gor is there: GoReplay numbers the files of"
                + " --output-file requests.gor (_0, _1...); follow the first one, the others come"
                + " in turn");
  }

  @Test
  void namesTheNextChunkAsGoReplayDoes() {
    assertThat(FollowedFile.successor(Path.of("/x/requests_0.gor")))
        .isEqualTo(Path.of("/x/requests_1.gor"));
    assertThat(FollowedFile.successor(Path.of("2026010112_9.log")))
        .isEqualTo(Path.of("2026010112_10.log"));
    assertThat(FollowedFile.successor(Path.of("a_b_07"))).isEqualTo(Path.of("a_b_8"));
    assertThat(FollowedFile.successor(Path.of("requests.gor"))).isNull();
    assertThat(FollowedFile.successor(Path.of("requests_x.gor"))).isNull();
  }
}
