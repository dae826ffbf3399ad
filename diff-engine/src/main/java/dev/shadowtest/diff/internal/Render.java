package dev.shadowtest.diff.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compact JSON text of a value, cut at a length limit; iterative, so any depth is fine. */
public final class Render {

  private Render() {}

  public static String abbreviate(JsonNode root, int max) {
    StringBuilder sb = new StringBuilder();
    ArrayDeque<Object> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty() && sb.length() <= max) {
      Object top = stack.pop();
      if (top instanceof String literal) {
        sb.append(literal);
        continue;
      }
      JsonNode n = (JsonNode) top;
      if (n.isObject()) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
        n.fields().forEachRemaining(members::add);
        stack.push("}");
        for (int i = members.size() - 1; i >= 0; i--) {
          stack.push(members.get(i).getValue());
          stack.push((i > 0 ? "," : "") + quote(members.get(i).getKey()) + ":");
        }
        stack.push("{");
      } else if (n.isArray()) {
        stack.push("]");
        for (int i = n.size() - 1; i >= 0; i--) {
          stack.push(n.get(i));
          if (i > 0) {
            stack.push(",");
          }
        }
        stack.push("[");
      } else if (n.isTextual()) {
        sb.append(quote(n.textValue()));
      } else {
        sb.append(n.asText());
      }
    }
    if (sb.length() > max || !stack.isEmpty()) {
      sb.setLength(Math.min(sb.length(), max));
      sb.append('…');
    }
    return sb.toString();
  }

  static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
