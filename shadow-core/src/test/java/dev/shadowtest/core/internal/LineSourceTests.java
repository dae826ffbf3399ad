package dev.shadowtest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineSourceTests {

  static List<String> lines(LineSource s) throws IOException {
    List<String> out = new ArrayList<>();
    while (s.next()) {
      out.add(
          (s.lineTooLong() ? "TOO LONG@" : "@")
              + s.lineOffset()
              + " "
              + new String(s.buffer(), s.lineStart(), s.lineLength(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void aLineOverTheLimitIsCutToItsPrefixAndTheRestSkipped() throws IOException {
    String text = "short\n" + "y".repeat(100) + "\nafter\n" + "z".repeat(10) + "\n";
    LineSource s =
        new LineSource(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 10);
    assertThat(lines(s))
        .containsExactly("@0 short", "TOO LONG@6 yyyyyyyyyy", "@107 after", "@113 zzzzzzzzzz");
  }

  @Test
  void anEndlessLineIsSkippedInBoundedMemory() throws IOException {
    // 1 GiB of zeros without a newline, then one line: read through a 4 KiB line limit
    long zeros = 1L << 30;
    InputStream endless =
        new InputStream() {
          long left = zeros;
          final byte[] tail = "\nlast\n".getBytes(StandardCharsets.UTF_8);
          int tailPos;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left > 0) {
              int n = (int) Math.min(len, left);
              Arrays.fill(b, off, off + n, (byte) 0);
              left -= n;
              return n;
            }
            if (tailPos == tail.length) {
              return -1;
            }
            int n = Math.min(len, tail.length - tailPos);
            System.arraycopy(tail, tailPos, b, off, n);
            tailPos += n;
            return n;
          }
        };
    LineSource s = new LineSource(endless, 4096);
    assertThat(s.next()).isTrue();
    assertThat(s.lineTooLong()).isTrue();
    assertThat(s.buffer().length).isLessThanOrEqualTo(4097);
    assertThat(s.next()).isTrue();
    assertThat(new String(s.buffer(), s.lineStart(), s.lineLength(), StandardCharsets.UTF_8))
        .isEqualTo("last");
    assertThat(s.lineOffset()).isEqualTo(zeros + 1);
    assertThat(s.buffer().length).isLessThanOrEqualTo(4097);
    assertThat(s.next()).isFalse();
  }

  @Test
  void aLineOfExactlyTheLimitIsWhole() throws IOException {
    LineSource s =
        new LineSource(new ByteArrayInputStream("abcd\nabcde".getBytes(StandardCharsets.UTF_8)), 4);
    assertThat(lines(s)).containsExactly("@0 abcd", "TOO LONG@5 abcd");
  }

  @Test
  void theWordAtATimeSearchFindsTheFirstNewlineLikeAByteLoop() {
    // every position and range, bytes chosen to stress the borrow of the zero-byte test: '\n'
    // (0x0a) next to 0x0b, 0x09, 0x00, 0x80, 0x8a and 0xff, and buffers without any '\n'
    byte[] pool = {'\n', 0x0b, 0x09, 0x00, (byte) 0x80, (byte) 0x8a, (byte) 0xff, 'a', 0x01};
    Random random = new Random(7);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      int newlines = random.nextInt(3);
      for (int i = 0; i < b.length; i++) {
        b[i] = pool[random.nextInt(pool.length)];
        if (newlines == 0 && b[i] == '\n') {
          b[i] = 0x0b;
        }
      }
      int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
      int to = from + random.nextInt(b.length - from + 1);
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (b[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertThat(LineSource.indexOfNewline(b, from, to))
          .as("%s [%d, %d)", Arrays.toString(b), from, to)
          .isEqualTo(expected);
    }
  }

  @Test
  void theWordAtATimeAsciiTestsSayWhatALoopSays() {
    Random random = new Random(23);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        int k = random.nextInt(30);
        b[i] =
            (byte)
                (k == 0
                    ? 0x80 | random.nextInt(128)
                    : k == 1 ? '\\' : k == 2 ? 0x5b + 2 * random.nextInt(2) : 'a' + k);
      }
      int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
      int to = from + random.nextInt(b.length - from + 1);
      boolean ascii = true;
      for (int i = from; i < to; i++) {
        ascii &= b[i] >= 0;
      }
      assertThat(LineSource.isAscii(b, from, to)).as("round %d", round).isEqualTo(ascii);
      boolean plain = ascii;
      for (int i = from; i < to; i++) {
        plain &= b[i] != '\\';
      }
      assertThat(LineSource.plainAscii(b, from, to, (byte) '\\'))
          .as("round %d", round)
          .isEqualTo(plain);
    }
  }

  @Test
  void randomLinesReadInRandomPiecesComeBackWhole() throws IOException {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      StringBuilder text = new StringBuilder();
      List<String> expected = new ArrayList<>();
      long offset = 0;
      int count = random.nextInt(20);
      for (int i = 0; i < count; i++) {
        String line = "x".repeat(random.nextInt(70)) + (char) ('a' + random.nextInt(26));
        expected.add("@" + offset + " " + line);
        text.append(line).append('\n');
        offset += line.length() + 1;
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      InputStream trickle =
          new InputStream() {
            int at;

            @Override
            public int read() {
              return at < bytes.length ? bytes[at++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
              if (at == bytes.length) {
                return -1;
              }
              int n = Math.min(len, 1 + random.nextInt(13));
              n = Math.min(n, bytes.length - at);
              System.arraycopy(bytes, at, b, off, n);
              at += n;
              return n;
            }
          };
      assertThat(lines(new LineSource(trickle, 100))).containsExactlyElementsOf(expected);
    }
  }
}
