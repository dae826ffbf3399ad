package dev.shadowtest.diff;

import dev.shadowtest.core.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the bodies of one kind of media type: JSON, XML, form, text and binary are built in;
 * more are found through {@code ServiceLoader} ({@code
 * META-INF/services/dev.shadowtest.diff.BodyComparator}) and asked first, so one can also take a
 * media type over from a built-in. A body's comparator is the first that {@link #accepts} the
 * baseline's media type; bodies arrive decoded (gzip, deflate, br) and, for {@link #textual}
 * comparators, with each side's address replaced. Implementations are stateless and thread-safe.
 *
 * <pre>{@code
 * public final class CsvComparator implements BodyComparator {
 *   public String name() { return "csv"; }
 *   public boolean accepts(String mediaType, byte[] body) { return mediaType.equals("text/csv"); }
 *   public void compare(byte[] expected, byte[] actual, Context context,
 *       List<Difference> out, List<String> notes) {
 *     // rows as sets: order free
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Rules give a comparator options by its name ({@code comparators: {csv: {header: "true"}}},
 * docs/rules.md); it declares which it takes in {@link #optionNames()}, and others are refused
 * when the rules are read.
 */
public interface BodyComparator {

  /** Its name in rules and notes: lower case, unique ({@code json}, {@code xml}...). */
  String name();

  /**
   * True when it compares bodies of {@code mediaType} (lower case, without parameters; empty
   * when the response has none); {@code body} is the decoded body, for sniffing.
   */
  boolean accepts(String mediaType, byte[] body);

  /**
   * Adds the differences between the baseline's ({@code expected}) and the candidate's ({@code
   * actual}) bodies to {@code out}, each with a path (what exactly differs, e.g. {@code
   * $.items[2].price}) and a field (the path generalised, by which the summary counts, e.g.
   * {@code $.items[*].price}); {@code notes} get what a reviewer should know of the comparison.
   * Never throws on bad input: a body that does not parse as its kind is compared as text ({@link
   * #compareAsText}) with a note.
   */
  void compare(
      byte[] expected, byte[] actual, Context context, List<Difference> out, List<String> notes);

  /** Option names the rules may give it ({@code comparators: {name: {option: value}}}). */
  default Set<String> optionNames() {
    return Set.of();
  }

  /** True when its bodies are text in which each side's address may be replaced (not binary). */
  default boolean textual() {
    return true;
  }

  /**
   * The form a run keeps of a compared pair so that it can be judged again under other rules
   * ({@code shadow report --rules}): bodies that {@link #compare} judges exactly as the pair
   * itself under any rules and options, with every value that is not needed for that replaced
   * by its pseudonym. Null when this comparator has none (the default): exchanges it compared
   * are then not re-judged, and re-judging their run is refused with that reason.
   */
  default Stored store(byte[] expected, byte[] actual, Pseudonyms pseudonyms) {
    return null;
  }

  /**
   * A stored pair and the comparator that judges it (the JSON comparator stores a pair that does
   * not parse as text, as it compares it).
   */
  record Stored(byte[] expected, byte[] actual, String comparator) {}

  /**
   * What a comparison may use beyond the bodies: the rule's JSON options and projections, and the
   * comparators' options from the rules ({@link #options()}: those of the comparator at work).
   *
   * @param comparator  the name of the comparator at work
   * @param comparators every comparator's options, by name
   */
  record Context(
      JsonOptions json,
      JsonPath expectedRoot,
      JsonPath actualRoot,
      String comparator,
      Map<String, Map<String, String>> comparators) {
    public Context {
      comparators = Map.copyOf(comparators);
    }

    /** The options the rules give the comparator at work. */
    public Map<String, String> options() {
      return comparators.getOrDefault(comparator, Map.of());
    }

    /** This context for another comparator (a fallback). */
    public Context of(String name) {
      return new Context(json, expectedRoot, actualRoot, name, comparators);
    }
  }

  /**
   * The built-in text comparison (lines), with the text comparator's options, for a body that does
   * not parse as its kind.
   */
  static void compareAsText(
      byte[] expected, byte[] actual, Context context, List<Difference> out, List<String> notes) {
    BodyComparators.named("text").compare(expected, actual, context.of("text"), out, notes);
  }
}
