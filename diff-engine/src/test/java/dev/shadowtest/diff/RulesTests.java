package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesTests {

  static final String DESIGN_EXAMPLE =
      """
      version: 1
      defaults:
        ignoreHeaders: [Date, Server, X-Request-Id, Set-Cookie]   # case-insensitive
        ignore: ["$.meta.generatedAt", "$..traceId"]              # JSONPath-like paths
        numericTolerance: 0.0
        treatNullAsAbsent: false
      endpoints:
        - match: "GET /api/products/{id}"        # method + path template; '*' for any method
          ignore: ["$.price.currency"]
          numericTolerance: 0.01                 # absolute; or "0.5%" relative
          maxDiscrepancyRate: 1%                 # per-endpoint gate override (gate, JUnit)
        - match: "GET /api/orders"
          unorderedArrays: ["$.items"]           # compare as multisets
          keyedArrays: {"$.lines": "sku"}        # match elements by key, then compare
        - match: "POST /api/carts"
          skip: true
      """;

  @TempDir Path dir;

  @Test
  void readsTheDesignExampleAndMergesEndpointsOverDefaults() {
    Rules rules = Rules.parse(DESIGN_EXAMPLE, "rules.yaml");
    EndpointRule product = rules.ruleFor("GET", "/api/products/42?x=1");
    assertThat(product.match()).hasToString("GET /api/products/{id}");
    assertThat(product.line()).isEqualTo(8);
    assertThat(product.json().ignore())
        .extracting(JsonPath::toString)
        .containsExactly("$.meta.generatedAt", "$..traceId", "$.price.currency");
    assertThat(product.json().tolerance()).isEqualTo(Tolerance.parse("0.01"));
    assertThat(product.maxDiscrepancyRate()).isEqualTo(0.01);
    assertThat(product.ignoresHeader("x-request-id")).isTrue();
    assertThat(product.ignoresHeader("Content-Length")).isTrue(); // built in
    assertThat(product.ignoresHeader("Content-Type")).isFalse();

    EndpointRule orders = rules.ruleFor("GET", "/api/orders");
    assertThat(orders.json().unorderedArrays())
        .extracting(JsonPath::toString)
        .containsExactly("$.items");
    assertThat(orders.json().keyedArrays()).containsEntry(JsonPath.parse("$.lines"), "sku");
    assertThat(orders.json().tolerance()).isEqualTo(Tolerance.EXACT);

    assertThat(rules.ruleFor("POST", "/api/carts").skip()).isTrue();
    assertThat(rules.ruleFor("GET", "/api/carts").skip()).isFalse();
    assertThat(rules.ruleFor("DELETE", "/other")).isSameAs(rules.defaultRule());
  }

  @Test
  void rulesDriveTheComparison() {
    Rules rules = Rules.parse(DESIGN_EXAMPLE, "rules.yaml");
    JsonOptions product = rules.ruleFor("GET", "/api/products/1").json();
    assertThat(
            JsonDiff.compare(
                "{\"price\":{\"amount\":10.00,\"currency\":\"EUR\"},\"traceId\":1}",
                "{\"price\":{\"amount\":10.01,\"currency\":\"USD\"},\"traceId\":2}",
                product))
        .isEmpty();
  }

  @Test
  void anUnknownKeyNamesFileLineAndKey() {
    assertThatThrownBy(
            () ->
                Rules.parse(
                    DESIGN_EXAMPLE.replace(
                        "    skip: true", "    skip: true\n    ignorePaths: [\"$.x\"]"),
                    "rules.yaml"))
        .isInstanceOf(RulesException.class)
        .hasMessageStartingWith("rules.yaml:17: ignorePaths: unknown key in endpoints[2]");
    assertThatThrownBy(() -> Rules.parse("version: 1\nextras: true\n", "r.yaml"))
        .hasMessage(
            "r.yaml:2: extras: unknown key (expected version, defaults, endpoints, noise, transforms,"
                + " sessions, triggers)");
  }

  @Test
  void aBadPathNamesTheLine() {
    assertThatThrownBy(
            () ->
                Rules.parse(
                    DESIGN_EXAMPLE.replace("\"$.price.currency\"", "\"$.price[x]\""), "rules.yaml"))
        .hasMessageStartingWith(
            "rules.yaml:9: endpoints[0].ignore: bad path \"$.price[x]\" at column 9");
  }

  @Test
  void aBadToleranceOrRateNamesTheLine() {
    assertThatThrownBy(
            () ->
                Rules.parse(
                    DESIGN_EXAMPLE.replace("numericTolerance: 0.01", "numericTolerance: lots"),
                    "rules.yaml"))
        .hasMessageStartingWith(
            "rules.yaml:10: endpoints[0].numericTolerance: bad tolerance \"lots\"");
    assertThatThrownBy(
            () ->
                Rules.parse(
                    DESIGN_EXAMPLE.replace("maxDiscrepancyRate: 1%", "maxDiscrepancyRate: 150%"),
                    "rules.yaml"))
        .hasMessageStartingWith(
            "rules.yaml:11: endpoints[0].maxDiscrepancyRate: rate must be between 0 and 1");
    assertThatThrownBy(
            () ->
                Rules.parse(
                    DESIGN_EXAMPLE.replace("treatNullAsAbsent: false", "treatNullAsAbsent: maybe"),
                    "rules.yaml"))
        .hasMessageStartingWith(
            "rules.yaml:6: defaults.treatNullAsAbsent: expected true or false, got \"maybe\"");
  }

  @Test
  void aDuplicateEndpointNamesBothLines() {
    assertThatThrownBy(
            () ->
                Rules.parse(
                    DESIGN_EXAMPLE
                        + "  - match: \"GET /api/products/{productId}\"\n    skip: true\n",
                    "rules.yaml"))
        .hasMessage(
            "rules.yaml:17: match: duplicate endpoint \"GET /api/products/{productId}\" (first at line 8)");
  }

  @Test
  void missingVersionMatchOrFileAreErrors() throws Exception {
    assertThatThrownBy(() -> Rules.parse("defaults: {}\n", "r.yaml"))
        .hasMessage("r.yaml:1: version: missing (add \"version: 1\")");
    assertThatThrownBy(() -> Rules.parse("version: 2\n", "r.yaml"))
        .hasMessageContaining("unsupported rules version 2");
    assertThatThrownBy(() -> Rules.parse("version: 1\nendpoints:\n  - skip: true\n", "r.yaml"))
        .hasMessage("r.yaml:3: endpoints[0].match: missing (e.g. match: \"GET /api/users/{id}\")");
    assertThatThrownBy(
            () -> Rules.parse("version: 1\nendpoints:\n  - match: \"/no/method\"\n", "r.yaml"))
        .hasMessageStartingWith("r.yaml:3: endpoints[0].match: expected \"METHOD /path\"");
    assertThatThrownBy(() -> Rules.load(dir.resolve("none.yaml")))
        .hasMessage(dir.resolve("none.yaml") + ": no such file");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "version: 1\ndefaults:\n  ignore: [\"$.a\"\n");
    assertThatThrownBy(() -> Rules.load(bad))
        .hasMessageStartingWith(bad + ":")
        .hasMessageContaining("not valid YAML");
    // a key given twice: the second would override (or add to) the first, unseen
    assertThatThrownBy(
            () ->
                Rules.parse(
                    "version: 1\ndefaults:\n  ignore: [\"$.a\"]\n  ignore: [\"$.b\"]\n",
                    "dup.yaml"))
        .hasMessageStartingWith("dup.yaml:4")
        .hasMessageContaining("Duplicate field 'ignore'");
    assertThatThrownBy(
            () ->
                Rules.parse(
                    "version: 1\ndefaults:\n  ignore: [\"$.a\"]\ndefaults:\n  ignore: []\n",
                    "dup.yaml"))
        .hasMessageContaining("Duplicate field 'defaults'");
    // an array both unordered and keyed: neither would apply
    assertThatThrownBy(
            () ->
                Rules.parse(
                    "version: 1\ndefaults:\n  unorderedArrays: [\"$.a\"]\n"
                        + "  keyedArrays: {\"$.a\": \"id\"}\n",
                    "contra.yaml"))
        .hasMessageStartingWith("contra.yaml:")
        .hasMessageContaining("in both unorderedArrays and keyedArrays");
    // header names as they are: a pattern or a stray space would ignore nothing, unseen
    for (String name : new String[] {"X-Frame*", "bad name"}) {
      assertThatThrownBy(
              () ->
                  Rules.parse(
                      "version: 1\ndefaults:\n  ignoreHeaders: [\"" + name + "\"]\n", "h.yaml"))
          .hasMessageContaining("ignoreHeaders takes header names");
    }
    assertThat(
            Rules.parse("version: 1\ndefaults:\n  ignoreHeaders: [\"cache-control \"]\n", "h.yaml")
                .ruleFor("GET", "/x")
                .ignoreHeaders())
        .contains("cache-control");
  }

  @Test
  void noiseThresholdsAreConfigurable() {
    Rules r =
        Rules.parse(
            "version: 1\nnoise:\n  minSamples: 50\n  relativeMargin: 10%\n  absoluteMargin: 0.001\n  confidenceZ: 2.58\n",
            "r.yaml");
    assertThat(r.noiseModel()).isEqualTo(new NoiseModel(50, 0.1, 0.001, 2.58));
    assertThat(Rules.defaults().noiseModel()).isEqualTo(NoiseModel.defaults());
    assertThatThrownBy(() -> Rules.parse("version: 1\nnoise:\n  minSamples: 0\n", "r.yaml"))
        .hasMessage("r.yaml:3: noise.minSamples: expected a whole number of at least 1");
    assertThatThrownBy(() -> Rules.parse("version: 1\nnoise:\n  samples: 5\n", "r.yaml"))
        .hasMessageStartingWith("r.yaml:3: samples: unknown key in noise");
  }

  @Test
  void endpointTemplatesMatchOneSegmentPerParameter() {
    EndpointTemplate t = EndpointTemplate.parse("GET /api/users/{id}/orders");
    assertThat(t.matches("GET", "/api/users/7/orders?page=2")).isTrue();
    assertThat(t.matches("get", "/api/users/7/orders")).isTrue();
    assertThat(t.matches("POST", "/api/users/7/orders")).isFalse();
    assertThat(t.matches("GET", "/api/users/7/8/orders")).isFalse();
    assertThat(EndpointTemplate.parse("* /health").matches("HEAD", "/health")).isTrue();
    // "GET /a?x=1" is a valid template since query-aware endpoints (judgement issue); an empty
    // query is not
    assertThat(List.of("GET /a?", "GET a", "GET /a/{b"))
        .allSatisfy(
            s ->
                assertThatThrownBy(() -> EndpointTemplate.parse(s))
                    .isInstanceOf(BadInputException.class));
  }
}
