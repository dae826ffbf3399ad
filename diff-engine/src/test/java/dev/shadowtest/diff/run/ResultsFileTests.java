package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code results.jsonl.gz} read back exactly as written, by the streaming reader. */
class ResultsFileTests {

  @TempDir Path dir;

  static ResultLine full() {
    return new ResultLine(
        "e1#2",
        "GET /orders/{id}",
        "GET",
        "/orders/1?x=\"y\"",
        Verdict.DIFFERENT,
        200,
        201,
        500,
        10L,
        20L,
        30L,
        null,
        List.of(
            new Difference("$.a", "$.a", DifferenceType.VALUE, "1", "2", null),
            new Difference(
                "header:ETag", "header:etag", DifferenceType.MISSING, "\"e\"", null, "ok")),
        Set.of(new FieldKey("$.ts", DifferenceType.VALUE)),
        true,
        true,
        List.of("a note", "ü ✓"),
        "/v2/orders/1",
        List.of("candidate setHeader Authorization", "primary use id at path:id"));
  }

  static ResultLine sparse() {
    return new ResultLine(
        "e2",
        "GET /a",
        "GET",
        "/a",
        Verdict.CANDIDATE_ERROR,
        null,
        null,
        null,
        null,
        null,
        null,
        "timeout: no answer",
        List.of(),
        Set.of(),
        false,
        false,
        List.of());
  }

  List<ResultLine> read(Path f) {
    List<ResultLine> l = new ArrayList<>();
    ResultsFile.read(f, l::add);
    return l;
  }

  @Test
  void linesReadBackEqualToWhatWasWritten() throws IOException {
    Path f = dir.resolve("results.jsonl.gz");
    try (ResultsFile out = ResultsFile.create(f)) {
      out.write(full());
      out.write(sparse());
    }
    assertThat(read(f)).containsExactly(full(), sparse());
    List<ResultLine> recovered = new ArrayList<>();
    assertThat(ResultsFile.readRecovering(f, recovered::add)).isNull();
    assertThat(recovered).containsExactly(full(), sparse());
  }

  @Test
  void repeatedEndpointsAndMethodsAreWrittenAsAnyValueIs() throws IOException {
    Path f = dir.resolve("results.jsonl.gz");
    List<ResultLine> lines = new ArrayList<>();
    for (String odd :
        new String[] {"GET /\"q\"\\", "P\u0001\u001fST /\u00e9\ud83d\ude00", "GET /a"}) {
      for (int i = 0; i < 2; i++) { // the second time, from the encoded values kept
        lines.add(
            new ResultLine(
                "id-" + i,
                odd,
                odd.substring(0, 4),
                "/t\n",
                Verdict.values()[i],
                200,
                null,
                200,
                1L,
                null,
                2L,
                null,
                List.of(),
                Set.of(),
                false,
                false,
                List.of()));
      }
    }
    try (ResultsFile out = ResultsFile.create(f)) {
      for (ResultLine l : lines) {
        out.write(l);
      }
    }
    assertThat(read(f)).containsExactlyElementsOf(lines);
    String text;
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(f))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(text)
        .contains("\"endpoint\":\"GET /\\\"q\\\"\\\\\"")
        .contains("\"endpoint\":\"P\\u0001\\u001FST /\u00e9\ud83d\ude00\"");
  }

  Path gz(String text) throws IOException {
    Path f = dir.resolve("hand.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return f;
  }

  @Test
  void fieldsOfLaterVersionsAreSkippedAndNullsRead() throws IOException {
    Path f =
        gz(
            "{\"future\":{\"a\":[1,{\"b\":null}]},\"id\":\"x\",\"endpoint\":\"GET /a\",\"verdict\":\"MATCH\","
                + "\"candidateStatus\":\"200\",\"error\":null,\"differences\":[{\"path\":\"$.a\","
                + "\"field\":\"$.a\",\"type\":\"VALUE\",\"noise\":false,\"new\":[1]}],\"more\":7}\n\n");
    ResultLine l = read(f).get(0);
    assertThat(l.id()).isEqualTo("x");
    assertThat(l.method()).isEmpty();
    assertThat(l.candidateStatus()).isEqualTo(200);
    assertThat(l.error()).isNull();
    assertThat(l.differences())
        .containsExactly(new Difference("$.a", "$.a", DifferenceType.VALUE, null, null, null));
  }

  @Test
  void aBadLineIsAnErrorNamingFileAndLine() throws IOException {
    Path missing =
        gz(
            "{\"id\":\"x\",\"endpoint\":\"GET /a\",\"verdict\":\"MATCH\"}\n{\"id\":\"y\",\"verdict\":\"MATCH\"}\n");
    assertThatThrownBy(() -> read(missing))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining(":2:")
        .hasMessageContaining("bad result line: missing endpoint");
    Path badVerdict = gz("{\"id\":\"x\",\"endpoint\":\"GET /a\",\"verdict\":\"SAME\"}\n");
    assertThatThrownBy(() -> read(badVerdict)).hasMessageContaining("bad result line");
    Path notJson = gz("{\"id\":\"x\",\n");
    assertThatThrownBy(() -> read(notJson)).hasMessageContaining(":1:");
  }

  @Test
  void aNumberedReadTellsEachLinesNumberInTheFileUpToACut() throws IOException {
    String line = "{\"id\":\"%s\",\"endpoint\":\"GET /a\",\"verdict\":\"MATCH\"}\n";
    Path f = gz(line.formatted("a") + "\n" + line.formatted("b") + line.formatted("c"));
    byte[] whole = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(whole, whole.length - 8)); // the gzip trailer: cut
    List<String> seen = new ArrayList<>();
    String cut = ResultsFile.readRecoveringNumbered(f, (l, n) -> seen.add(l.id() + "@" + n));
    assertThat(seen).containsExactly("a@1", "b@3", "c@4");
    assertThat(cut).isEqualTo(f + ": cut off after line 4 (a crash); the lines before are read");
  }
}
