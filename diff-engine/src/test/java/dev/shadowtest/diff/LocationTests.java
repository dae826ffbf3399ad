package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every comparator's differences carry a typed location whose string is the one on disk. */
class LocationTests {

  static HttpResponse r(int status, String type, String body, String... headers) {
    return new HttpResponse(
        status, "OK", Headers.of(headers).with("Content-Type", type), Body.text(body));
  }

  static Map<String, Location> locations(HttpResponse e, HttpResponse a) {
    return DiffEngine.of(Rules.defaults())
        .compare(e, a, EndpointRule.builtIn())
        .differences()
        .stream()
        .collect(Collectors.toMap(Difference::path, Difference::location, (x, y) -> x));
  }

  @Test
  void eachKindOfPlaceIsTyped() {
    Map<String, Location> json =
        locations(
            r(200, "application/json", "{\"a\":[1,2]}", "ETag", "1"),
            r(404, "application/json", "{\"a\":[1,3]}", "ETag", "2"));
    assertThat(json)
        .containsEntry("status", new Location.Status())
        .containsEntry("header:ETag", new Location.Header("ETag"))
        .containsEntry("$.a[1]", new Location.Json("$.a[1]"));
    assertThat(locations(r(200, "text/plain", "a\nb c\nc"), r(200, "text/plain", "a\nX\nc")))
        .containsOnlyKeys("body:line 2")
        .containsValue(new Location.TextLines(2, 2));
    assertThat(locations(r(200, "text/plain", "a\nb c\nc"), r(200, "text/plain", "a\nb X\nc")))
        .containsOnlyKeys("body:line 2 token 2")
        .containsValue(new Location.TextToken(2, 2));
    assertThat(locations(r(200, "text/plain", "a\nb\nc\nd"), r(200, "text/plain", "a\nX\nY\nZ\nd")))
        .containsValue(new Location.TextLines(2, 4));
    assertThat(
            locations(
                r(200, "application/x-www-form-urlencoded", "k=1"),
                r(200, "application/x-www-form-urlencoded", "k=2")))
        .containsValue(new Location.Form("k"));
    assertThat(
            locations(
                r(200, "application/xml", "<a x=\"1\"/>"),
                r(200, "application/xml", "<a x=\"2\"/>")))
        .containsValue(new Location.Xml("/a/@x"));
    Headers bin = Headers.of("Content-Type", "application/octet-stream");
    assertThat(
            locations(
                new HttpResponse(200, "OK", bin, Body.binary(new byte[] {(byte) 0xff})),
                new HttpResponse(200, "OK", bin, Body.binary(new byte[] {(byte) 0xfe}))))
        .containsValue(new Location.WholeBody());
  }

  @Test
  void theStringsRoundTrip() {
    for (Location l :
        List.of(
            new Location.Status(),
            new Location.Header("X-A"),
            new Location.Json("$.x[0]"),
            new Location.Xml("/o/l[2]/@sku"),
            new Location.Form("q"),
            new Location.TextToken(3, 7),
            new Location.TextLines(5, 7),
            new Location.TextLines(3, 3),
            new Location.WholeBody(),
            new Location.Other("(more differences)"))) {
      assertThat(Location.parse(l.path())).isEqualTo(l);
    }
    assertThat(Location.parse("body:lines x-y")).isInstanceOf(Location.Other.class);
    Function<String, Location> p = Location::parse;
    assertThat(p.apply("header:content-type")).isEqualTo(new Location.Header("content-type"));
  }
}
