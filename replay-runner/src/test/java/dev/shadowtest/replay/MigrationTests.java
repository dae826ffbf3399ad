package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.ResultLine;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A major-version migration of a REST server, modelled on json-server 0.17 → 1.0: the new
 * version pages with an envelope ({@code first/prev/next/last/pages/items/data}) instead of
 * {@code Link} and {@code X-Total-Count} headers, takes {@code _per_page} instead of
 * {@code _limit}, has no nested {@code /posts/{id}/comments} (it is {@code /comments?postId=}),
 * writes ids as strings, drops the charset from Content-Type, answers 404 with text, and no
 * longer supports full-text search ({@code q}). Two legacy instances (each linking to its own
 * port) and the candidate run on loopback; the rules are the ones a team would write. Every
 * count is exact.
 */
@Timeout(60)
class MigrationTests {

  static final String RULES =
      """
      version: 1
      defaults:
        lenientTypes: true                        # ids became strings
        ignoreHeaders: [X-Powered-By]
        normalizeHeaders:
          Content-Type: ";\\\\s*charset=[^;]*"     # v1 drops the charset
        byStatus:
          "404": {ignore: ["$"], ignoreHeaders: [Content-Type]}
      endpoints:
        - match: "GET /posts?_page"
          candidateRoot: "$.data"                 # the page is wrapped in an envelope
          accepted:
            - {path: "header:Link", type: MISSING, reason: "v1 pages with first/prev/next/last in the body"}
            - {path: "header:X-Total-Count", type: MISSING, reason: "v1 counts items in the body"}
        - match: "GET /posts"
          splitByQueryNames: true                 # paging, sorting and search are different behaviours
      transforms:
        - match: "GET /posts?_limit"
          candidate:
            renameQuery: {_limit: _per_page}
        - match: "GET /posts/{id}/comments"
          candidate:
            path: "/comments?postId={id}"
      """;

  record Post(int id, String title, int views) {}

  static final List<Post> POSTS =
      IntStream.rangeClosed(1, 100)
          .mapToObj(i -> new Post(i, "post " + i, (i * 37) % 500))
          .toList();

  @TempDir Path dir;

  static String post(Post p, boolean v1) {
    String id = v1 ? "\"" + p.id() + "\"" : Integer.toString(p.id());
    return "{\"id\":" + id + ",\"title\":\"" + p.title() + "\",\"views\":" + p.views() + "}";
  }

  static String array(List<Post> posts, boolean v1) {
    return posts.stream().map(p -> post(p, v1)).collect(Collectors.joining(",", "[", "]"));
  }

