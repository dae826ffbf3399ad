package dev.shadowtest.diff;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.internal.JsonComparator;
import java.io.IOException;
import java.util.List;

/**
 * Structural comparison of two JSON documents.
 *
 * <pre>{@code
 * List<Difference> d = JsonDiff.compare("{\"a\":[1,2]}", "{\"a\":[2,1]}",
 *     JsonOptions.strict().withUnorderedArrays(List.of(JsonPath.parse("$.a"))));   // empty
 * }</pre>
 *
 * <p>Numbers are compared by value ({@code 1}, {@code 1.0} and {@code 1e0} are equal) with
 * {@link java.math.BigDecimal} precision, unless a tolerance applies. Nesting depth is limited
 * only by {@link #MAX_DEPTH}: comparison is iterative.
 */
public final class JsonDiff {

  /** Deepest nesting accepted when parsing bodies. */
  public static final int MAX_DEPTH = 100_000;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_DEPTH)
                          .maxStringLength(Integer.MAX_VALUE)
                          .build())
                  .build())
          .setNodeFactory(
              JsonNodeFactory.withExactBigDecimals(true)) // 10.00 stays 10.00 in reports
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // {"a":1,"a":2} is not {"a":2}: duplicate keys make a body invalid JSON (compared as
          // text)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private JsonDiff() {}

  /** Parses a JSON document with exact numbers. */
  public static JsonNode parse(String json) throws JsonProcessingException {
    return MAPPER.readTree(json);
  }

  /** Parses a JSON document from UTF-8 bytes with exact numbers. */
  public static JsonNode parse(byte[] utf8) throws IOException {
    return MAPPER.readTree(utf8);
  }

  public static List<Difference> compare(JsonNode expected, JsonNode actual, JsonOptions options) {
    return new JsonComparator(options).compare(expected, actual);
  }

  /**
   * Parses and compares.
   *
   * @throws BadInputException when either side is not JSON
   */
  public static List<Difference> compare(String expected, String actual, JsonOptions options) {
    JsonNode e;
    JsonNode a;
    try {
      e = parse(expected);
    } catch (JsonProcessingException ex) {
      throw new BadInputException("expected body is not JSON: " + ex.getOriginalMessage());
    }
    try {
      a = parse(actual);
    } catch (JsonProcessingException ex) {
      throw new BadInputException("actual body is not JSON: " + ex.getOriginalMessage());
    }
    return compare(e, a, options);
  }
}
