package dev.shadowtest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
}
