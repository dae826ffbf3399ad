package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.http.Sender;
import dev.shadowtest.testing.LoopbackServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The candidate's answer is compared with the recorded text's bytes as it streams in (Sender): a
 * version-2 recording's texts keep the bytes they were read from, a version-1 recording's are
 * encoded by the replay's reading thread ({@code Body.Text.withUtf8}). Whatever the answer (the same
 * bytes at once or in pieces, with a length or chunked; a byte changed anywhere; a prefix; longer;
 * empty; another kind of body), the answer is the one the usual way makes (no expected body), and
 * both versions are judged alike.
 */
class StreamingCompareTests {

  @TempDir Path dir;

  static final int EXCHANGES = 240;

  /** The recorded body of exchange {@code i}: JSON-like text, ASCII or not, 0 to 90 KB. */
  static String recorded(int i) {
    Random random = new Random(i);
    int n =
        switch (i % 5) {
          case 0 -> random.nextInt(40);
          case 1, 2 -> random.nextInt(3_000);
          default -> random.nextInt(90_000);
        };
    StringBuilder b = new StringBuilder("{\"id\":").append(i).append(",\"text\":\"");
    String alphabet =
        i % 3 == 0 ? "abcxyz 0123456789 \u00e9\u20ac\ud83d\ude00" : "abcxyz 0123456789";
    while (b.length() < n) {
      int k = random.nextInt(alphabet.length());
      char c = alphabet.charAt(k);
      b.append(Character.isHighSurrogate(c) ? alphabet.substring(k, k + 2) : c);
      if (Character.isLowSurrogate(c)) {
        b.setLength(b.length() - 1);
      }
    }
    return b.append("\"}").toString();
  }

  /** What the candidate answers for exchange {@code i}. */
  static byte[] answer(int i) {
    byte[] same = recorded(i).getBytes(StandardCharsets.UTF_8);
    Random random = new Random(-i);
    return switch (i % 8) {
      case 0, 1, 2 -> same;
      case 3 -> { // one byte changed, anywhere
        byte[] x = same.clone();
        int at = random.nextInt(x.length);
        x[at] = (byte) (x[at] == 'q' ? 'r' : 'q');
        yield x;
      }
      case 4 -> Arrays.copyOf(same, random.nextInt(same.length)); // a prefix
      case 5 -> (recorded(i).replace("\"}", "\",\"more\":1}")).getBytes(StandardCharsets.UTF_8);
      case 6 -> new byte[0];
      default -> new byte[] {'{', (byte) 0xff, '}'}; // not even UTF-8
    };
  }

  /** The candidate of these tests: {@link #answer} for {@code /doc/i}, in pieces. */
  static LoopbackServer candidate() throws Exception {
    return LoopbackServer.start(
        8,
        ex -> {
          int i = Integer.parseInt(ex.getRequestURI().getPath().substring("/doc/".length()));
          byte[] body = answer(i);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          boolean chunked = i % 16 >= 8; // and the same bodies with a Content-Length
          ex.sendResponseHeaders(200, chunked ? 0 : body.length == 0 ? -1 : body.length);
          try (OutputStream out = ex.getResponseBody()) {
            // in pieces, flushed: the answer arrives in several reads
            for (int at = 0; at < body.length; at += 7_000) {
              out.write(body, at, Math.min(7_000, body.length - at));
              out.flush();
            }
          }
        });
  }

  /**
   * With a recorded text's bytes as the expected body (as a version-1 replay gives them), every
   * answer is the one the sender makes without an expected body: the same status and body (the
   * recorded text itself when it is those bytes), whatever the answer.
   */
  @Test
  void anAnswerComparedAsItStreamsInIsTheAnswerMadeWithoutAnExpectedBody() throws Exception {
    try (LoopbackServer candidate = candidate();
        Sender sender =
            new Sender(4, Duration.ofSeconds(10), Duration.ofSeconds(10), Headers.empty(), false)) {
      int same = 0;
      for (int i = 0; i < EXCHANGES; i++) {
        HttpRequest request = HttpRequest.of("GET", "/doc/" + i);
        Body.Text expected = new Body.Text(recorded(i), false, -1).withUtf8();
        assertThat(expected.utf8()).isPresent();
        Sender.Attempt usual = sender.send(candidate.uri(), request).get();
        Sender.Attempt streamed = sender.send(candidate.uri(), request, expected).get();
        assertThat(usual.ok()).as("exchange %d: %s", i, usual.error()).isTrue();
        assertThat(streamed.ok()).as("exchange %d: %s", i, streamed.error()).isTrue();
        assertThat(streamed.response().status()).isEqualTo(usual.response().status());
        assertThat(streamed.response().body())
            .as("exchange %d", i)
            .isEqualTo(usual.response().body());
        if (i % 8 <= 2) {
          assertThat(streamed.response().body()).as("exchange %d", i).isSameAs(expected);
          same++;
        } else {
          assertThat(streamed.response().body()).as("exchange %d", i).isNotEqualTo(expected);
        }
      }
      assertThat(same).isEqualTo(EXCHANGES * 3 / 8);
    }
  }

  @Test
  void aVersionTwoReplayJudgesEveryAnswerExactlyAsVersionOne() throws Exception {
    List<Exchange> exchanges = new ArrayList<>();
    for (int i = 0; i < EXCHANGES; i++) {
      exchanges.add(
          new Exchange(
              "e" + i,
              null,
              null,
              new HttpRequest("GET", "/doc/" + i, "HTTP/1.1", Headers.empty(), Body.none()),
              new HttpResponse(
                  200,
                  "OK",
                  Headers.of("Content-Type", "application/json"),
                  Body.text(recorded(i))),
              null,
              Map.of()));
    }
    try (LoopbackServer candidate = candidate()) {
      Map<String, String> judged = new TreeMap<>();
      for (int version = 1; version <= 2; version++) {
        Path rec = dir.resolve("v" + version + ".jsonl.gz");
        try (RecordingWriter w =
            RecordingWriter.create(
                rec, RecordingHeader.now("test", Redaction.none()).withVersion(version))) {
          exchanges.forEach(w::write);
        }
        Path out = dir.resolve("out" + version);
        ReplayResult r =
            new Replayer(ReplayConfig.of(List.of(rec), candidate.uri(), out).withConcurrency(8))
                .run(ShadowListener.NONE);
        assertThat(r.internalError()).isNull();
        assertThat(r.incomplete()).as(r.abortReason() + " " + r.warnings()).isFalse();
        List<ResultLine> lines = ReplayerTests.lines(out);
        assertThat(lines).hasSize(EXCHANGES);
        for (ResultLine l : lines) {
          String verdict =
              l.verdict() + " " + l.candidateStatus() + " " + l.differences() + " " + l.notes();
          String before = judged.put("v" + version + " " + l.id(), verdict);
          assertThat(before).isNull();
        }
      }
      int matched = 0;
      for (int i = 0; i < EXCHANGES; i++) {
        String v1 = judged.get("v1 e" + i);
        assertThat(judged.get("v2 e" + i)).as("exchange %d", i).isEqualTo(v1);
        boolean same = i % 8 <= 2;
        assertThat(v1).as("exchange %d", i).startsWith(same ? "MATCH" : "DIFFERENT");
        matched += same ? 1 : 0;
      }
      assertThat(matched).isEqualTo(EXCHANGES * 3 / 8);
    }
  }
}
