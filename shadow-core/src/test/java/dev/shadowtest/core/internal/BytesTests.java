package dev.shadowtest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTests {

  @Test
  void findsWhatAByteByByteSearchFinds() {
    // bytes near the boundaries the word tricks depend on: 0x00, 0x01, the targets, their
    // neighbours, 0x1f/0x20, 0x7f/0x80 and 0xff
    byte[] alphabet = {
      0,
      1,
      '\n',
      9,
      11,
      '"',
      '!',
      '#',
      '\\',
      '[',
      ']',
      0x1f,
      ' ',
      'a',
      0x7f,
      (byte) 0x80,
      (byte) 0xc3,
      (byte) 0xff
    };
    Random random = new Random(3);
    for (int round = 0; round < 50_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        // mostly plain letters, as in real lines, so that hits come late in some words
        b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) 'x';
      }
      int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
      int to = from + random.nextInt(b.length - from + 1);
      assertThat(Bytes.indexOfNewline(b, from, to)).isEqualTo(naiveNewline(b, from, to));
      assertThat(Bytes.indexOfJsonSpecial(b, from, to)).isEqualTo(naiveSpecial(b, from, to));
    }
  }

  private static int naiveNewline(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int naiveSpecial(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      int c = b[i] & 0xff;
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
        return i;
      }
    }
    return to;
  }
}