  static String comments(int postId, boolean v1) {
    return IntStream.of(2 * postId - 1, 2 * postId)
        .mapToObj(
            c ->
                v1
                    ? "{\"id\":\""
                        + c
                        + "\",\"postId\":\""
                        + postId
                        + "\",\"body\":\"comment "
                        + c
                        + "\"}"
                    : "{\"id\":" + c + ",\"postId\":" + postId + ",\"body\":\"comment " + c + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  static Map<String, String> query(String target) {
    Map<String, String> q = new LinkedHashMap<>();
    int at = target.indexOf('?');
    if (at >= 0) {
      for (String part : target.substring(at + 1).split("&")) {
        int eq = part.indexOf('=');
        q.put(
            part.substring(0, eq),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  /** json-server 0.17 (legacy) or 1.0 (candidate), enough of it for this traffic. */
  static TestServer.Reply server(TestServer.Seen s, boolean v1) {
    String path = s.target().replaceAll("\\?.*", "");
    Map<String, String> q = query(s.target());
    String json = v1 ? "application/json" : "application/json; charset=utf-8";
    Map<String, String> headers = v1 ? Map.of() : Map.of("X-Powered-By", "Express");
    if (path.equals("/posts")) {
      List<Post> posts = new ArrayList<>(POSTS);
      if (q.containsKey("q") && !v1) { // full-text search: gone in v1
        posts.removeIf(p -> !p.title().contains(q.get("q")));
      }
      if (q.containsKey("_sort")) {
        posts.sort(Comparator.comparingInt(Post::views).thenComparingInt(Post::id));
      }
      if (q.containsKey("_page")) {
        int page = Integer.parseInt(q.get("_page"));
        int per = Integer.parseInt(q.getOrDefault(v1 ? "_per_page" : "_limit", "10"));
        List<Post> slice = posts.subList((page - 1) * per, Math.min(posts.size(), page * per));
        int pages = (posts.size() + per - 1) / per;
        if (v1) {
          return new TestServer.Reply(
              200,
              json,
              "{\"first\":1,\"prev\":"
                  + (page > 1 ? page - 1 : null)
                  + ",\"next\":"
                  + (page < pages ? page + 1 : null)
                  + ",\"last\":"
                  + pages
                  + ",\"pages\":"
                  + pages
                  + ",\"items\":"
                  + posts.size()
                  + ",\"data\":"
                  + array(slice, true)
                  + "}",
              0,
              headers);
        }
        String base = "http://" + s.host() + "/posts?_page=";
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("X-Total-Count", Integer.toString(posts.size()));
        h.put(
            "Link",
            "<"
                + base
                + "1&_limit="
                + per
                + ">; rel=\"first\", <"
                + base
                + (page + 1)
                + "&_limit="
                + per
                + ">; rel=\"next\", <"
                + base
                + pages
                + "&_limit="
                + per
                + ">; rel=\"last\"");
        return new TestServer.Reply(200, json, array(slice, false), 0, h);
      }
      return new TestServer.Reply(200, json, array(posts, v1), 0, headers);
    }
    if (v1 && path.equals("/comments")) {
      return new TestServer.Reply(
          200, json, comments(Integer.parseInt(q.get("postId")), true), 0, headers);
    }
    String[] seg = path.split("/");
    if (seg.length >= 3 && seg[1].equals("posts")) {
      int id = Integer.parseInt(seg[2]);
      if (id <= POSTS.size() && seg.length == 3) {
        return new TestServer.Reply(200, json, post(POSTS.get(id - 1), v1), 0, headers);
      }
      if (id <= POSTS.size() && seg.length == 4 && seg[3].equals("comments") && !v1) {
        return new TestServer.Reply(200, json, comments(id, false), 0, headers);
      }
    }
    return v1
        ? new TestServer.Reply(404, "text/plain", "Not Found", 0)
        : new TestServer.Reply(404, json, "{}", 0, headers);
  }

  static List<Exchange> traffic() {
    List<Exchange> out = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      out.add(get("page" + i, "/posts?_page=" + (i % 6 + 1) + "&_limit=10"));
    }
    for (int i = 1; i <= 40; i++) {
      out.add(get("post" + i, "/posts/" + i));
    }
    for (int i = 0; i < 10; i++) {
      out.add(get("missing" + i, "/posts/" + (900 + i)));
    }
    for (int i = 1; i <= 20; i++) {
      out.add(get("comments" + i, "/posts/" + i + "/comments"));
    }
    for (int i = 0; i < 20; i++) {
      out.add(get("sort" + i, "/posts?_sort=views"));
    }
    for (int i = 0; i < 20; i++) {
      out.add(get("search" + i, "/posts?q=post%20" + (i % 9 + 1)));
    }
    return out;
  }

  static Exchange get(String id, String target) {
    return ReplayerTests.exchange(
        id, "GET", target, 200, "[]"); // the primary's answers are the baseline
  }

  @Test
  void aMajorVersionMigrationIsJudgedExactlyWithTheRulesATeamWouldWrite() throws IOException {
    Path rec = dir.resolve("traffic.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("test", Redaction.none()))) {
      traffic().forEach(w::write);
    }
    try (TestServer primary = new TestServer(s -> server(s, false));
        TestServer secondary = new TestServer(s -> server(s, false));
        TestServer candidate = new TestServer(s -> server(s, true))) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("run"))
                      .withPrimary(primary.uri(), secondary.uri())
                      .withRules(Rules.parse(RULES, "shadow-rules.yaml")))
              .run(ShadowListener.NONE);

      Map<String, Statistics.EndpointResult> byName =
          r.result().endpoints().stream()
              .collect(Collectors.toMap(Statistics.EndpointResult::endpoint, e -> e));
      assertThat(byName.keySet())
          .containsExactlyInAnyOrder(
              "GET /posts?_page",
              "GET /posts/{id}",
              "GET /posts/{id}/comments",
              "GET /posts?_sort",
              "GET /posts?q");
      // name, exchanges, compared, matched, accepted, discrepant, noise, rewritten
      assertCounts(byName.get("GET /posts?_page"), 60, 60, 60, 60, 0, 0, 60);
      assertCounts(byName.get("GET /posts/{id}"), 50, 50, 50, 0, 0, 0, 0);
      assertCounts(byName.get("GET /posts/{id}/comments"), 20, 20, 20, 0, 0, 0, 20);
      assertCounts(byName.get("GET /posts?_sort"), 20, 20, 20, 0, 0, 0, 0);
      assertCounts(byName.get("GET /posts?q"), 20, 20, 0, 0, 20, 0, 0);

      assertThat(r.result().compared()).isEqualTo(170);
      assertThat(r.result().discrepant()).isEqualTo(20);
      assertThat(r.passed()).isFalse(); // search is gone: 11.76% > 0.5%
      assertThat(r.gateFailures())
          .singleElement()
          .asString()
          .startsWith("discrepancy rate 11.76% is above 0.50% (20 of 170");

      Statistics.EndpointResult pages = byName.get("GET /posts?_page");
      assertThat(pages.fields()).isEmpty();
      assertThat(pages.acceptedFields())
          .extracting(
              Statistics.AcceptedResult::field,
              Statistics.AcceptedResult::type,
              Statistics.AcceptedResult::count,
              Statistics.AcceptedResult::reason)
          .containsExactlyInAnyOrder(
              Tuple.tuple(
                  "header:link",
                  DifferenceType.MISSING,
                  60L,
                  "v1 pages with first/prev/next/last in the body"),
              Tuple.tuple(
                  "header:x-total-count",
                  DifferenceType.MISSING,
                  60L,
                  "v1 counts items in the body"));
      assertThat(byName.get("GET /posts?q").fields())
          .extracting(Statistics.FieldResult::field, Statistics.FieldResult::type)
          .contains(Tuple.tuple("$", DifferenceType.ARRAY_SIZE));

      // the candidate was asked the rewritten requests, the primary the original ones
      assertThat(candidate.seen)
          .extracting(TestServer.Seen::target)
          .contains("/posts?_page=1&_per_page=10", "/comments?postId=7")
          .noneMatch(t -> t.contains("_limit"));
      assertThat(primary.seen)
          .extracting(TestServer.Seen::target)
          .contains("/posts?_page=1&_limit=10", "/posts/7/comments");
      List<ResultLine> lines = ReplayerTests.lines(dir.resolve("run"));
      assertThat(lines)
          .filteredOn(l -> l.id().equals("comments7"))
          .singleElement()
          .extracting(ResultLine::candidateTarget)
          .isEqualTo("/comments?postId=7");
    }
  }

  static void assertCounts(
      Statistics.EndpointResult e,
      long exchanges,
      long compared,
      long matched,
      long accepted,
      long discrepant,
      long noise,
      long rewritten) {
    assertThat(
            new long[] {
              e.exchanges(),
              e.compared(),
              e.matched(),
              e.accepted(),
              e.discrepant(),
              e.noise(),
              e.rewritten()
            })
        .as(
            e.endpoint()
                + " (exchanges, compared, matched, accepted, discrepant, noise, rewritten); fields "
                + e.fields())
        .containsExactly(exchanges, compared, matched, accepted, discrepant, noise, rewritten);
  }
}
