package dev.shadowtest.junit;

import dev.shadowtest.core.BadInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ${name}} and {@code ${name:default}}, from system properties, then environment variables. */
final class Placeholders {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");

  private Placeholders() {}

  static String resolve(String attribute, String value) {
    Matcher m = PLACEHOLDER.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1).strip();
      String v = System.getProperty(name);
      if (v == null) {
        v = System.getenv(name);
      }
      if (v == null) {
        v = m.group(2);
      }
      if (v == null) {
        throw new BadInputException(
            attribute
                + " = \""
                + value
                + "\": "
                + name
                + " is neither a system property nor an environment variable (set it, or write ${"
                + name
                + ":default})");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}
