package dev.shadowtest.diff;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How two JSON bodies are compared. Immutable; each {@code with...} returns a changed copy.
 *
 * <pre>{@code
 * JsonOptions o = JsonOptions.strict()
 *     .withIgnore(List.of(JsonPath.parse("$..traceId")))
 *     .withTolerance(Tolerance.parse("0.5%"));
 * }</pre>
 *
 * @param ignore             subtrees not compared at all
 * @param tolerance          numeric tolerance
 * @param unorderedArrays    arrays compared as multisets
 * @param keyedArrays        arrays whose elements are matched by the value of a member (path to key name)
 * @param treatNullAsAbsent  a member with value null equals a missing member
 * @param extraFieldsAllowed members only in the actual body are not differences (subset mode)
 */
public record JsonOptions(
    List<JsonPath> ignore,
    Tolerance tolerance,
    List<JsonPath> unorderedArrays,
    Map<JsonPath, String> keyedArrays,
    boolean treatNullAsAbsent,
    boolean extraFieldsAllowed) {

  private static final JsonOptions STRICT = new JsonOptions(List.of(), Tolerance.EXACT, List.of(), Map.of(), false, false);

  public JsonOptions {
    ignore = List.copyOf(ignore);
    Objects.requireNonNull(tolerance, "tolerance");
    unorderedArrays = List.copyOf(unorderedArrays);
    keyedArrays = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keyedArrays));
  }

  /** Everything compared, order matters, numbers exact. */
  public static JsonOptions strict() {
    return STRICT;
  }

  public JsonOptions withIgnore(List<JsonPath> paths) {
    return new JsonOptions(paths, tolerance, unorderedArrays, keyedArrays, treatNullAsAbsent, extraFieldsAllowed);
  }

  public JsonOptions withTolerance(Tolerance t) {
    return new JsonOptions(ignore, t, unorderedArrays, keyedArrays, treatNullAsAbsent, extraFieldsAllowed);
  }

  public JsonOptions withUnorderedArrays(List<JsonPath> paths) {
    return new JsonOptions(ignore, tolerance, paths, keyedArrays, treatNullAsAbsent, extraFieldsAllowed);
  }

  public JsonOptions withKeyedArrays(Map<JsonPath, String> keys) {
    return new JsonOptions(ignore, tolerance, unorderedArrays, keys, treatNullAsAbsent, extraFieldsAllowed);
  }

  public JsonOptions withTreatNullAsAbsent(boolean on) {
    return new JsonOptions(ignore, tolerance, unorderedArrays, keyedArrays, on, extraFieldsAllowed);
  }

  public JsonOptions withExtraFieldsAllowed(boolean on) {
    return new JsonOptions(ignore, tolerance, unorderedArrays, keyedArrays, treatNullAsAbsent, on);
  }
}
