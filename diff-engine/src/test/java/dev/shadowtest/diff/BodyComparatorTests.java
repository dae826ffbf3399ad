package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Body comparators are an extension point: one of the tests' own ({@link CsvComparator},
 * registered through ServiceLoader) is chosen by media type before the built-in ones and gets
 * its options from the rules; the built-in text comparator has options too.
 */
class BodyComparatorTests {

  static HttpResponse csv(String body) {
    return new HttpResponse(200, "OK", Headers.of("Content-Type", "text/csv"), Body.text(body));
  }

  @Test
  void aComparatorFoundThroughServiceLoaderComparesItsMediaType() {
    assertThat(BodyComparators.all()).containsKeys("csv", "json", "xml", "form", "text", "binary");
    DiffEngine engine = DiffEngine.of(Rules.defaults());
    // reordered rows: the text comparator would see changed lines, the CSV one a multiset
    ResponseDiff same =
        engine.compare(
            csv("id,name\n1,a\n2,b\n"), csv("id,name\n2,b\n1,a\n"), EndpointRule.builtIn());
    assertThat(same.differences()).isEmpty();
    ResponseDiff changed =
        engine.compare(csv("id,name\n1,a\n"), csv("id,name\n1,z\n"), EndpointRule.builtIn());
    assertThat(changed.differences())
        .extracting(Difference::field, Difference::type)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("csv:row", DifferenceType.MISSING),
            org.assertj.core.groups.Tuple.tuple("csv:row", DifferenceType.EXTRA));
  }

  @Test
  void comparatorOptionsComeFromTheRulesAndAreChecked() {
    Rules rules =
        Rules.parse(
            "version: 1\ndefaults:\n  comparators:\n    csv: {header: true}\n", "rules.yaml");
    DiffEngine engine = DiffEngine.of(rules);
    ResponseDiff d =
        engine.compare(
            csv("id,name\n1,a\n"), csv("ID,NAME\n1,a\n"), rules.ruleFor("GET", "/export"));
    assertThat(d.differences()).extracting(Difference::field).containsExactly("csv:header");

    assertThatThrownBy(
            () ->
                Rules.parse(
                    "version: 1\ndefaults:\n  comparators:\n    csv: {delimiter: \";\"}\n",
                    "rules.yaml"))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("rules.yaml:4")
        .hasMessageContaining("unknown option of the csv comparator (expected header)");
    assertThatThrownBy(
            () ->
                Rules.parse(
                    "version: 1\ndefaults:\n  comparators:\n    protobuf: {}\n", "rules.yaml"))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("no body comparator is named \"protobuf\"")
        .hasMessageContaining("csv, json, xml, form, text, binary");
  }

  @Test
  void theTextComparatorCanIgnoreTrailingWhitespace() {
    HttpResponse e =
        new HttpResponse(200, "OK", Headers.of("Content-Type", "text/plain"), Body.text("a\nb\n"));
    HttpResponse a =
        new HttpResponse(
            200, "OK", Headers.of("Content-Type", "text/plain"), Body.text("a  \r\nb\t\n"));
    assertThat(DiffEngine.of(Rules.defaults()).compare(e, a, EndpointRule.builtIn()).differences())
        .extracting(Difference::path)
        .containsExactly("body:line 1", "body:line 2");
    Rules lenient =
        Rules.parse(
            "version: 1\ndefaults:\n  comparators:\n    text: {ignoreTrailingWhitespace: true}\n",
            "r");
    assertThat(DiffEngine.of(lenient).compare(e, a, lenient.ruleFor("GET", "/")).differences())
        .isEmpty();
  }
}
