package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.JsonPath;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rules that match query parameter names, and endpoints split by them. */
class QueryEndpointsTests {

  static final String RULES =
      """
      version: 1
      endpoints:
        - match: "GET /posts"
          ignore: ["$.a"]
        - match: "GET /posts?_page"
          ignore: ["$.b"]
        - match: "GET /posts?_page&_limit"
          ignore: ["$.c"]
        - match: "GET /posts?_sort=views"
          ignore: ["$.d"]
      """;

  @Test
  void aMatchWithQueryNamesNeedsAtLeastThoseNames() {
    EndpointTemplate t = EndpointTemplate.parse("GET /posts?_page&_limit");
    assertThat(t.matches("GET", "/posts?_limit=10&_page=2&q=x")).isTrue();
    assertThat(t.matches("GET", "/posts?_page=2")).isFalse();
    assertThat(t.matches("GET", "/posts/1?_page=2&_limit=1")).isFalse();
    assertThat(
            EndpointTemplate.parse("GET /posts?_sort=views").matches("GET", "/posts?_sort=views"))
        .isTrue();
    assertThat(
            EndpointTemplate.parse("GET /posts?_sort=views").matches("GET", "/posts?_sort=title"))
        .isFalse();
    assertThat(EndpointTemplate.parse("GET /s?filter%5Bx%5D").matches("GET", "/s?filter[x]=1"))
        .isTrue(); // names decoded
    assertThatThrownBy(() -> EndpointTemplate.parse("GET /posts?_page&_page"))
        .hasMessageContaining("given twice");
  }

  @Test
  void theEntryWithMostQueryNamesWinsThenFileOrder() {
    Rules rules = Rules.parse(RULES, "rules.yaml");
    assertThat(rules.ruleFor("GET", "/posts").match()).hasToString("GET /posts");
    assertThat(rules.ruleFor("GET", "/posts?q=1").match()).hasToString("GET /posts");
    assertThat(rules.ruleFor("GET", "/posts?_page=1").match()).hasToString("GET /posts?_page");
    assertThat(rules.ruleFor("GET", "/posts?_limit=5&_page=1").match())
        .hasToString("GET /posts?_page&_limit");
    // one name each: file order decides
    assertThat(rules.ruleFor("GET", "/posts?_page=1&_sort=views").match())
        .hasToString("GET /posts?_page");
    assertThat(rules.ruleForEndpoint("GET /posts?_page&_limit").json().ignore())
        .extracting(JsonPath::toString)
        .containsExactly("$.c");
    assertThatThrownBy(
            () -> Rules.parse(RULES + "  - match: \"GET /posts?_limit&_page\"\n", "rules.yaml"))
        .hasMessageStartingWith(
            "rules.yaml:11: match: duplicate endpoint \"GET /posts?_limit&_page\" (first at line 7)");
  }

  @Test
  void endpointsAreSplitByQueryNamesOnlyWhenTheRulesSaySo() {
    Endpoints plain = new Endpoints(Rules.defaults());
    assertThat(plain.of("GET", "/posts?_page=2&_limit=10")).isEqualTo("GET /posts");
    Endpoints split =
        new Endpoints(Rules.parse("version: 1\ndefaults:\n  splitByQueryNames: true\n", "r.yaml"));
    assertThat(split.of("GET", "/posts?_page=2&_limit=10")).isEqualTo("GET /posts?_limit&_page");
    assertThat(split.of("GET", "/posts?_limit=1&_page=9&_limit=2"))
        .isEqualTo("GET /posts?_limit&_page"); // names, never values
    assertThat(split.of("GET", "/posts/42?q=x")).isEqualTo("GET /posts/{id}?q");
    assertThat(split.of("GET", "/posts")).isEqualTo("GET /posts");
    assertThat(split.of("GET", "/s?a%20b=1")).isEqualTo("GET /s?a+b");
    // per endpoint: only GET /posts splits
    Endpoints perEndpoint =
        new Endpoints(
            Rules.parse(
                """
        version: 1
        endpoints:
          - match: "GET /posts"
            splitByQueryNames: true
        """,
                "r.yaml"));
    assertThat(perEndpoint.of("GET", "/posts?_sort=views")).isEqualTo("GET /posts?_sort");
    assertThat(perEndpoint.of("GET", "/users?_sort=name")).isEqualTo("GET /users");
  }

  @Test
  void tooManyQueryNameSetsUnderOnePathDoNotSplit() {
    Endpoints split =
        new Endpoints(Rules.parse("version: 1\ndefaults:\n  splitByQueryNames: true\n", "r.yaml"));
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < Endpoints.DEFAULT_CARDINALITY; i++) {
      names.add(split.of("GET", "/search?f" + i + "=1"));
    }
    names.add(split.of("GET", "/posts?_page=1"));
    Map<String, String> collapsed = split.collapse(names, Endpoints.DEFAULT_CARDINALITY);
    assertThat(collapsed.get("GET /search?f3")).isEqualTo("GET /search");
    assertThat(collapsed.get("GET /posts?_page")).isEqualTo("GET /posts?_page");
    assertThat(Set.copyOf(collapsed.values()))
        .containsExactlyInAnyOrder("GET /search", "GET /posts?_page");
  }

  @Test
  void splitNamesSurviveTemplating() {
    Endpoints split =
        new Endpoints(Rules.parse("version: 1\ndefaults:\n  splitByQueryNames: true\n", "r.yaml"));
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < 25; i++) {
      names.add(split.of("GET", "/users/user" + (char) ('a' + i) + "?fields=x"));
    }
    Map<String, String> collapsed = split.collapse(names, Endpoints.DEFAULT_CARDINALITY);
    assertThat(Set.copyOf(collapsed.values())).containsExactly("GET /users/{param}?fields");
  }
}
