package dev.shadowtest.diff.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.diff.Origin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Addresses are replaced where they stand as addresses, never inside other words or names. */
class OriginNormalizerTests {

  @Test
  void aShortHostIsReplacedOnlyWhereItIsTheHost() {
    OriginNormalizer n = OriginNormalizer.of(Origin.recorded("x"), Origin.NONE);
    assertThat(n.apply("xylophone x.y wax text/html a.x"))
        .isEqualTo("xylophone x.y wax text/html a.x");
    assertThat(n.apply("see http://x/a, \"x\", x:443 and x."))
        .isEqualTo("see {origin}/a, \"{host}\", {host}:443 and {host}.");
    String type = "text/plain";
    assertThat(n.apply(type)).isSameAs(type);
  }

  @Test
  void kubernetesStyleNamesKeepTheWordsThatHoldThem() {
    OriginNormalizer n =
        OriginNormalizer.of(
            Origin.recorded("api"), Origin.of(java.net.URI.create("http://web:8080"), null));
    assertThat(
            new String(
                n.apply(
                    "{\"api\":\"http://api/v1\",\"rapid\":\"webapi\",\"url\":\"http://web:8080/x\",\"port\":\"web:80801\"}"
                        .getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"{host}\":\"{origin}/v1\",\"rapid\":\"webapi\",\"url\":\"{origin}/x\",\"port\":\"web:80801\"}");
  }

  @Test
  void aBodyWithoutTheAddressIsTheSameArray() {
    OriginNormalizer n = OriginNormalizer.of(Origin.recorded("legacy:8080"), Origin.NONE);
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(n.apply(body)).isSameAs(body);
    assertThat(OriginNormalizer.replaceWhole("ab", "b", "{h}")).isEqualTo("ab");
    assertThat(OriginNormalizer.replaceWhole("b", "b", "{h}")).isEqualTo("{h}");
    assertThat(OriginNormalizer.replaceWhole("b b.b", "b", "{h}")).isEqualTo("{h} b.b");
  }
}
