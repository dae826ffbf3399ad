package dev.shadowtest.diff.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shadowtest.diff.JsonDiff;
import java.io.IOException;

/**
 * How the comparison reads JSON bodies, in one place: exact numbers, duplicate keys and trailing
 * tokens make a body invalid, nesting limited only by {@link JsonDiff#MAX_DEPTH}, strings of any
 * length. Whatever reads a body as the comparison does (the tree for comparing, the token stream
 * for the stored form) reads it through this.
 */
public final class Json {

  private Json() {}

  /** Parses trees: {@link JsonDiff#parse}. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(JsonDiff.MAX_DEPTH)
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

  /**
   * A token stream over {@code utf8} under the same constraints as {@link #MAPPER}'s trees
   * (duplicate keys fail); the caller checks for trailing tokens.
   */
  static JsonParser parser(byte[] utf8) throws IOException {
    return MAPPER.getFactory().createParser(utf8);
  }
}
