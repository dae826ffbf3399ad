package dev.shadowtest.diff;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A body comparator of the tests' own, found through ServiceLoader (META-INF/services in the test
 * resources): {@code text/csv} rows compared as a multiset, the header row apart when the rules
 * say {@code comparators: {csv: {header: "true"}}}.
 */
public final class CsvComparator implements BodyComparator {

  @Override
  public String name() {
    return "csv";
  }

  @Override
  public boolean accepts(String mediaType, byte[] body) {
    return mediaType.equals("text/csv");
  }

  @Override
  public Set<String> optionNames() {
    return Set.of("header");
  }

  @Override
  public void compare(
      byte[] expected, byte[] actual, Context context, List<Difference> out, List<String> notes) {
    List<String> e = rows(expected);
    List<String> a = rows(actual);
    if ("true".equals(context.options().get("header"))) {
      String eh = e.isEmpty() ? "" : e.remove(0);
      String ah = a.isEmpty() ? "" : a.remove(0);
      if (!eh.equals(ah)) {
        out.add(new Difference("csv:header", "csv:header", DifferenceType.VALUE, eh, ah));
      }
    }
    Map<String, Integer> count = new HashMap<>();
    e.forEach(r -> count.merge(r, 1, Integer::sum));
    a.forEach(r -> count.merge(r, -1, Integer::sum));
    count.forEach(
        (row, n) -> {
          if (n > 0) {
            out.add(new Difference("csv:row", "csv:row", DifferenceType.MISSING, row, null));
          } else if (n < 0) {
            out.add(new Difference("csv:row", "csv:row", DifferenceType.EXTRA, null, row));
          }
        });
  }

  private static List<String> rows(byte[] body) {
    List<String> out = new ArrayList<>();
    for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.add(line.strip());
      }
    }
    return out;
  }
}
