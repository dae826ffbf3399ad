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
import dev.shadowtest.testing.LoopbackServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version-2 recording's texts keep their bytes, and the candidate's answer is compared with them
 * as it streams in (Sender): judged exactly as the same exchanges in version 1, whose texts are
 * compared the usual way, whatever the answer (the same bytes at once or in pieces, with a length
 * or chunked; a byte changed anywhere; a prefix; longer; empty; another kind of body).
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

  /** Exchange {@code e<i>}: a GET of {@code /doc/<i>} answered 200 with the JSON text {@code body}. */
  static Exchange jsonGet(int i, String body) {
    return new Exchange(
        "e" + i,
        null,
        null,
        new HttpRequest("GET", "/doc/" + i, "HTTP/1.1", Headers.empty(), Body.none()),
        new HttpResponse(
            200, "OK", Headers.of("Content-Type", "application/json"), Body.text(body)),
        null,
        Map.of());
  }

  /** {@code exchanges} written to {@code dir/v<version>.jsonl.gz}, in that recording version. */
  static Path recording(Path dir, int version, List<Exchange> exchanges) {
    Path rec = dir.resolve("v" + version + ".jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(
            rec, RecordingHeader.now("test", Redaction.none()).withVersion(version))) {
      exchanges.forEach(w::write);
    }
    return rec;
  }

  @Test
  void aVersionTwoReplayJudgesEveryAnswerExactlyAsVersionOne() throws Exception {
    List<Exchange> exchanges = new ArrayList<>();
    for (int i = 0; i < EXCHANGES; i++) {
      exchanges.add(jsonGet(i, recorded(i)));
    }
    try (LoopbackServer candidate =
        LoopbackServer.start(
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
            })) {
      Map<String, String> judged = new TreeMap<>();
      for (int version = 1; version <= 2; version++) {
        Path rec = recording(dir, version, exchanges);
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
