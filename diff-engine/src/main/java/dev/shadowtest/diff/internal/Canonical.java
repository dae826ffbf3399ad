package dev.shadowtest.diff.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A canonical string for a JSON value: members sorted by name, numbers normalised, ignored
 * subtrees and (with treatNullAsAbsent) null members left out. Equal canonical forms mean equal
 * values under the options, which lets arrays be matched by hashing. Iterative.
 */
final class Canonical {

  private Canonical() {}

  /** {@code comparator} supplies the options; null means none (plain canonical form). */
  static String of(JsonNode root, Loc rootLoc, JsonComparator comparator) {
    StringBuilder sb = new StringBuilder();
    ArrayDeque<Object> stack = new ArrayDeque<>(); // String literals or Item
    stack.push(new Item(root, rootLoc));
    while (!stack.isEmpty()) {
      Object top = stack.pop();
      if (top instanceof String literal) {
        sb.append(literal);
        continue;
      }
      Item item = (Item) top;
      JsonNode n = item.node;
      if (n.isObject()) {
        List<String> names = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          if (comparator != null && comparator.treatNullAsAbsent() && f.getValue().isNull()) {
            continue;
          }
          if (comparator != null && comparator.ignored(item.loc.child(f.getKey()))) {
            continue;
          }
          names.add(f.getKey());
        }
        names.sort(null);
        stack.push("}");
        for (int i = names.size() - 1; i >= 0; i--) {
          String name = names.get(i);
          stack.push(new Item(n.get(name), item.loc.child(name)));
          stack.push((i > 0 ? "," : "") + quote(name) + ":");
        }
        stack.push("{");
      } else if (n.isArray()) {
        stack.push("]");
        for (int i = n.size() - 1; i >= 0; i--) {
          stack.push(new Item(n.get(i), item.loc.child(i)));
          if (i > 0) {
            stack.push(",");
          }
        }
        stack.push("[");
      } else if (n.isNumber()) {
        sb.append('#').append(JsonComparator.number(n.decimalValue()));
      } else if (n.isTextual()) {
        BigDecimal lenient =
            comparator != null && comparator.lenientTypes()
                ? JsonComparator.lenientNumber(n.textValue())
                : null;
        if (lenient != null) {
          sb.append('#')
              .append(
                  JsonComparator.number(lenient)); // "1" and 1 are one element under lenientTypes
        } else if (comparator != null
            && comparator.lenientTypes()
            && (n.textValue().equals("true") || n.textValue().equals("false"))) {
          sb.append(n.textValue());
        } else {
          sb.append(quote(n.textValue()));
        }
      } else {
        sb.append(n.asText()); // true, false, null
      }
    }
    return sb.toString();
  }

  private record Item(JsonNode node, Loc loc) {}

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('"').toString();
  }
}
