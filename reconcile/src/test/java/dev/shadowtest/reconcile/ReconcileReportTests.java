package dev.shadowtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.reconcile.ReconcileResult.AggregateResult;
import dev.shadowtest.reconcile.ReconcileResult.Checksum;
import dev.shadowtest.reconcile.ReconcileResult.ColumnDifference;
import dev.shadowtest.reconcile.ReconcileResult.DatasetResult;
import dev.shadowtest.reconcile.ReconcileResult.GroupResult;
import dev.shadowtest.reconcile.ReconcileResult.Kind;
import dev.shadowtest.reconcile.ReconcileResult.RowDifference;
import dev.shadowtest.reconcile.ReconcileSpec.Database;
import dev.shadowtest.reconcile.ReconcileSpec.Thresholds;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * report.html from hand-built results: what it shows, how it escapes what the databases hold, and
 * the page in a real headless Chromium (Debian's chromium + chromium-driver, as the reports
 * module's BrowserTests; with SHADOW_REQUIRE_BROWSER set a missing browser fails instead of
 * skipping).
 */
class ReconcileReportTests {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Each payload sets window.__xss (or shows an alert) if it ever runs. */
  static final List<String> XSS =
      List.of(
          "<script>alert(1)</script>",
          "\"><img src=x onerror=alert(1)>",
          "'><img src=x onerror='window.__xss=3'>",
          "</title><script>window.__xss=4</script>",
          "</style><script>window.__xss=5</script>",
          "<svg onload=window.__xss=6>",
          "javascript:window.__xss=7",
          "--><script>window.__xss=8</script><!--",
          "</textarea><a href=\"javascript:window.__xss=9\">x</a>",
          "${7*7}{{7*7}}@{x}<%= 7*7 %>");

  static final Instant STARTED = Instant.parse("2026-11-24T02:00:00Z");
  static final Instant FINISHED = Instant.parse("2026-11-24T02:03:25Z");

  @TempDir Path dir;

  static ReconcileSpec spec(String source) {
    return new ReconcileSpec(
        source,
        new Database("jdbc:h2:mem:legacy;password=secret", "sa", null),
        new Database("jdbc:postgresql://new/shop", "shop", null),
        Thresholds.DEFAULTS,
        List.of(),
        List.of());
  }

  static DatasetResult dataset(
      String name,
      long matched,
      long onlyLegacy,
      long onlyCandidate,
      long changed,
      Map<String, Long> byColumn,
      List<RowDifference> sample,
      Checksum checksum) {
    return new DatasetResult(
        name, matched, onlyLegacy, onlyCandidate, changed, byColumn, sample, checksum);
  }

  static RowDifference changedRow(String key, ColumnDifference... columns) {
    return new RowDifference(Kind.CHANGED, List.of(key), List.of(columns));
  }

  /**
   * customers: confirmed by checksum; orders: 2 changed of 10000 (0.02%, investigate); payments: 3
   * of 100 (3%, pause); refunds: 1 of 10000 (0.01%, at the threshold: ok).
   */
  static ReconcileResult result() {
    Map<String, Long> orderColumns = new LinkedHashMap<>();
    orderColumns.put("amount", 1L);
    orderColumns.put("status", 0L);
    orderColumns.put("note", 1L);
    return new ReconcileResult(
        List.of(
            dataset("customers", 5000, 0, 0, 0, Map.of(), List.of(), Checksum.AGREED),
            dataset(
                "orders",
                9998,
                0,
                0,
                2,
                orderColumns,
                List.of(
                    changedRow("17", new ColumnDifference("amount", "10.00", "10.05")),
                    changedRow("42", new ColumnDifference("note", "", null))),
                Checksum.DIFFERED),
            dataset(
                "payments",
                97,
                1,
                1,
                1,
                Map.of("card", 1L),
                List.of(
                    new RowDifference(Kind.ONLY_LEGACY, List.of("p-1"), List.of()),
                    changedRow("p-2", new ColumnDifference("card", "***", "***")),
                    new RowDifference(Kind.ONLY_CANDIDATE, List.of("p-3"), List.of())),
                Checksum.NOT_USED),
            dataset(
                "refunds",
                9999,
                0,
                0,
                1,
                Map.of("reason", 1L),
                List.of(changedRow("r-1", new ColumnDifference("reason", "NULL", null))),
                Checksum.DIFFERED)),
        List.of(
            new AggregateResult(
                "open amount",
                List.of(
                    new GroupResult("", new BigDecimal("300.00"), new BigDecimal("300.00"), true))),
            new AggregateResult(
                "orders by region",
                List.of(
                    new GroupResult("EU", new BigDecimal("12"), new BigDecimal("12"), true),
                    new GroupResult("US", new BigDecimal("7"), new BigDecimal("9"), false),
                    new GroupResult("APAC", null, new BigDecimal("1"), false)))),
        Thresholds.DEFAULTS,
        STARTED,
        FINISHED);
  }

