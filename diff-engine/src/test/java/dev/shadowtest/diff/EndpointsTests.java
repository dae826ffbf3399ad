package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointsTests {

  final Endpoints plain = new Endpoints(Rules.defaults());

  @Test
  void identifiersBecomeParameters() {
    assertThat(plain.of("get", "/api/users/42?verbose=1")).isEqualTo("GET /api/users/{id}");
    assertThat(plain.of("GET", "/api/orders/3f2a8c1e-9b7d-4c2a-8e1f-0a1b2c3d4e5f/lines"))
        .isEqualTo("GET /api/orders/{uuid}/lines");
    assertThat(plain.of("GET", "/blobs/5f3a9c0e77")).isEqualTo("GET /blobs/{hex}");
    assertThat(plain.of("GET", "/s/aGVsbG8gd29ybGQx2")).isEqualTo("GET /s/{token}");
    assertThat(plain.of("GET", "/api/v2/users")).isEqualTo("GET /api/v2/users");
    assertThat(plain.of("GET", "/")).isEqualTo("GET /");
    assertThat(plain.of("GET", "/deadbeef"))
        .isEqualTo("GET /deadbeef"); // hex words without digits stay
  }

  @Test
  void anAbsoluteFormTargetOrASessionIdInThePathNamesTheSameEndpoint() {
    assertThat(plain.of("GET", "http://legacy:8080/api/users/1001?x=1"))
        .isEqualTo("GET /api/users/{id}");
    assertThat(plain.of("GET", "HTTPS://legacy")).isEqualTo("GET /");
    assertThat(plain.of("GET", "/cart;jsessionid=0AF3B1C2D9E8F7A6B5C4D3E2F1A0B9C8/items/7"))
        .isEqualTo("GET /cart/items/{id}");
    assertThat(plain.of("GET", "/login;JSESSIONID=abc")).isEqualTo("GET /login");
    assertThat(plain.of("OPTIONS", "*")).isEqualTo("OPTIONS *");
    // and rules match them as they match the origin form
    Rules rules =
        Rules.parse(
            "version: 1\nendpoints:\n  - match: \"GET /api/users/{id}\"\n    ignore: [\"$.at\"]\n",
            "r.yaml");
    assertThat(rules.ruleFor("GET", "http://legacy:8080/api/users/7").match()).isNotNull();
    assertThat(rules.ruleFor("GET", "/api/users/7;jsessionid=x").match()).isNotNull();
  }

  @Test
  void rulesNameEndpointsFirst() {
    Endpoints e = new Endpoints(Rules.parse(RulesTests.DESIGN_EXAMPLE, "r.yaml"));
    assertThat(e.of("GET", "/api/products/abc-slug")).isEqualTo("GET /api/products/{id}");
    assertThat(e.of("POST", "/api/carts")).isEqualTo("POST /api/carts");
  }

  @Test
  void manyDistinctValuesUnderOnePrefixCollapse() {
    Set<String> endpoints = new LinkedHashSet<>();
    for (int i = 0; i < 25; i++) {
      endpoints.add(plain.of("GET", "/api/users/user" + (char) ('a' + i) + "/profile"));
    }
    endpoints.add("GET /api/health");
    endpoints.add("GET /api/status");
    Map<String, String> m = plain.collapse(endpoints, Endpoints.DEFAULT_CARDINALITY);
    assertThat(m.get("GET /api/users/usera/profile")).isEqualTo("GET /api/users/{param}/profile");
    assertThat(m.get("GET /api/health")).isEqualTo("GET /api/health");
    assertThat(Set.copyOf(m.values())).hasSize(3);
  }

  /** The patterns alone, as named before the quick check for digits came first. */
  static String byPatternsAlone(String segment) {
    if (segment.matches("-?\\d+")) {
      return "{id}";
    }
    if (segment.matches(
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      return "{uuid}";
    }
    if (segment.matches("(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}")) {
      return "{hex}";
    }
    if (segment.matches("(?=[A-Za-z0-9_=-]*\\d)(?=[A-Za-z0-9_=-]*[A-Za-z])[A-Za-z0-9_=-]{16,}")) {
      return "{token}";
    }
    return segment;
  }

  @Test
  void segmentsAreNamedAsThePatternsAloneNameThem() {
    Random random = new Random(7);
    String alphabet = "0123456789abcdefABCDEFxyzXYZ-_=.~é٣";
    for (int i = 0; i < 50_000; i++) {
      int length = random.nextInt(5) == 0 ? 36 : random.nextInt(40);
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < length; c++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String segment = sb.toString();
      assertThat(Endpoints.parameter(segment)).as(segment).isEqualTo(byPatternsAlone(segment));
    }
    assertThat(Endpoints.parameter("abcdefab-abcd-abcd-abcd-abcdefabcdef")).isEqualTo("{uuid}");
    assertThat(Endpoints.parameter("data.json")).isEqualTo("data.json");
    assertThat(Endpoints.parameter("-12")).isEqualTo("{id}");
  }
}
