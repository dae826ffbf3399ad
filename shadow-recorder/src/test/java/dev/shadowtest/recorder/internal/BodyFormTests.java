package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import org.junit.jupiter.api.Test;

/** How a recorded body is written: text unless its JSON escapes would outgrow base64. */
class BodyFormTests {

  @Test
  void ordinaryTextStaysText() {
    Body b = Body.text("{\"name\":\"Ren\u00e9\",\n\"note\":\"a \\\"quoted\\\" word\"}\n");
    assertThat(BodyForm.compact(b)).isSameAs(b);
  }

  @Test
  void textOfControlCharactersIsWrittenAsBase64WithTheSameBytesAndFlags() {
    Body zeros = new Body.Text("\u0000".repeat(1000), true, 5000);
    Body b = BodyForm.compact(zeros);
    assertThat(b).isInstanceOf(Body.Binary.class);
    assertThat(b.bytes()).isEqualTo(zeros.bytes());
    assertThat(b.truncated()).isTrue();
    assertThat(b.size()).isEqualTo(5000);
  }

  @Test
  void binaryAndAbsentBodiesAreLeftAlone() {
    Body bin = Body.binary(new byte[] {0, 1, 2});
    assertThat(BodyForm.compact(bin)).isSameAs(bin);
    assertThat(BodyForm.compact(Body.none())).isSameAs(Body.none());
  }
}