  static ReconcileSummary summary(ReconcileResult r) {
    return ReconcileSummary.of(spec("conf/reconcile.yaml"), r, r.differing(), 0);
  }

  /** A run of the history: {@code differing} of 10000 rows, finished on {@code day}. */
  static ReconcileSummary earlier(String day, long differing) {
    Instant finished = Instant.parse(day + "T02:00:00Z");
    ReconcileResult r =
        new ReconcileResult(
            List.of(
                dataset(
                    "orders",
                    10_000 - differing,
                    0,
                    0,
                    differing,
                    Map.of(),
                    List.of(),
                    Checksum.DIFFERED)),
            List.of(),
            Thresholds.DEFAULTS,
            finished.minusSeconds(60),
            finished);
    return ReconcileSummary.of(spec("conf/reconcile.yaml"), r, differing, 0);
  }

  Path write(ReconcileResult r, List<ReconcileSummary> trend) {
    return write(summary(r), r, trend);
  }

  Path write(ReconcileSummary s, ReconcileResult r, List<ReconcileSummary> trend) {
    Path file = dir.resolve("report.html");
    ReconcileReport.write(file, s, r, trend);
    return file;
  }

  /** The text of the first element with this id (its tags dropped). */
  static String section(String html, String id) {
    int start = html.indexOf("id=\"" + id + "\"");
    assertThat(start).as("element #" + id).isNotNegative();
    String tag = html.substring(html.lastIndexOf('<', start) + 1, start).split("\\s")[0];
    int end = html.indexOf("</" + tag + ">", start);
    return html.substring(start, end);
  }

