package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Body texts read from a line's bytes directly (plain ASCII with simple escapes) are exactly what
 * Jackson reads, and whatever is not plain is still read, or refused, as Jackson does.
 */
class PlainBodyTextTests {

  private static final String[] PIECES = {
    "a",
    "Z",
    " ",
    "{",
    "}",
    ":",
    ",",
    "0",
    "\\\"",
    "\\\\",
    "\\/",
    "\\b",
    "\\f",
    "\\n",
    "\\r",
    "\\t",
    "\\u0041",
    "\\u007f",
    "\\u007F",
    "\\u0000",
    "\\u001f",
    "\\u0080",
    "\\u00e9",
    "\\ud83d\\ude00",
    "\\ud800",
    "\u00e9",
    "\u20ac",
    "\ud83d\ude00",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    // refused by Jackson: the error must be the same
    "\\x",
    "\\u00g1",
    "\t",
    "\u0001",
    "\\"
  };

  @Test
  void readsEveryBodyTextAsJacksonDoes() {
    Random random = new Random(9);
    int plain = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder();
      int bad = round % 4 == 0 ? PIECES.length : PIECES.length - 5; // some rounds may be refused
      for (int k = random.nextInt(12); k > 0; k--) {
        text.append(PIECES[random.nextInt(bad)]);
      }
      String line =
          "{\"id\":\"x\",\"request\":{\"method\":\"GET\",\"target\":\"/\"},"
              + "\"response\":{\"status\":200,\"body\":{\"text\":\""
              + text
              + (round % 50 == 1 ? "" : "\"}},\"tags\":{\"k\":\"v\"}}"); // some lines cut off
      byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
      String expected = jacksonOnly(bytes);
      String actual;
      try {
        actual = "ok " + text(RecordingReader.parseExchange(bytes));
      } catch (BadInputException e) {
        actual = "refused " + e.getMessage();
      }
      if (!expected.equals(actual)) {
        // the same text, or the same refusal (the message of the path through the line bytes
        // names the same field and column)
        assertThat(actual).as(line).isEqualTo(expected);
      }
      plain +=
          ExchangeCodec.plainString(
                      new ExchangeCodec.Line(bytes, 0, bytes.length), line.indexOf("\"text\":") + 7)
                  != null
              ? 1
              : 0;
    }
    assertThat(plain).as("lines read through the plain path").isGreaterThan(2_000);
  }

  @Test
  void aPlainTextIsReadWhereverTheLineStartsInItsBuffer() {
    String line =
        "{\"id\":\"x\",\"request\":{\"method\":\"GET\",\"target\":\"/\"},"
            + "\"response\":{\"status\":200,\"body\":{\"text\":\"say \\\"hi\\\"\\n\"}}}";
    byte[] inner = line.getBytes(StandardCharsets.UTF_8);
    byte[] framed = new byte[inner.length + 20];
    java.util.Arrays.fill(framed, (byte) '"');
    System.arraycopy(inner, 0, framed, 7, inner.length);
    assertThat(
            ExchangeCodec.plainString(
                new ExchangeCodec.Line(framed, 7, 7 + inner.length),
                7 + line.indexOf(":\"say") + 1))
        .isEqualTo("say \"hi\"\n");
    assertThat(text(RecordingReader.parseExchange(inner))).isEqualTo("say \"hi\"\n");
  }

  private static String text(Exchange e) {
    return ((Body.Text) e.response().body()).text();
  }

  /** What the codec reads without the line's bytes: Jackson's text, or the refusal. */
  private static String jacksonOnly(byte[] bytes) {
    try (JsonParser p = ExchangeCodec.FACTORY.createParser(bytes)) {
      Exchange e = ExchangeCodec.readExchange(p);
      if (p.nextToken() != null) {
        return "trailing";
      }
      return "ok " + text(e);
    } catch (Exception e) {
      // parseExchange's message for the same problem
      try {
        RecordingReader.parseExchange(bytes);
        return "accepted through the line's bytes although Jackson refused it: " + e;
      } catch (BadInputException b) {
        return "refused " + b.getMessage();
      }
    }
  }
}
