package dev.shadowtest.diff;

import dev.shadowtest.core.JsonPath;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How two JSON bodies are compared. Immutable; each {@code with...} returns a changed copy
 * (all of them through {@link #with}, the one place that copies every field).
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
 * @param lenientTypes       a string holding a JSON number or boolean equals that number or boolean
 *                           ({@code "1"} equals {@code 1}, {@code "true"} equals {@code true})
 */
public record JsonOptions(
    List<JsonPath> ignore,
    Tolerance tolerance,
    List<JsonPath> unorderedArrays,
    Map<JsonPath, String> keyedArrays,
    boolean treatNullAsAbsent,
    boolean extraFieldsAllowed,
    boolean lenientTypes) {

  private static final JsonOptions STRICT =
      new JsonOptions(List.of(), Tolerance.EXACT, List.of(), Map.of(), false, false, false);

  public JsonOptions {
    ignore = List.copyOf(ignore);
    Objects.requireNonNull(tolerance, "tolerance");
    unorderedArrays = List.copyOf(unorderedArrays);
    keyedArrays = Collections.unmodifiableMap(new LinkedHashMap<>(keyedArrays));
  }

  /** Everything compared, order matters, numbers exact, types strict. */
  public static JsonOptions strict() {
    return STRICT;
  }

  /** The fields of a copy being changed. */
  public static final class Builder {
    public List<JsonPath> ignore;
    public Tolerance tolerance;
    public List<JsonPath> unorderedArrays;
    public Map<JsonPath, String> keyedArrays;
    public boolean treatNullAsAbsent;
    public boolean extraFieldsAllowed;
    public boolean lenientTypes;

    private Builder(JsonOptions o) {
      ignore = o.ignore;
      tolerance = o.tolerance;
      unorderedArrays = o.unorderedArrays;
      keyedArrays = o.keyedArrays;
      treatNullAsAbsent = o.treatNullAsAbsent;
      extraFieldsAllowed = o.extraFieldsAllowed;
      lenientTypes = o.lenientTypes;
    }

    private JsonOptions build() {
      return new JsonOptions(
          ignore,
          tolerance,
          unorderedArrays,
          keyedArrays,
          treatNullAsAbsent,
          extraFieldsAllowed,
          lenientTypes);
    }
  }

  /** A copy with the changes {@code change} makes to its fields. */
  public JsonOptions with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  public JsonOptions withIgnore(List<JsonPath> paths) {
    return with(b -> b.ignore = paths);
  }

  public JsonOptions withTolerance(Tolerance t) {
    return with(b -> b.tolerance = t);
  }

  public JsonOptions withUnorderedArrays(List<JsonPath> paths) {
    return with(b -> b.unorderedArrays = paths);
  }

  public JsonOptions withKeyedArrays(Map<JsonPath, String> keys) {
    return with(b -> b.keyedArrays = keys);
  }

  public JsonOptions withTreatNullAsAbsent(boolean on) {
    return with(b -> b.treatNullAsAbsent = on);
  }

  public JsonOptions withExtraFieldsAllowed(boolean on) {
    return with(b -> b.extraFieldsAllowed = on);
  }

  public JsonOptions withLenientTypes(boolean on) {
    return with(b -> b.lenientTypes = on);
  }
}
