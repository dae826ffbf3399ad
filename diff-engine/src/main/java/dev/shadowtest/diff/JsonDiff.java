package dev.shadowtest.diff;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.internal.Json;
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

  private static final ObjectMapper MAPPER = Json.MAPPER;

  private JsonDiff() {}

  /** Parses a JSON document with exact numbers. */
  public static JsonNode parse(String json) throws JsonProcessingException {
    try {
      return MAPPER.readTree(json);
    } catch (NumberFormatException e) {
      throw beyondExactNumbers(e);
    }
  }

  /** Parses a JSON document from UTF-8 bytes with exact numbers. */
  public static JsonNode parse(byte[] utf8) throws IOException {
    try {
      return MAPPER.readTree(utf8);
    } catch (NumberFormatException e) {
      throw beyondExactNumbers(e);
    }
  }

  /**
   * A number no {@link java.math.BigDecimal} holds ({@code 1e9999999999}): the document is no
   * JSON this comparison reads (it is compared as text), never a failure of the comparison.
   */
  private static JsonProcessingException beyondExactNumbers(NumberFormatException e) {
    return new JsonParseException(
        (JsonParser) null, "a number beyond exact decimals: " + e.getMessage());
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
