package dev.shadowtest.diff.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.diff.Brotli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.brotli.dec.BrotliInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrotliTests {

  static byte[] data(int length) {
    byte[] b = new byte[length];
    new Random(length).nextBytes(b);
    return b;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, BrotliStreams.MAX_BLOCK, BrotliStreams.MAX_BLOCK + 1, 70_000})
  void brotliStreamsRoundTripThroughTheReferenceDecoder(int length) throws IOException {
    byte[] data = data(length);
    try (InputStream in =
        new BrotliInputStream(new ByteArrayInputStream(BrotliStreams.encode(data)))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void brotliStreamsOfNothingIsTheShortestStream() {
    // WBITS 0, ISLAST 1, ISLASTEMPTY 1: three bits in one byte
    assertThat(BrotliStreams.encode(new byte[0])).containsExactly(0b110);
  }

  @Test
  void brIsSupportedInAnyCaseAndWithSurroundingSpaces() {
    assertThat(Brotli.supported("br")).isTrue();
    assertThat(Brotli.supported(" BR ")).isTrue();
    assertThat(Brotli.supported("Br")).isTrue();
    assertThat(Brotli.supported("gzip")).isFalse();
    assertThat(Brotli.supported("gzip, br")).isFalse();
    assertThat(Brotli.supported("brotli")).isFalse();
  }

  @Test
  void decodesTheWholeStreamWhenItFits() throws IOException {
    byte[] data = data(70_000);
    assertThat(Brotli.decode(BrotliStreams.encode(data), 70_001)).isEqualTo(data);
  }

  @Test
  void decodesNoMoreThanAskedFor() throws IOException {
    byte[] data = data(200_000);
    assertThat(Brotli.decode(BrotliStreams.encode(data), 1000))
        .isEqualTo(Arrays.copyOf(data, 1000));
  }

  @Test
  void invalidStreamsAreIoExceptionsNamingTheProblem() {
    assertThatThrownBy(
            () ->
                Brotli.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, 100))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Brotli");
    byte[] whole = BrotliStreams.encode(data(1000));
    assertThatThrownBy(() -> Brotli.decode(Arrays.copyOf(whole, 500), 2000))
        .isInstanceOf(IOException.class);
  }

  @Test
  void randomBytesNeverEscapeAsRuntimeExceptions() {
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] garbage = new byte[1 + random.nextInt(64)];
      random.nextBytes(garbage);
      try {
        Brotli.decode(garbage, 1 << 16);
      } catch (IOException expected) {
        // bad input is reported, never thrown as a bug
      }
    }
  }
}
