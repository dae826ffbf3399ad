package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.StoredPair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code responses.jsonl.gz}: what re-judging reads back, in both revisions. */
class ResponsesFileTests {

  @TempDir Path dir;

  static HttpResponse json(String body) {
    return new HttpResponse(
        200, "OK", Headers.of("Content-Type", "application/json"), Body.text(body));
  }

  static StoredPair store(HttpResponse e, HttpResponse a) {
    DiffEngine engine = DiffEngine.of(Rules.defaults());
    EndpointRule rule = Rules.defaults().ruleFor("GET", "/x");
    return engine.store(e, Origin.NONE, a, Origin.NONE, rule, Pseudonyms.random());
  }

  @Test
  void anAnswerEqualToTheBaselineIsStoredOnceAndReadBackWhole() throws IOException {
    String body = "{\"id\":\"a-secret\",\"n\":1}";
    StoredPair same = store(json(body), json(body));
    StoredPair different = store(json(body), json("{\"id\":\"other\",\"n\":1}"));
    assertThat(same.actual().body()).isSameAs(same.expected().body());
    try (ResponsesFile f = ResponsesFile.create(dir, 1 << 20)) {
      f.write(new ResponsesFile.Entry("1", same, null, List.of()).at(0));
      f.write(new ResponsesFile.Entry("2", different, same, List.of()).at(1));
    }
    String text = Files.readString(unzipped());
    assertThat(text).startsWith("{\"shadowResponses\":3}").doesNotContain("a-secret");
    assertThat(text.split("sameAsExpected", -1)).hasSize(3); // the two equal pairs, once each
    try (ResponsesFile.Reader r = ResponsesFile.Reader.open(dir.resolve(ResponsesFile.NAME))) {
      ResponsesFile.Entry first = r.next();
      assertThat(first.candidate().actual().body().bytes())
          .isEqualTo(same.expected().body().bytes());
      assertThat(first.candidate()).isEqualTo(same);
      ResponsesFile.Entry second = r.next();
      assertThat(second.candidate()).isEqualTo(different);
      assertThat(second.noise()).isEqualTo(same);
      assertThat(r.drain().stored()).isEqualTo(2);
    }
  }

  @Test
  void onceTheBudgetIsSpentNothingMoreIsKeptOrPrepared() throws IOException {
    StoredPair small = store(json("{\"a\":\"x\"}"), json("{\"a\":\"y\"}"));
    StringBuilder big = new StringBuilder("[");
    for (int i = 0; i < 200; i++) {
      big.append("\"v").append(i).append("\",");
    }
    StoredPair large = store(json(big + "0]"), json("[]"));
    ResponsesFile f = ResponsesFile.create(dir, 2_000);
    ResultsFile results = ResultsFile.create(dir.resolve("results.jsonl.gz"));
    RunWriter writer = new RunWriter(results, f, new RunAggregate());
    assertThat(f.write(new ResponsesFile.Entry("1", small, null, List.of()).at(0))).isTrue();
    assertThat(writer.keepsResponses()).isTrue();
    assertThat(f.write(new ResponsesFile.Entry("2", large, null, List.of()).at(1))).isFalse();
    assertThat(f.full()).isTrue();
    assertThat(writer.keepsResponses()).isFalse(); // the judge stops pseudonymising
    // a small entry would fit, but the run can no longer be re-judged: left out too
    assertThat(f.write(new ResponsesFile.Entry("3", small, null, List.of()).at(2))).isFalse();
    f.close();
    results.close();
    try (ResponsesFile.Reader r = ResponsesFile.Reader.open(dir.resolve(ResponsesFile.NAME))) {
      ResponsesFile.End end = r.drain();
      assertThat(end.stored()).isEqualTo(1);
      assertThat(end.leftOut()).isEqualTo(2);
      assertThat(end.failed()).isZero();
    }
  }

