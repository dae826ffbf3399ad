package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code transforms:} section of a rules file: how requests are changed before they are
 * sent. Version 1 rewrites the candidate's request only (the baseline is always asked the
 * original request): a new path template ({@code /posts/{id}/comments} → {@code /comments?postId={id}})
 * and query parameter renames ({@code _limit} → {@code _per_page}). Later request transforms
 * (credentials, time shift, value chaining) extend this section.
 *
 * <pre>{@code
 * HttpRequest sent = rules.transforms().forCandidate(recorded.request());   // same instance when nothing applies
 * }</pre>
 */
public final class Transforms {

  private static final Transforms NONE = new Transforms(List.of());
  private static final Pattern PARAMETER = Pattern.compile("\\{([^{}/?&=]+)}");

  /**
   * One entry: requests matching {@code match} are rewritten for the candidate.
   *
   * @param path        the candidate's new path (and query) template, with {@code {name}} taken from
   *                    the match's path parameters, or null to keep the path
   * @param renameQuery query parameter names to rename (decoded name → new name)
   * @param line        the entry's line in the rules file
   */
  public record Rewrite(
      EndpointTemplate match, String path, Map<String, String> renameQuery, int line) {
    public Rewrite {
      Objects.requireNonNull(match, "match");
      renameQuery = Collections.unmodifiableMap(new LinkedHashMap<>(renameQuery));
    }

    /** What this rewrite does, for reports: {@code GET /posts → candidate: _limit→_per_page}. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      if (path != null) {
        parts.add("path " + path);
      }
      renameQuery.forEach((k, v) -> parts.add("query " + k + " → " + v));
      return match + " → candidate: " + String.join(", ", parts);
    }

    /** Checks the path template against the match's parameters; the message says what is wrong. */
    static void check(EndpointTemplate match, String path) {
      if (!path.startsWith("/")) {
        throw new BadInputException("must start with '/', got \"" + path + "\"");
      }
      Map<String, String> known =
          match.parameters(match.pathText().substring(match.pathText().indexOf(' ') + 1));
      Matcher m = PARAMETER.matcher(path);
      while (m.find()) {
        if (!known.containsKey(m.group(1))) {
          throw new BadInputException(
              "{" + m.group(1) + "} is not a parameter of \"" + match + "\"");
        }
      }
    }
  }

  private final List<Rewrite> rewrites;

  Transforms(List<Rewrite> rewrites) {
    this.rewrites = List.copyOf(rewrites);
  }

  /** No transforms. */
  public static Transforms none() {
    return NONE;
  }

  public List<Rewrite> rewrites() {
    return rewrites;
  }

  public boolean isEmpty() {
    return rewrites.isEmpty();
  }

  /** The rewrite for a request: of the matching entries, the one with most query names, then the first. */
  public Rewrite rewriteFor(String method, String target) {
    Rewrite best = null;
    for (Rewrite r : rewrites) {
      if (r.match().matches(method, target)
          && (best == null || r.match().queryNameCount() > best.match().queryNameCount())) {
        best = r;
      }
    }
    return best;
  }

  /** The request as the candidate is sent it: {@code request} itself when no rewrite applies. */
  public HttpRequest forCandidate(HttpRequest request) {
    if (rewrites.isEmpty()) {
      return request;
    }
    Rewrite r = rewriteFor(request.method(), request.target());
    if (r == null) {
      return request;
    }
    String target = rewrite(r, request.target());
    return target.equals(request.target())
        ? request
        : new HttpRequest(
            request.method(), target, request.httpVersion(), request.headers(), request.body());
  }

  static String rewrite(Rewrite r, String target) {
    String path = EndpointTemplate.pathOf(target);
    String rawQuery = EndpointTemplate.rawQueryOf(target);
    List<String> query = new ArrayList<>();
    if (r.path() != null) {
      Map<String, String> params = r.match().parameters(target);
      Matcher m = PARAMETER.matcher(r.path());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(
            sb, Matcher.quoteReplacement(params.getOrDefault(m.group(1), m.group())));
      }
      m.appendTail(sb);
      String t = sb.toString();
      int q = t.indexOf('?');
      path = q < 0 ? t : t.substring(0, q);
      if (q >= 0 && q + 1 < t.length()) {
        query.add(t.substring(q + 1));
      }
    }
    if (rawQuery != null) {
      for (String piece : rawQuery.split("&")) {
        if (piece.isEmpty()) {
          continue;
        }
        int eq = piece.indexOf('=');
        String name = EndpointTemplate.decode(eq < 0 ? piece : piece.substring(0, eq));
        String renamed = r.renameQuery().get(name);
        query.add(
            renamed == null
                ? piece
                : URLEncoder.encode(renamed, StandardCharsets.UTF_8)
                    + (eq < 0 ? "" : piece.substring(eq)));
      }
    }
    return query.isEmpty() ? path : path + "?" + String.join("&", query);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Transforms t && rewrites.equals(t.rewrites);
  }

  @Override
  public int hashCode() {
    return rewrites.hashCode();
  }
}
