package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonDiffTests {

  static List<Difference> diff(String e, String a) {
    return JsonDiff.compare(e, a, JsonOptions.strict());
  }

  static List<Difference> diff(String e, String a, JsonOptions o) {
    return JsonDiff.compare(e, a, o);
  }

  static JsonPath p(String s) {
    return JsonPath.parse(s);
  }

  @Test
  void equalDocumentsHaveNoDifferences() {
    assertThat(
            diff(
                "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"d\":1.5}}",
                "{\"c\":{\"d\":1.50},\"b\":[true,null,\"x\"],\"a\":1.0}"))
        .isEmpty();
  }

  @Test
  void reportsMissingExtraValueAndTypeWithPathsAndValues() {
    List<Difference> d =
        diff(
            "{\"id\":42,\"name\":\"mug\",\"price\":{\"amount\":12.5},\"gone\":1}",
            "{\"id\":\"42\",\"name\":\"cup\",\"price\":{\"amount\":12.5},\"new\":[1]}");
    assertThat(d)
        .containsExactlyInAnyOrder(
            new Difference("$.id", "$.id", DifferenceType.TYPE, "42", "\"42\""),
            new Difference("$.name", "$.name", DifferenceType.VALUE, "\"mug\"", "\"cup\""),
            new Difference("$.gone", "$.gone", DifferenceType.MISSING, "1", null),
            new Difference("$.new", "$.new", DifferenceType.EXTRA, null, "[1]"));
  }

  @Test
  void numbersAreExactUnlessAToleranceApplies() {
    assertThat(diff("{\"x\":0.1}", "{\"x\":0.10000000000000000001}"))
        .singleElement()
        .extracting(Difference::type)
        .isEqualTo(DifferenceType.VALUE);
    assertThat(diff("{\"x\":12345678901234567890123}", "{\"x\":12345678901234567890124}"))
        .hasSize(1);
    assertThat(
            diff(
                "{\"x\":10.00}",
                "{\"x\":10.01}",
                JsonOptions.strict().withTolerance(Tolerance.parse("0.01"))))
        .isEmpty();
    assertThat(
            diff(
                "{\"x\":10.00}",
                "{\"x\":10.02}",
                JsonOptions.strict().withTolerance(Tolerance.parse("0.01"))))
        .hasSize(1);
    assertThat(
            diff(
                "{\"x\":200}",
                "{\"x\":201}",
                JsonOptions.strict().withTolerance(Tolerance.parse("0.5%"))))
        .isEmpty();
    assertThat(
            diff(
                "{\"x\":200}",
                "{\"x\":202}",
                JsonOptions.strict().withTolerance(Tolerance.parse("0.5%"))))
        .hasSize(1);
  }

  @Test
  void arraysReportSizeAndWhichElementsAreMissingWithoutACascade() {
    List<Difference> d = diff("[1,2,3,4]", "[1,3,4]");
    assertThat(d)
        .containsExactly(
            new Difference("$", "$", DifferenceType.ARRAY_SIZE, "length 4", "length 3"),
            new Difference("$[1]", "$[*]", DifferenceType.MISSING, "2", null));
  }

  @Test
  void reorderedElementsAreOneOrderDifference() {
    assertThat(
            diff(
                "{\"items\":[{\"id\":1},{\"id\":2},{\"id\":3}]}",
                "{\"items\":[{\"id\":3},{\"id\":1},{\"id\":2}]}"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.type()).isEqualTo(DifferenceType.ORDER);
              assertThat(d.path()).isEqualTo("$.items");
            });
  }

  @Test
  void changedElementsOfOrderedArraysAreComparedFieldByField() {
    assertThat(
            diff(
                "{\"items\":[{\"id\":1,\"p\":5},{\"id\":2,\"p\":6}]}",
                "{\"items\":[{\"id\":1,\"p\":5},{\"id\":2,\"p\":7}]}"))
        .containsExactly(
            new Difference("$.items[1].p", "$.items[*].p", DifferenceType.VALUE, "6", "7"));
  }

  @Test
  void unorderedArraysAreMultisets() {
    JsonOptions o = JsonOptions.strict().withUnorderedArrays(List.of(p("$.items")));
    assertThat(diff("{\"items\":[1,2,2,3]}", "{\"items\":[2,3,1,2]}", o)).isEmpty();
    assertThat(diff("{\"items\":[1,2,2,3]}", "{\"items\":[2,3,1,3]}", o))
        .containsExactly(
            new Difference("$.items[2]", "$.items[*]", DifferenceType.VALUE, "2", "3"));
    assertThat(diff("{\"items\":[1,2]}", "{\"items\":[2,1,9]}", o))
        .containsExactly(
            new Difference("$.items", "$.items", DifferenceType.ARRAY_SIZE, "length 2", "length 3"),
            new Difference("$.items[2]", "$.items[*]", DifferenceType.EXTRA, null, "9"));
    // without the rule, order matters
    assertThat(diff("{\"items\":[1,2]}", "{\"items\":[2,1]}"))
        .extracting(Difference::type)
        .containsExactly(DifferenceType.ORDER);
  }

  @Test
  void aChangedElementOfAnUnorderedArrayShowsTheChangedField() {
    JsonOptions o = JsonOptions.strict().withUnorderedArrays(List.of(p("$.items")));
    assertThat(
            diff(
                "{\"items\":[{\"sku\":\"a\",\"q\":1},{\"sku\":\"b\",\"q\":2}]}",
                "{\"items\":[{\"sku\":\"b\",\"q\":2},{\"sku\":\"a\",\"q\":5}]}",
                o))
        .containsExactly(
            new Difference("$.items[0].q", "$.items[*].q", DifferenceType.VALUE, "1", "5"));
  }

  @Test
  void keyedArraysMatchElementsByKey() {
    JsonOptions o = JsonOptions.strict().withKeyedArrays(Map.of(p("$.lines"), "sku"));
    String e =
        "{\"lines\":[{\"sku\":\"A\",\"qty\":1},{\"sku\":\"B\",\"qty\":2},{\"sku\":\"C\",\"qty\":3}]}";
    String a =
        "{\"lines\":[{\"sku\":\"C\",\"qty\":3},{\"sku\":\"A\",\"qty\":9},{\"sku\":\"D\",\"qty\":4}]}";
    assertThat(diff(e, a, o))
        .containsExactlyInAnyOrder(
            new Difference("$.lines[0].qty", "$.lines[*].qty", DifferenceType.VALUE, "1", "9"),
            new Difference(
                "$.lines[1]",
                "$.lines[*]",
                DifferenceType.MISSING,
                "{\"sku\":\"B\",\"qty\":2}",
                null),
            new Difference(
                "$.lines[2]",
                "$.lines[*]",
                DifferenceType.EXTRA,
                null,
                "{\"sku\":\"D\",\"qty\":4}"));
  }

  @Test
  void ignoredPathsAreNotCompared() {
    JsonOptions o =
        JsonOptions.strict()
            .withIgnore(List.of(p("$.meta.generatedAt"), p("$..traceId"), p("$.items[*].ts")));
    assertThat(
            diff(
                "{\"meta\":{\"generatedAt\":1,\"v\":1},\"a\":{\"b\":{\"traceId\":\"x\"}},\"items\":[{\"ts\":1,\"v\":1}]}",
                "{\"meta\":{\"generatedAt\":2,\"v\":1},\"a\":{\"b\":{\"traceId\":\"y\"}},\"items\":[{\"ts\":2,\"v\":1}]}",
                o))
        .isEmpty();
    assertThat(diff("{\"meta\":{}}", "{\"meta\":{\"generatedAt\":5}}", o)).isEmpty();
  }

  @Test
  void nullAsAbsentAndSubsetMode() {
    assertThat(diff("{\"a\":null}", "{}")).hasSize(1);
    assertThat(diff("{\"a\":null}", "{}", JsonOptions.strict().withTreatNullAsAbsent(true)))
        .isEmpty();
    assertThat(diff("{}", "{\"a\":null}", JsonOptions.strict().withTreatNullAsAbsent(true)))
        .isEmpty();
    assertThat(
            diff(
                "{\"a\":1}",
                "{\"a\":1,\"b\":2}",
                JsonOptions.strict().withExtraFieldsAllowed(true)))
        .isEmpty();
    assertThat(
            diff(
                "{\"a\":1,\"c\":3}",
                "{\"a\":1,\"b\":2}",
                JsonOptions.strict().withExtraFieldsAllowed(true)))
        .extracting(Difference::type)
        .containsExactly(DifferenceType.MISSING);
  }

  @Test
  void tenThousandLevelsOfNestingGiveAResult() {
    int depth = 10_000;
    String e = "[".repeat(depth) + "1" + "]".repeat(depth);
    String a = "[".repeat(depth) + "2" + "]".repeat(depth);
    List<Difference> d = diff(e, a);
    assertThat(d)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.type()).isEqualTo(DifferenceType.VALUE);
              assertThat(x.path()).startsWith("$[0][0]").hasSize(1 + 3 * depth);
            });
    String deepObject = "{\"a\":".repeat(depth) + "true" + "}".repeat(depth);
    assertThat(diff(deepObject, deepObject)).isEmpty();
    assertThat(diff(deepObject, "{}"))
        .singleElement()
        .extracting(Difference::expected)
        .asString()
        .endsWith("…");
  }

  @Test
  void largeUnorderedArraysAreMatchedByHashing() {
    StringBuilder e = new StringBuilder("[");
    StringBuilder a = new StringBuilder("[");
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      e.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"v\":\"x")
          .append(i)
          .append("\"}");
      a.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(n - 1 - i)
          .append(",\"v\":\"x")
          .append(n - 1 - i)
          .append("\"}");
    }
    JsonOptions o = JsonOptions.strict().withUnorderedArrays(List.of(p("$")));
    assertThat(diff(e + "]", a + "]", o)).isEmpty(); // pairwise matching would take minutes here
  }

  @Test
  void incrementalMatchingAgreesWithListMatching() {
    Random r = new Random(5);
    Object[] elements = {"a", "b", "name", "odd.key", 0, 1, 2};
    for (String pattern :
        List.of(
            "$",
            "$.a",
            "$.a.b",
            "$..name",
            "$.a[*].b",
            "$['odd.key'][1]",
            "$.*.name",
            "$..name.a",
            "$.a..b..name")) {
      JsonPath path = p(pattern);
      for (int i = 0; i < 2_000; i++) {
        List<Object> loc = new ArrayList<>();
        long state = path.start();
        int depth = r.nextInt(6);
        for (int d = 0; d < depth; d++) {
          Object e = elements[r.nextInt(elements.length)];
          loc.add(e);
          state = path.advance(state, e);
        }
        assertThat(path.accepts(state)).as("%s at %s", pattern, loc).isEqualTo(path.matches(loc));
      }
    }
  }

  @Test
  void pathsAreParsedOrRejectedWithTheColumn() {
    assertThat(p("$['odd.key'][*].b").matches(List.of("odd.key", 3, "b"))).isTrue();
    assertThat(p("$..name").matches(List.of("a", 1, "name", "x"))).isTrue();
    assertThat(p("$.a[2]").matchesExactly(List.of("a", 2))).isTrue();
    assertThat(p("$.a[2]").matchesExactly(List.of("a", 3))).isFalse();
    assertThat(p("$.a.*").matches(List.of("a", "anything"))).isTrue();
    assertThatThrownBy(() -> p("a.b")).hasMessageContaining("must start with '$'");
    assertThatThrownBy(() -> p("$.a[x]"))
        .hasMessage(
            "bad path \"$.a[x]\" at column 5: expected an index, '*' or a quoted name inside [...], got \"x\"");
    assertThatThrownBy(() -> p("$.a..")).hasMessageContaining("expected a member name");
    assertThatThrownBy(() -> p("$['a")).hasMessageContaining("unclosed quoted member");
    assertThat(JsonPath.render(List.of("a b", 0, "c"))).isEqualTo("$['a b'][0].c");
  }
}
