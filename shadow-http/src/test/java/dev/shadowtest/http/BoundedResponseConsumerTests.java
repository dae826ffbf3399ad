package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.junit.jupiter.api.Test;

class BoundedResponseConsumerTests {

  private static BoundedResponseConsumer.Received consume(
      int limit, String contentLength, byte[] body, int[] pieces) {
    return consume(new BoundedResponseConsumer(limit), contentLength, body, pieces);
  }

  private static BoundedResponseConsumer.Received consume(
      BoundedResponseConsumer c, String contentLength, byte[] body, int[] pieces) {
    BasicHttpResponse head = new BasicHttpResponse(200);
    if (contentLength != null) {
      head.addHeader("Content-Length", contentLength);
    }
    c.start(head);
    int at = 0;
    for (int i = 0; at < body.length; i++) {
      int n = Math.min(pieces[i % pieces.length], body.length - at);
      c.data(ByteBuffer.wrap(body, at, n), at + n == body.length);
      at += n;
    }
    return c.buildResult();
  }

  private static byte[] body(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void keepsEveryBodyWhole_orItsFirstLimitBytes_however_itArrivesAndWhateverItAnnounces() {
    Random random = new Random(3);
    String[] announced = {null, "exact", "more", "less", "huge", "junk", "-5"};
    for (int round = 0; round < 2_000; round++) {
      byte[] b = body(random.nextInt(5_000));
      int limit = random.nextInt(3) == 0 ? random.nextInt(6_000) : 1 << 20;
      int[] pieces = {1 + random.nextInt(2_000), 1 + random.nextInt(50), 1 + random.nextInt(9_000)};
      String kind = announced[random.nextInt(announced.length)];
      String header =
          switch (kind == null ? "none" : kind) {
            case "none" -> null;
            case "exact" -> Integer.toString(b.length);
            case "more" -> Integer.toString(b.length + 100);
            case "less" -> Integer.toString(Math.max(0, b.length - 100));
            case "huge" -> "4000000000";
            case "junk" -> "twelve";
            default -> kind;
          };
      BoundedResponseConsumer.Received r = consume(limit, header, b, pieces);
      if (b.length == 0) {
        assertThat(r.kept()).isNull();
        continue;
      }
      assertThat(r.kept())
          .as("round %d: %d bytes, limit %d, Content-Length %s", round, b.length, limit, header)
          .isEqualTo(Arrays.copyOf(b, Math.min(b.length, limit)));
      assertThat(r.size()).isEqualTo(b.length);
      assertThat(r.cut()).isEqualTo(b.length > limit);
    }
  }

  /**
   * An answer compared with the expected body as it comes: the same bytes, however they arrive,
   * are said to be the expected body and nothing is kept; any other answer (differing at any byte,
   * a prefix of it, longer, empty) is kept exactly as without an expected body.
   */
  @Test
  void anAnswerThatIsTheExpectedBodyKeepsNothing_anyOtherIsKeptAsItCame() {
    Random random = new Random(7);
    int same = 0;
    for (int round = 0; round < 3_000; round++) {
      byte[] expected = body(1 + random.nextInt(5_000));
      byte[] b =
          switch (random.nextInt(6)) {
            case 0, 1 -> expected.clone();
            case 2 -> { // one byte differs, anywhere
              byte[] x = expected.clone();
              x[random.nextInt(x.length)] ^= (byte) (1 + random.nextInt(255));
              yield x;
            }
            case 3 -> Arrays.copyOf(expected, random.nextInt(expected.length)); // a prefix
            case 4 -> { // longer
              byte[] x = Arrays.copyOf(expected, expected.length + 1 + random.nextInt(100));
              x[x.length - 1] = 1;
              yield x;
            }
            default -> body(random.nextInt(3_000)); // another body
          };
      int limit = random.nextInt(4) == 0 ? random.nextInt(6_000) : 1 << 20;
      int[] pieces = {1 + random.nextInt(2_000), 1 + random.nextInt(50), 1 + random.nextInt(9_000)};
      String header = random.nextBoolean() ? Integer.toString(b.length) : null;
      // the expected body as Body.Text#utf8 gives it: a read-only view
      ByteBuffer view = ByteBuffer.wrap(expected).asReadOnlyBuffer();
      BoundedResponseConsumer.Received r =
          consume(new BoundedResponseConsumer(limit, view), header, b, pieces);
      BoundedResponseConsumer.Received plain = consume(limit, header, b, pieces);
      String what =
          String.format(
              "round %d: %d bytes against %d expected, limit %d",
              round, b.length, expected.length, limit);
      boolean equal = Arrays.equals(b, expected) && expected.length <= limit;
      assertThat(r.expected()).as(what).isEqualTo(equal);
      assertThat(r.size()).as(what).isEqualTo(b.length);
      if (equal) {
        same++;
        assertThat(r.kept()).as(what).isNull();
      } else {
        assertThat(r.kept()).as(what).isEqualTo(plain.kept());
        assertThat(r.cut()).as(what).isEqualTo(plain.cut());
      }
      assertThat(view.position()).as("the expected body's view is not moved").isZero();
    }
    assertThat(same).isGreaterThan(500);
  }

  @Test
  void anAnnouncedLengthSetsAsideOneArrayOfThatSize_butNeverMoreThanAMebibyteBeforeTheBytesCome() {
    BoundedResponseConsumer exact = new BoundedResponseConsumer(10 << 20);
    BasicHttpResponse head = new BasicHttpResponse(200);
    head.addHeader("Content-Length", "20499");
    exact.start(head);
    exact.data(ByteBuffer.wrap(body(4_000)), false);
    assertThat(exact.reserved()).isEqualTo(20_499);

    // a candidate announcing 4 GB and sending 10 bytes does not make the replay hold its limit
    BoundedResponseConsumer liar = new BoundedResponseConsumer(Integer.MAX_VALUE - 16);
    BasicHttpResponse lie = new BasicHttpResponse(200);
    lie.addHeader("Content-Length", "4000000000");
    liar.start(lie);
    liar.data(ByteBuffer.wrap(body(10)), true);
    assertThat(liar.reserved()).isEqualTo(BoundedResponseConsumer.MAX_PRESIZED);
    assertThat(liar.buildResult().kept()).hasSize(10);
  }
}
