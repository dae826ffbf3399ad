package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The samples of a text exposition (format 0.0.4), read back for assertions: each sample line is
 * keyed by its name and its labels in name order, {@code name{a="x",b="y"}}.
 */
public final class ScrapedSamples {

  private final Map<String, Double> values = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> labels = new LinkedHashMap<>();
  private final Map<String, String> types = new LinkedHashMap<>();

  private ScrapedSamples() {}

  public static ScrapedSamples parse(String text) {
    ScrapedSamples s = new ScrapedSamples();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        s.types.put(parts[2], parts[3]);
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        s.sample(line);
      }
    }
    return s;
  }

  private void sample(String line) {
    int brace = line.indexOf('{');
    int space = line.lastIndexOf(' ');
    String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
    Map<String, String> ls = new TreeMap<>();
    if (brace >= 0) {
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        StringBuilder value = new StringBuilder();
        int j = eq + 2; // past ="
        while (line.charAt(j) != '"') {
          char c = line.charAt(j++);
          if (c == '\\') {
            char e = line.charAt(j++);
            value.append(e == 'n' ? '\n' : e);
          } else {
            value.append(c);
          }
        }
        ls.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
    }
    String key = key(name, ls);
    assertThat(values).as("samples").doesNotContainKey(key);
    values.put(key, Double.valueOf(line.substring(space + 1)));
    labels.put(key, ls);
  }

  private static String key(String name, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return name;
    }
    StringBuilder b = new StringBuilder(name).append('{');
    labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
    b.setLength(b.length() - 1);
    return b.append('}').toString();
  }

  /** The value of the sample with this name and these label pairs ({@code "verdict", "match"}). */
  public double value(String name, String... labelPairs) {
    Map<String, String> ls = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      ls.put(labelPairs[i], labelPairs[i + 1]);
    }
    String key = key(name, ls);
    assertThat(values).as("samples").containsKey(key);
    return values.get(key);
  }

  /** The values a label takes among the samples of this name. */
  public Set<String> labelValues(String name, String label) {
    Set<String> out = new TreeSet<>();
    labels.forEach(
        (key, ls) -> {
          if (key.equals(name) || key.startsWith(name + "{")) {
            if (ls.containsKey(label)) {
              out.add(ls.get(label));
            }
          }
        });
    return out;
  }

  /** Every metric family and its {@code # TYPE}. */
  Map<String, String> types() {
    return types;
  }

  /** The label names of a family's samples, a histogram's {@code le} left out. */
  Set<String> labelNames(String family) {
    Set<String> out = new TreeSet<>();
    labels.forEach(
        (key, ls) -> {
          String name = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
          if (name.equals(family)
              || (types.get(family).equals("histogram")
                  && List.of(family + "_bucket", family + "_count", family + "_sum")
                      .contains(name))) {
            out.addAll(ls.keySet());
          }
        });
    out.remove("le");
    return out;
  }

  /** The {@code # TYPE} of a metric family. */
  String type(String family) {
    return types.get(family);
  }
}
