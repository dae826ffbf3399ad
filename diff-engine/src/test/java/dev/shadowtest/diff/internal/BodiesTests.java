package dev.shadowtest.diff.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.ResponseDiff;
import dev.shadowtest.diff.Rules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class BodiesTests {

  static final String JSON = "{\"a\":1,\"b\":\"two\",\"c\":[1,2,3]}";

  final DiffEngine strict = DiffEngine.of(Rules.defaults());

  /** The codings differ on purpose: only the bodies are compared. */
  final EndpointRule bodiesOnly = EndpointRule.builtIn().withIgnoredHeader("Content-Encoding");

  static HttpResponse json(byte[] body, String... headers) {
    return new HttpResponse(
        200,
        "",
        Headers.of(headers).withFirst("Content-Type", "application/json"),
        Body.binary(body));
  }

  static byte[] br(String s) {
    return BrotliStreams.encode(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void brBodyEqualsTheSameJsonUncompressed() {
    ResponseDiff d =
        strict.compare(
            json(br(JSON), "Content-Encoding", "br"),
            json(utf8("{\"c\":[1,2,3],\"b\":\"two\",\"a\":1}")),
            bodiesOnly);
    assertThat(d.differences()).isEmpty();
    assertThat(d.notes()).noneSatisfy(n -> assertThat(n).contains("decode"));
  }

  @Test
  void brBodyEqualsTheSameJsonGzipped() throws IOException {
    ResponseDiff d =
        strict.compare(
            json(br(JSON), "Content-Encoding", "br"),
            json(gzip(JSON), "Content-Encoding", "gzip"),
            bodiesOnly);
    assertThat(d.differences()).isEmpty();
    assertThat(d.notes()).noneSatisfy(n -> assertThat(n).contains("decode"));
  }

  @Test
  void brIsRecognisedInAnyCaseAndWithSurroundingSpaces() {
    ResponseDiff d =
        strict.compare(json(br(JSON), "Content-Encoding", " BR "), json(utf8(JSON)), bodiesOnly);
    assertThat(d.differences()).isEmpty();
    assertThat(d.notes()).noneSatisfy(n -> assertThat(n).contains("decode"));
  }

  @Test
  void oneDifferentFieldInABrBodyIsThatFieldsDifferenceOnly() {
    ResponseDiff d =
        strict.compare(
            json(utf8(JSON)),
            json(br(JSON.replace("\"two\"", "\"three\"")), "Content-Encoding", "br"),
            bodiesOnly);
    assertThat(d.differences())
        .containsExactly(
            new Difference("$.b", "$.b", DifferenceType.VALUE, "\"two\"", "\"three\""));
  }

  @Test
  void invalidBrBytesAreComparedAsBytesWithANote() {
    byte[] notBrotli = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};
    ResponseDiff d =
        strict.compare(json(notBrotli, "Content-Encoding", "br"), json(utf8(JSON)), bodiesOnly);
    assertThat(d.notes())
        .anySatisfy(
            n ->
                assertThat(n)
                    .startsWith("expected body says Content-Encoding br but does not decode (")
                    .endsWith("): compared as bytes"));
    assertThat(d.differences())
        .singleElement()
        .extracting(Difference::type)
        .isEqualTo(DifferenceType.BODY);
  }

  @Test
  void aListOfCodingsIsStillComparedAsBytes() {
    // one coding at a time, like gzip: a list ("gzip, br") is not undone step by step
    ResponseDiff d =
        strict.compare(
            json(br(JSON), "Content-Encoding", "gzip, br"),
            json(br(JSON), "Content-Encoding", "gzip, br"),
            EndpointRule.builtIn());
    assertThat(d.differences()).isEmpty();
    assertThat(d.notes())
        .contains(
            "expected body has Content-Encoding gzip, br, which Shadow cannot decode: compared as bytes");
  }

  @Test
  void brBodyDecodingPastTheLimitIsLeftAsItIsAndSaysSo() {
    int limit = 1 << 20;
    byte[] tooLarge = BrotliStreams.encode(new byte[limit + 1]);
    List<String> notes = new ArrayList<>();
    byte[] kept =
        Bodies.decode(tooLarge, Headers.of("Content-Encoding", "br"), "actual", notes, limit);
    assertThat(kept).isSameAs(tooLarge);
    assertThat(notes).containsExactly("actual body decodes to more than 1 MiB: compared as bytes");

    byte[] justFits = BrotliStreams.encode(new byte[limit]);
    notes.clear();
    assertThat(
            Bodies.decode(justFits, Headers.of("Content-Encoding", "br"), "actual", notes, limit))
        .hasSize(limit);
    assertThat(notes).isEmpty();
  }

  @Test
  void theLimitIsNamedInBytesWhenItIsNotWholeMebibytes() {
    List<String> notes = new ArrayList<>();
    Bodies.decode(br(JSON), Headers.of("Content-Encoding", "br"), "expected", notes, 10);
    assertThat(notes)
        .containsExactly("expected body decodes to more than 10 bytes: compared as bytes");
  }

  private static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static HttpResponse text(String body, String... headers) {
    return new HttpResponse(
        200, "", Headers.of(headers).withFirst("Content-Type", "application/json"), body(body));
  }

  static Body body(String s) {
    return new Body.Text(s, false, -1);
  }

  @Test
  void theSameTextIsAMatchWithoutNotes_butAnEncodingThatDoesNotDecodeIsStillNoted() {
    ResponseDiff same = strict.compare(text(JSON), text(new String(JSON)), bodiesOnly);
    assertThat(same.differences()).isEmpty();
    assertThat(same.notes()).isEmpty();

    // the same text, said to be gzip on both sides: compared as bytes, with the notes saying so
    ResponseDiff encoded =
        strict.compare(
            text(JSON, "Content-Encoding", "gzip"),
            text(JSON, "Content-Encoding", " GZIP "),
            bodiesOnly);
    assertThat(encoded.differences()).isEmpty();
    assertThat(encoded.notes())
        .anySatisfy(n -> assertThat(n).startsWith("expected body says Content-Encoding gzip"))
        .anySatisfy(n -> assertThat(n).startsWith("actual body says Content-Encoding gzip"));

    ResponseDiff identity =
        strict.compare(text(JSON, "Content-Encoding", "Identity"), text(JSON), bodiesOnly);
    assertThat(identity.differences()).isEmpty();
    assertThat(identity.notes()).isEmpty();

    // the same prefix of bodies cut at capture: a match on what is known, said in a note
    ResponseDiff cut =
        strict.compare(
            new HttpResponse(200, "", Headers.empty(), new Body.Text("abc", true, 10)),
            new HttpResponse(200, "", Headers.empty(), new Body.Text("abc", true, 10)),
            bodiesOnly);
    assertThat(cut.differences()).isEmpty();
    assertThat(cut.notes()).anySatisfy(n -> assertThat(n).startsWith("body truncated at capture"));

    // a cut recording of a body the candidate sends whole: not a match, though the texts agree
    for (boolean cutExpected : new boolean[] {true, false}) {
      ResponseDiff oneCut =
          strict.compare(
              new HttpResponse(200, "", Headers.empty(), new Body.Text("abc", cutExpected, 10)),
              new HttpResponse(200, "", Headers.empty(), new Body.Text("abc", !cutExpected, 10)),
              bodiesOnly);
      assertThat(oneCut.differences()).isNotEmpty();
    }

    ResponseDiff other = strict.compare(text(JSON), text(JSON.replace("two", "three")), bodiesOnly);
    assertThat(other.differences()).isNotEmpty();
  }
}