  static List<String> cells(String html, String cls) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<td class=\"" + cls + "\"[^>]*>(.*?)</td>").matcher(html);
    while (m.find()) {
      out.add(m.group(1).replaceAll("<[^>]+>", "").strip());
    }
    return out;
  }

  /** The texts of the cells of each row of a table's body. */
  static List<List<String>> rows(String table) {
    List<List<String>> out = new ArrayList<>();
    String body = table.substring(table.indexOf("<tbody"));
    Matcher row = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(body);
    while (row.find()) {
      List<String> cells = new ArrayList<>();
      Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(row.group(1));
      while (cell.find()) {
        cells.add(cell.group(1).replaceAll("<[^>]+>", "").replaceAll("\\s+", " ").strip());
      }
      out.add(cells);
    }
    return out;
  }

  @Test
  void theHeaderShowsTheVerdictTheExactDriftAndTheRun() throws IOException {
    String html = Files.readString(write(result(), List.of()));

    assertThat(html).contains("<title>Shadow reconciliation PAUSE: conf/reconcile.yaml</title>");
    assertThat(html).contains("<span id=\"verdict\" class=\"badge pause\">PAUSE</span>");
    // 6 of 25100 = 0.0239043...%
    assertThat(section(html, "overall-drift")).endsWith(">0.0239%");
    assertThat(section(html, "overall-counts"))
        .contains("drift: 6 differing of 25100 rows; investigate above 0.01%, pause above 0.1%");
    assertThat(html)
        .contains("<dt>legacy</dt><dd>jdbc:h2:mem:legacy;password=***</dd>")
        .contains("<dt>candidate</dt><dd>jdbc:postgresql://new/shop</dd>")
        .contains("<dt>spec</dt><dd>conf/reconcile.yaml</dd>")
        .contains("<dt>started</dt><dd>2026-11-24 02:00:00 UTC</dd>")
        .contains("<dt>finished</dt><dd>2026-11-24 02:03:25 UTC</dd>")
        .contains("<dt>duration</dt><dd>0h 03m 25s</dd>")
        .contains("<dt>aggregates</dt><dd>1 of 2 disagree</dd>")
        .doesNotContain("secret");
  }

  @Test
  void theDatasetsAreListedWorstFirstWithTheirCountsVerdictsAndChecksums() throws IOException {
    String table = section(Files.readString(write(result(), List.of())), "datasets");

    assertThat(cells(table, "name")).containsExactly("payments", "orders", "refunds", "customers");
    // name, matched, only legacy, only candidate, changed, union, drift, verdict, checksum, columns
    assertThat(rows(table))
        .containsExactly(
            List.of(
                "payments", "97", "1", "1", "1", "100", "3.0000%", "PAUSE", "not used", "card 1"),
            List.of(
                "orders",
                "9998",
                "0",
                "0",
                "2",
                "10000",
                "0.0200%",
                "INVESTIGATE",
                "differed: rows compared",
                "amount 1 note 1"), // a column that never differed is left out
            List.of(
                "refunds",
                "9999",
                "0",
                "0",
                "1",
                "10000",
                "0.0100%",
                "OK",
                "differed: rows compared",
                "reason 1"),
            List.of(
                "customers",
                "5000",
                "0",
                "0",
                "0",
                "5000",
                "0.0000%",
                "OK",
                "confirmed by checksum",
                ""));
    // a dataset with differences links to its rows; one confirmed by checksum has none
    assertThat(table)
        .contains("<a href=\"#ds-0\">payments</a>")
        .contains("<td class=\"name\">customers</td>");
  }

  @Test
  void eachDatasetShowsItsDifferingRowsSideBySide() throws IOException {
    String html = Files.readString(write(result(), List.of()));

    String payments = section(html, "ds-0");
    assertThat(payments).contains("<h3>payments <span class=\"erate pause\">3.0000%</span></h3>");
    assertThat(cells(payments, "key")).containsExactly("p-1", "p-2", "p-3");
    assertThat(cells(payments, "kind"))
        .containsExactly("only in legacy", "changed", "only in candidate");
    assertThat(cells(payments, "column")).containsExactly("–", "card", "–");
    assertThat(payments).contains("All 3 differing rows, in key order.");

    String orders = section(html, "ds-1");
    assertThat(orders)
        .contains(
            "<td class=\"column\">amount</td>\n"
                + "              <td class=\"value\"><span class=\"value\">10.00</span></td>\n"
                + "              <td class=\"value\"><span class=\"value\">10.05</span></td>");
    // NULL and the empty string never look alike, nor like the text "NULL"
    assertThat(orders)
        .contains(
            "<td class=\"value\"><span class=\"empty\">empty string</span></td>\n"
                + "              <td class=\"value\"><span class=\"null\">NULL</span></td>");
    String refunds = section(html, "ds-2");
    assertThat(refunds).contains("The one differing row.");
    assertThat(refunds)
        .contains(
            "<span class=\"value\">NULL</span></td>\n"
                + "              <td class=\"value\"><span class=\"null\">NULL</span>");
    // customers was confirmed by its checksums: no rows to show
    assertThat(html).doesNotContain("id=\"ds-3\"");
  }

  @Test
  void aSampledDatasetSaysHowManyOfItsRowsAreShownAndWhereTheRestAre() throws IOException {
    List<RowDifference> sample = new ArrayList<>();
    for (int i = 0; i < ReconcileResult.SAMPLE_SIZE; i++) {
      sample.add(changedRow(Integer.toString(i), new ColumnDifference("a", "x", "y")));
    }
    ReconcileResult r =
        new ReconcileResult(
            List.of(dataset("big", 750, 0, 0, 250, Map.of("a", 250L), sample, Checksum.DIFFERED)),
            List.of(),
            Thresholds.DEFAULTS,
            STARTED,
            FINISHED);

    String html = Files.readString(write(r, List.of()));
    assertThat(cells(section(html, "ds-0"), "key")).hasSize(100);
    assertThat(html)
        .contains("First 100 of 250 differing rows, in key order; all are in differences.csv.");

    // the CSV's limit cut the run's rows short: said so, once for the run and per dataset
    html = Files.readString(write(ReconcileSummary.of(spec("r.yaml"), r, 200, 50), r, List.of()));
    assertThat(html)
        .contains(
            "differences.csv holds 200 of the run's differing rows: 50 more were counted, not"
                + " written (its limit).")
        .contains(
            "First 100 of 250 differing rows, in key order; differences.csv holds them up to its"
                + " limit.");
  }

  @Test
  void aggregatesShowEachGroupOnBothSidesWithTheDifference() throws IOException {
    String html = Files.readString(write(result(), List.of()));

    assertThat(html)
        .contains("<h3>open amount <span class=\"badge ok\">agrees</span></h3>")
        .contains(
            "<td class=\"name\">(single value)</td><td>300.00</td><td>300.00</td><td>0.00</td>"
                + "<td class=\"outcome ok\">yes</td>")
        .contains("<h3>orders by region <span class=\"badge investigate\">disagrees</span></h3>")
        .contains(
            "<td class=\"name\">EU</td><td>12</td><td>12</td><td>0</td><td class=\"outcome ok\">yes</td>")
        .contains(
            "<td class=\"name\">US</td><td>7</td><td>9</td><td>+2</td>"
                + "<td class=\"outcome investigate\">no</td>")
        .contains(
            "<td class=\"name\">APAC</td><td>(none)</td><td>1</td><td>–</td>"
                + "<td class=\"outcome investigate\">no</td>");
  }

  @Test
  void anAggregateWithManyGroupsShowsThoseThatDisagreeFirstAndSaysHowManyMore() throws IOException {
    List<GroupResult> groups = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      boolean agrees = i % 1000 != 999;
      groups.add(
          new GroupResult(
              "g" + i, BigDecimal.valueOf(i), BigDecimal.valueOf(agrees ? i : i + 1), agrees));
    }
    ReconcileResult r =
        new ReconcileResult(
            List.of(),
            List.of(new AggregateResult("per customer", groups)),
            Thresholds.DEFAULTS,
            STARTED,
            FINISHED);

    String html = Files.readString(write(r, List.of()));
    List<String> names = cells(html, "name");
    assertThat(names).hasSize(ReconcileReport.MAX_GROUPS);
    assertThat(names.subList(0, 5)).containsExactly("g999", "g1999", "g2999", "g3999", "g4999");
    assertThat(names.get(5)).isEqualTo("g0");
    assertThat(html)
        .contains(
            "Showing 200 of 5000 groups (5 disagree, shown first); summary.json has them all.");
  }

  @Test
  void driftsShowEnoughDigitsToBeToldFromTheThresholds() {
    assertThat(ReconcileReport.percent(0.000123)).isEqualTo("0.0123%");
    assertThat(ReconcileReport.percent(0.0001)).isEqualTo("0.0100%");
    assertThat(ReconcileReport.percent(0.5)).isEqualTo("50.0000%");
    assertThat(ReconcileReport.percent(0)).isEqualTo("0.0000%");
    // a drift too small for four decimals is never shown as none
    assertThat(ReconcileReport.percent(1.0 / 10_000_000)).isEqualTo("0.000010%");
    assertThat(ReconcileReport.threshold(Thresholds.DEFAULTS.investigate())).isEqualTo("0.01%");
    assertThat(ReconcileReport.threshold(Thresholds.DEFAULTS.pause())).isEqualTo("0.1%");
  }

  @Test
  void theTrendDrawsEveryRunAndBothThresholds() throws IOException {
    ReconcileResult r = result();
    ReconcileSummary current = summary(r);
    List<ReconcileSummary> history =
        List.of(earlier("2026-11-21", 0), earlier("2026-11-22", 2), earlier("2026-11-23", 30));

    String html = Files.readString(write(current, r, history));
    String svg = section(html, "trend");
    assertThat(Pattern.compile("<circle ").matcher(svg).results().count()).isEqualTo(4);
    assertThat(svg)
        .contains("class=\"dot-ok\"><title>2026-11-21 02:00:00 UTC: 0.0000% (0 of 10000), OK")
        .contains("class=\"dot-investigate\"><title>2026-11-22 02:00:00 UTC: 0.0200% (2 of 10000)")
        .contains("class=\"dot-pause\"><title>2026-11-23 02:00:00 UTC: 0.3000% (30 of 10000)")
        .contains("0.0239% (6 of 25100), PAUSE (this run)")
        .contains("class=\"investigate\"/>")
        .contains("class=\"pause\"/>")
        .contains(">investigate 0.01%</text>")
        .contains(">pause 0.1%</text>");
    assertThat(rows(section(html, "trend-runs")).stream().map(row -> row.get(3)))
        .containsExactly("OK", "INVESTIGATE", "PAUSE", "PAUSE");

    // a history that already holds this run: it is not drawn twice
    List<ReconcileSummary> withCurrent = new ArrayList<>(history);
    withCurrent.add(current);
    svg = section(Files.readString(write(current, r, withCurrent)), "trend");
    assertThat(Pattern.compile("<circle ").matcher(svg).results().count()).isEqualTo(4);
  }

  @Test
  void withFewerThanTwoRunsThereIsNoTrend() throws IOException {
    String html = Files.readString(write(result(), List.of()));
    assertThat(html).doesNotContain("<svg").contains("No history:");

    ReconcileResult r = result();
    ReconcileSummary current = summary(r);
    html = Files.readString(write(current, r, List.of(current)));
    assertThat(html)
        .doesNotContain("<svg")
        .contains("The history holds no earlier run: the trend starts with the next one.");
  }

  @Test
  void theFileIsSelfContainedOwnerOnlyAndReplacedWhole() throws IOException {
    Path file = write(result(), List.of());
    String html = Files.readString(file);

    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left
    }
    // the replay report's stylesheet and the reconciliation's additions, allowed by their hash;
    // nothing else: no script, no image, no connection
    assertThat(html)
        .contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;sha256-")
        .contains(".badge.pass {")
        .contains(".badge.investigate {")
        .doesNotContain("<script")
        .doesNotContain("src=")
        .doesNotContain("http://")
        .doesNotContain("https://");
  }

  @Test
  void aFileThatCannotBeWrittenIsAnErrorNamingIt() throws IOException {
    Files.writeString(dir.resolve("a-file"), "");
    Path file = dir.resolve("a-file").resolve("report.html");
    ReconcileResult r = result();
    assertThatThrownBy(() -> ReconcileReport.write(file, summary(r), r, List.of()))
        .hasMessageStartingWith("cannot write " + file);
  }

  @Test
  void longValuesAreClippedAndTheReportStaysSmall() throws IOException {
    List<RowDifference> sample = new ArrayList<>();
    String huge = "<".repeat(100_000);
    for (int i = 0; i < ReconcileResult.SAMPLE_SIZE; i++) {
      sample.add(
          changedRow(
              huge + i,
              new ColumnDifference(huge, huge, huge + "!"),
              new ColumnDifference("b", "x".repeat(3000), "y")));
    }
    ReconcileResult r =
        new ReconcileResult(
            List.of(dataset(huge, 0, 0, 0, 100, Map.of(huge, 100L), sample, Checksum.DIFFERED)),
            List.of(),
            Thresholds.DEFAULTS,
            STARTED,
            FINISHED);

    Path file = write(r, List.of());
    assertThat(Files.size(file)).isLessThan(2_000_000);
    String html = Files.readString(file);
    assertThat(html)
        .contains("x".repeat(500) + "… (2500 more characters)")
        .doesNotContain("x".repeat(501))
        .contains("&lt;".repeat(500) + "… (99500 more characters)");
    // clipped by characters, never inside one: a character outside the BMP stays whole
    assertThat(ReconcileReport.text("😀".repeat(600)))
        .isEqualTo("😀".repeat(500) + "… (100 more characters)");
  }

  /** Every text the databases and the spec give, as a payload; control characters in each. */
  static ReconcileResult hostile() {
    List<DatasetResult> datasets = new ArrayList<>();
    List<AggregateResult> aggregates = new ArrayList<>();
    for (int i = 0; i < XSS.size(); i++) {
      String p = XSS.get(i) + "\u0000\u0007\u001b[31m\u007f\u0085\ud800";
      List<RowDifference> sample =
          List.of(
              new RowDifference(Kind.ONLY_LEGACY, List.of(p, "k" + i), List.of()),
              new RowDifference(
                  Kind.CHANGED,
                  List.of(p + "2"),
                  List.of(
                      new ColumnDifference(p, p, p + "!"), new ColumnDifference("c", null, p))));
      datasets.add(dataset(p + " " + i, 10, 1, 0, 1, Map.of(p, 1L), sample, Checksum.DIFFERED));
      aggregates.add(
          new AggregateResult(
              p, List.of(new GroupResult(p, BigDecimal.ONE, BigDecimal.TEN, false))));
    }
    return new ReconcileResult(datasets, aggregates, Thresholds.DEFAULTS, STARTED, FINISHED);
  }

  static ReconcileSummary hostileSummary(ReconcileResult r) {
    String p = String.join("", XSS);
    return ReconcileSummary.of(
        new ReconcileSpec(
            XSS.get(3) + "\u0001",
            new Database("jdbc:h2:mem:" + XSS.get(0), "sa", null),
            new Database("jdbc:h2:mem:" + XSS.get(1), "sa", null),
            Thresholds.DEFAULTS,
            List.of(),
            List.of()),
        r,
        p.length(),
        0);
  }

  @Test
  void everyTextFromTheDatabasesIsEscapedAndFreeOfControlCharacters() throws IOException {
    ReconcileResult r = hostile();
    ReconcileSummary s = hostileSummary(r);
    String html = Files.readString(write(s, r, List.of(earlier("2026-11-20", 1), s)));

    for (String p : XSS) {
      if (p.matches(".*[<>\"'].*")) {
        assertThat(html).doesNotContain(p);
      }
    }
    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("<img")
        .doesNotContain("<svg onload")
        .doesNotContain("<a href=\"javascript")
        .doesNotContain("</textarea>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;") // a quote is harmless outside tags
        .contains("${7*7}{{7*7}}@{x}&lt;%= 7*7 %&gt;");
    // only the HTML's own whitespace; every other control character became U+FFFD
    assertThat(
            html.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f))
        .isEmpty();
    assertThat(html)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;\ufffd\ufffd\ufffd[31m\ufffd\ufffd\ufffd");
    // a lone surrogate is never written out as one
    assertThat(ReconcileReport.text("a\ud800b\udc00")).isEqualTo("a\ufffdb\ufffd");
    // the dataset anchors are numbered, never made of a name
    assertThat(Pattern.compile("id=\"([^\"]*)\"").matcher(html).results().map(m -> m.group(1)))
        .allMatch(id -> id.matches("[a-z0-9-]+"));
  }

  // The page in a real browser.

  static WebDriver driver;

  /** The browser's profile, removed after the class. */
  @TempDir static Path profile;

  static WebDriver browser() throws IOException {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && System.getenv("SHADOW_REQUIRE_BROWSER") != null) {
      throw new IllegalStateException(
          "SHADOW_REQUIRE_BROWSER is set but "
              + CHROMIUM
              + " or "
              + CHROMEDRIVER
              + " is missing: apt-get install -y chromium chromium-driver");
    }
    Assumptions.assumeTrue(
        present,
        "chromium and chromedriver are not installed (apt-get install -y chromium chromium-driver)");
    if (driver == null) {
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--user-data-dir=" + profile,
          "--window-size=1400,1800");
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .withTimeout(Duration.ofSeconds(30))
              .build();
      driver = new ChromeDriver(service, options);
      driver
          .manage()
          .timeouts()
          .pageLoadTimeout(Duration.ofSeconds(30))
          .scriptTimeout(Duration.ofSeconds(10));
    }
    return driver;
  }

  @AfterAll
  static void stopBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  static Object js(WebDriver d, String script) {
    return ((JavascriptExecutor) d).executeScript(script);
  }

  static List<String> console(WebDriver d) {
    List<String> problems = new ArrayList<>();
    for (LogEntry e : d.manage().logs().get(LogType.BROWSER)) {
      problems.add(e.getLevel() + " " + e.getMessage());
    }
    return problems;
  }

  @Test
  void inABrowserHostileValuesAreShownAsTextAndNothingRuns() throws IOException {
    WebDriver d = browser();
    ReconcileResult r = hostile();
    ReconcileSummary s = hostileSummary(r);
    d.get(write(s, r, List.of(earlier("2026-11-20", 1), s)).toUri().toString());

    assertThatThrownBy(() -> d.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(js(d, "return typeof window.__xss")).isEqualTo("undefined");
    assertThat(js(d, "return document.scripts.length")).isEqualTo(0L);
    assertThat(
            js(
                d,
                "return document.querySelectorAll('img, iframe, object, embed, a[href^=\"javascript\"],"
                    + " textarea, style').length"))
        .isEqualTo(1L); // the one <style> in the head
    assertThat(js(d, "return document.querySelectorAll('svg').length")).isEqualTo(1L);
    assertThat(
            js(
                d,
                """
        var bad = [];
        document.querySelectorAll('*').forEach(function (e) {
          for (var i = 0; i < e.attributes.length; i++) {
            var a = e.attributes[i];
            if (/^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)) bad.push(e.tagName + ' ' + a.name);
          }
        });
        return bad.join(', ');"""))
        .isEqualTo("");
    assertThat(
            js(
                d,
                "return Array.from(document.querySelectorAll('a[href]')).every(function (a) {"
                    + " return /^#ds-[0-9]+$/.test(a.getAttribute('href')); })"))
        .isEqualTo(true);

    // the payloads are there, as text: the title, the datasets, keys, values, aggregates
    assertThat(d.getTitle()).startsWith("Shadow reconciliation PAUSE: " + XSS.get(3));
    assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Shadow reconciliation report");
    assertThat(d.findElements(By.tagName("h2")).stream().map(WebElement::getText).toList())
        .containsExactly("Datasets", "Differing rows", "Aggregates", "Drift over the history");
    String text = (String) js(d, "return document.body.textContent");
    for (String p : XSS) {
      assertThat(text).contains(p + "\ufffd\ufffd\ufffd[31m\ufffd\ufffd\ufffd");
    }
    assertThat(js(d, "return document.querySelectorAll('#datasets tbody tr').length"))
        .isEqualTo((long) XSS.size());
    assertThat(console(d))
        .as("console: no error, no CSP violation (nothing was even attempted)")
        .isEmpty();
  }

  @Test
  void inABrowserTheReportShowsTheVerdictTheWorstDatasetFirstAndTheTrend() throws IOException {
    WebDriver d = browser();
    ReconcileResult r = result();
    ReconcileSummary s = summary(r);
    d.get(
        write(s, r, List.of(earlier("2026-11-22", 0), earlier("2026-11-23", 2)))
            .toUri()
            .toString());

    assertThat(d.getTitle()).isEqualTo("Shadow reconciliation PAUSE: conf/reconcile.yaml");
    WebElement verdict = d.findElement(By.id("verdict"));
    assertThat(verdict.getText()).isEqualTo("PAUSE");
    assertThat(verdict.getCssValue("background-color")).isEqualTo("rgba(180, 35, 24, 1)");
    assertThat(d.findElement(By.id("overall-drift")).getText()).isEqualTo("0.0239%");
    List<String> names = new ArrayList<>();
    for (WebElement row : d.findElements(By.cssSelector("#datasets tbody tr"))) {
      names.add(row.findElements(By.tagName("td")).get(0).getText());
    }
    assertThat(names).containsExactly("payments", "orders", "refunds", "customers");
    // NULL and the empty string are marked apart from values
    assertThat(
            d.findElements(By.cssSelector("#ds-1 span.null, #ds-1 span.empty")).stream()
                .map(e -> e.getAttribute("class") + " " + e.getText())
                .toList())
        .containsExactly("empty empty string", "null NULL");
    // the trend: one dot per run, both thresholds drawn inside the chart
    assertThat(d.findElements(By.cssSelector("#trend circle"))).hasSize(3);
    for (String line : List.of("#trend line.investigate", "#trend line.pause")) {
      WebElement l = d.findElement(By.cssSelector(line));
      double y = Double.parseDouble(l.getAttribute("y1"));
      assertThat(y).isBetween(16.0, 216.0);
    }
    // nothing overflows the page sideways, nor the datasets table its box
    assertThat(js(d, "return document.documentElement.scrollWidth <= window.innerWidth"))
        .isEqualTo(true);
    assertThat(
            js(
                d,
                "var s = document.querySelector('.scroll'); return s.scrollWidth <= s.clientWidth"))
        .isEqualTo(true);
    assertThat(console(d)).isEmpty();

    // a screenshot to look at (target/reconcile-report.png)
    byte[] png = ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES);
    Files.write(Path.of("target", "reconcile-report.png"), png);
    assertThat(png.length).isGreaterThan(10_000);
  }
}
