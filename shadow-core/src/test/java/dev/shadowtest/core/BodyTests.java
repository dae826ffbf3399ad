package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyTests {

  @Test
  void textIsExactlyTheStrictUtf8Decoding() {
    byte[][] cases = {
      "plain ascii {\"a\":1}".getBytes(StandardCharsets.UTF_8),
      "caf\u00e9 \u20ac \ud83d\ude00".getBytes(StandardCharsets.UTF_8),
      "a real replacement character \ufffd stays text".getBytes(StandardCharsets.UTF_8),
      {(byte) 0xc3}, // cut in the middle of a character
      {'a', (byte) 0xff, 'b'}, // never valid
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
      {(byte) 0xc0, (byte) 0xaf}, // overlong
      {(byte) 0xef, (byte) 0xbf, (byte) 0xbd, (byte) 0xff}, // U+FFFD, then a bad byte
    };
    for (byte[] bytes : cases) {
      assertSameAsStrict(bytes);
    }
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(12)];
      random.nextBytes(bytes);
      assertSameAsStrict(bytes);
    }
  }

  private static void assertSameAsStrict(byte[] bytes) {
    String strict;
    try {
      strict =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      strict = null;
    }
    Body body = Body.of(bytes, bytes.length);
    if (strict == null) {
      assertThat(body).isInstanceOf(Body.Binary.class);
      assertThat(body.bytes()).isEqualTo(bytes);
    } else {
      assertThat(body).isInstanceOf(Body.Text.class);
      assertThat(((Body.Text) body).text()).isEqualTo(strict);
    }
  }
}
