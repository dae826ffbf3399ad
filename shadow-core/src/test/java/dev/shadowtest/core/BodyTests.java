package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  /**
   * A text read from its bytes keeps them, and is the same value as the text made from its
   * String: equal, same hash, same size and bytes, whichever way each side was made.
   */
  @Test
  void aTextReadFromItsBytesIsTheSameValueAsTheTextOfItsString() {
    String[] texts = {"", "{\"a\":1}", "caf\u00e9 \u20ac \ud83d\ude00", "x".repeat(20_000)};
    for (String t : texts) {
      byte[] utf8 = t.getBytes(StandardCharsets.UTF_8);
      Body.Text read = Body.Text.fromUtf8(utf8.clone(), false, -1);
      Body.Text asked = Body.Text.fromUtf8(utf8.clone(), false, -1);
      assertThat(asked.text()).isEqualTo(t); // its String made before it is compared
      Body.Text made = new Body.Text(t, false, -1);
      for (Body.Text x : List.of(read, asked)) {
        assertThat(x).isEqualTo(made).hasSameHashCodeAs(made).hasToString(made.toString());
        assertThat(made).isEqualTo(x);
        assertThat(x.text()).isEqualTo(t);
        assertThat(x.size()).isEqualTo(utf8.length);
        assertThat(x.bytes()).isEqualTo(utf8);
        assertThat(x.utf8()).get().isEqualTo(ByteBuffer.wrap(utf8));
        assertThat(x.utf8().get().isReadOnly()).isTrue();
      }
      assertThat(read).isEqualTo(asked);
      assertThat(made.utf8()).isEmpty();
      assertThat(made.bytes()).isEqualTo(utf8);
    }
    // the bytes handed out are copies; the kept ones cannot be changed through them
    Body.Text read = Body.Text.fromUtf8("abc".getBytes(StandardCharsets.UTF_8), false, -1);
    read.bytes()[0] = 'z';
    assertThat(read.text()).isEqualTo("abc");
    // cut texts: equal only with the same original size
    Body.Text cut = Body.Text.fromUtf8("ab".getBytes(StandardCharsets.UTF_8), true, 10);
    assertThat(cut)
        .isEqualTo(new Body.Text("ab", true, 10))
        .isNotEqualTo(new Body.Text("ab", true, 11));
    assertThat(cut).isNotEqualTo(Body.text("ab"));
    assertThat(cut.size()).isEqualTo(10);
    assertThat(Body.Text.fromUtf8(new byte[] {'a'}, false, -1))
        .isNotEqualTo(Body.Text.fromUtf8(new byte[] {'b'}, false, -1));
  }
}