  @Test
  void jsonBodiesAreWrittenAsJsonAndReadBackAsTheyWereWritten() throws IOException {
    // numbers as written, escapes, a name with escapes (the parser's path), a field
    // named json inside the body, scalar documents, nesting deeper than Jackson's default limit,
    // documents after a byte-order mark
    String[] bodies = {
      "{\"price\":1.50,\"big\":123456789012345678901234567890,\"neg\":-0,\"e\":2E+3,"
          + "\"json\":{\"json\":\"x\"},\"s\":\"line\\nbreak \\\"q\\\" é\",\"n\":\"\\u0031\"}",
      "{\"\\u00e9\\\"\":\"escaped name\",\"t\":[true,false,null]}",
      "42",
      "\"a string\"",
      "[" + "[".repeat(1500) + "1" + "]".repeat(1500) + "]",
      // a byte-order mark, which the comparison's parser skips: no JSON line may hold one
      "\uFEFF{\"bom\":[1,\"x\"]}",
      "\uFEFF 7",
    };
    StoredPair[] same = new StoredPair[bodies.length];
    StoredPair[] different = new StoredPair[bodies.length];
    try (ResponsesFile f = ResponsesFile.create(dir, 1 << 24)) {
      for (int i = 0; i < bodies.length; i++) {
        same[i] = store(json(bodies[i]), json(bodies[i]));
        different[i] = store(json(bodies[i]), json("{\"other\":[1]}"));
        assertThat(same[i].kind()).as(bodies[i]).isEqualTo("json");
        f.write(new ResponsesFile.Entry("e" + i, different[i], same[i], List.of()).at(i));
      }
    }
    String text = Files.readString(unzipped());
    assertThat(text)
        .startsWith("{\"shadowResponses\":3}")
        .contains("\"body\":{\"json\":{\"price\":1.50,")
        .doesNotContain("\"text\":");
    try (ResponsesFile.Reader r = ResponsesFile.Reader.open(dir.resolve(ResponsesFile.NAME))) {
      for (int i = 0; i < bodies.length; i++) {
        ResponsesFile.Entry e = r.next();
        // the stored text comes back as it was written, character for character
        assertThat(e.candidate()).as(bodies[i]).isEqualTo(different[i]);
        assertThat(e.noise()).as(bodies[i]).isEqualTo(same[i]);
        assertThat(e.noise().actual().body()).isSameAs(e.noise().expected().body());
      }
      assertThat(r.drain().stored()).isEqualTo(bodies.length);
    }
  }

  @Test
  void aRevisionOneFileIsStillRead() throws IOException {
    write(
        "{\"shadowResponses\":1}\n"
            + "{\"line\":0,\"id\":\"1\",\"candidate\":{\"kind\":\"text\",\"expected\":"
            + "{\"status\":200,\"headers\":[],\"body\":{\"text\":\"~p:a\"}},\"actual\":"
            + "{\"status\":200,\"headers\":[],\"body\":{\"text\":\"~p:a\"}}}}\n"
            + "{\"end\":true,\"stored\":1,\"leftOut\":0,\"budget\":100,\"failed\":0}\n");
    try (ResponsesFile.Reader r = ResponsesFile.Reader.open(dir.resolve(ResponsesFile.NAME))) {
      ResponsesFile.Entry e = r.next();
      assertThat(e.candidate().actual().body()).isEqualTo(Body.text("~p:a"));
      assertThat(r.drain().stored()).isEqualTo(1);
    }
  }

  @Test
  void aLaterRevisionIsRefusedByName() throws IOException {
    write("{\"shadowResponses\":4}\n");
    assertThatThrownBy(() -> ResponsesFile.Reader.open(dir.resolve(ResponsesFile.NAME)))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining(ResponsesFile.NAME)
        .hasMessageContaining("version 1 to 3");
  }

  private void write(String text) throws IOException {
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve(ResponsesFile.NAME)))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private Path unzipped() throws IOException {
    Path plain = dir.resolve("plain.jsonl");
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(dir.resolve(ResponsesFile.NAME)))) {
      Files.write(plain, in.readAllBytes());
    }
    return plain;
  }
}
