package dev.shadowtest.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.TriggersFile;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
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
 * The HTML report in a real headless Chromium (Debian's chromium + chromium-driver; .ci/run
 * installs them and sets SHADOW_REQUIRE_BROWSER so that a missing browser fails instead of
 * skipping). Recorded values carry an XSS corpus; nothing of it may run, or even be attempted
 * (a blocked attempt would show as a CSP violation in the console).
 */
class BrowserTests {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Each payload sets window.__xss (or shows an alert) if it ever runs. */
  static final List<String> XSS =
      List.of(
          "<script>window.__xss=1</script>",
          "\"><img src=x onerror=\"window.__xss=2\">",
          "javascript:window.__xss=3",
          "</textarea><script>window.__xss=4</script>",
          "</title><script>window.__xss=5</script>",
          "<svg onload=window.__xss=6>",
          "</style><script>window.__xss=7</script>",
          "' onmouseover='window.__xss=8' x='",
          "--><script>window.__xss=9</script><!--",
          "]]><script>window.__xss=10</script>",
          "\u202E<script>alert(11)</script>\u2028\u2029＜script＞window.__xss=12＜/script＞",
          "<a href=\"javascript:window.__xss=13\">click</a>",
          "</pre><iframe src=\"javascript:alert(14)\"></iframe>",
          "${7*7}{{7*7}}@{x}<%= 7*7 %>");

  @TempDir static Path dir;

  static WebDriver driver;

  @BeforeAll
  static void startBrowser() throws IOException {
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
        "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")),
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

  @AfterAll
  static void stopBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  /** A run whose every recorded value is a payload: endpoints, targets, headers, bodies, differences, candidate. */
  static Path hostileRun() throws IOException {
    Path run = dir.resolve("hostile");
    Files.createDirectories(run);
    String candidate = "javascript:window.__xss=100//" + XSS.get(0);
    Files.writeString(
        run.resolve("summary.json"),
        """
        {"version":1,"startedAt":"2026-11-24T02:00:00Z","finishedAt":"2026-11-24T02:00:10Z",
         "recording":%s,"candidate":%s,"primary":%s,"incomplete":false,"endpoints":[],
         "gate":{"maxDiscrepancyRate":0.005,"passed":false,"failures":[]}}
        """
            .formatted(json(XSS.get(4)), json(candidate), json(XSS.get(3))));
    try (ResultsFile results = ResultsFile.create(run.resolve("results.jsonl.gz"));
        SamplesFile samples = SamplesFile.create(run)) {
      for (int i = 0; i < XSS.size(); i++) {
        String p = XSS.get(i);
        String endpoint = "GET /x" + i + "/" + p;
        String target = "/x" + i + "/" + p + "?q=" + p;
        for (int k = 0; k < 3; k++) {
          String id = "id-" + i + "-" + k + p;
          List<Difference> diffs = new ArrayList<>();
          if (k < 2) {
            diffs.add(
                new Difference(
                    "$['" + p + "']",
                    "$['" + p + "']",
                    DifferenceType.VALUE,
                    json(p),
                    json(p + "!")));
            diffs.add(
                new Difference("header:X-" + i, "header:x-" + i, DifferenceType.HEADER, p, null));
          }
          results.write(
              new ResultLine(
                  id,
                  endpoint,
                  "GET",
                  target,
                  diffs.isEmpty() ? Verdict.MATCH : Verdict.DIFFERENT,
                  200,
                  null,
                  200,
                  1000L + i * 100,
                  null,
                  1500L + i * 130,
                  null,
                  diffs,
                  Set.of(),
                  false,
                  false,
                  List.of()));
          if (!diffs.isEmpty()) {
            HttpRequest rq =
                new HttpRequest(
                    "GET", target, "HTTP/1.1", Headers.of("X-" + i, p, "Referer", p), Body.none());
            HttpResponse expected =
                new HttpResponse(
                    200,
                    p,
                    Headers.of("Content-Type", "application/json", "X-" + i, p),
                    Body.text("{" + json(p) + ": " + json(p) + ", \"n\": [" + json(p) + "]}"));
            HttpResponse actual =
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "text/html"),
                    Body.text("<html><body>" + p + "\n" + p + "</body></html>"));
            samples.offer(
                endpoint,
                new Exchange(id, null, 1000L, rq, expected, null, Map.of()),
                "recorded",
                expected,
                actual);
          }
        }
      }
      results.write(
          new ResultLine(
              "err" + XSS.get(1),
              "GET /err/" + XSS.get(2),
              "GET",
              "/err",
              Verdict.CANDIDATE_ERROR,
              200,
              null,
              null,
              1000L,
              null,
              null,
              "refused: " + XSS.get(0),
              List.of(),
              Set.of(),
              false,
              false,
              List.of()));
    }
    try (TriggersFile triggers = TriggersFile.open(run)) {
      Instant at = Instant.parse("2026-11-24T02:00:05Z");
      for (String p : XSS) {
        triggers.append(ReportEscapingTests.triggerEvent(TriggerEvent.Kind.FIRED, p, at, 0.052));
      }
    }
    return run;
  }

  static String json(String s) {
    try {
      return new ObjectMapper().writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  @Test
  void hostileRecordedValuesAreShownAsTextAndNothingRuns() throws IOException {
    Reports.Written w =
        Reports.write(hostileRun(), Reports.Options.defaults().withHistory(dir.resolve("history")));
    driver.get(w.html().toUri().toString());
    // open every sample so that their contents are rendered too
    js("document.querySelectorAll('details').forEach(function (d) { d.open = true; });");
    for (WebElement th : driver.findElements(By.cssSelector("#endpoints thead th"))) {
      th.click(); // the sort script re-inserts rows: still nothing may run
    }

    assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(js("return typeof window.__xss")).isEqualTo("undefined");
    assertThat(js("return document.scripts.length")).isEqualTo(1L);
    assertThat(
            js(
                "return document.querySelectorAll('img, iframe, object, embed, svg a, textarea, style').length"))
        .isEqualTo(1L); // the one <style> in the head
    assertThat(
            js(
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
                "return Array.from(document.querySelectorAll('a[href]')).every(function (a) {"
                    + " return a.getAttribute('href').indexOf('#ep-') === 0; })"))
        .isEqualTo(true);

    // the payloads are there, as text: in the title, the table, the SVG labels and the samples
    assertThat(driver.getTitle())
        .isEqualTo("Shadow report: javascript:window.__xss=100//" + XSS.get(0));
    String text = (String) js("return document.body.textContent");
    for (String p : XSS) {
      assertThat(text).contains("GET /x" + XSS.indexOf(p) + "/" + shown(p));
    }
    for (String p : XSS) { // the rollback triggers' names
      assertThat(text).contains(shown(p) + "fired");
    }
    assertThat(js("return document.querySelectorAll('#triggers tbody tr').length"))
        .isEqualTo((long) XSS.size());
    assertThat(text)
        .contains("refused: " + XSS.get(0) + "")
        .contains(XSS.get(4)); // the recording name
    String bodies =
        (String)
            js(
                "return Array.from(document.querySelectorAll('pre.body')).map(function (p) {"
                    + " return p.textContent; }).join('\\n')");
    assertThat(bodies).contains("<html><body>" + XSS.get(3));

    List<String> problems = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      problems.add(e.getLevel() + " " + e.getMessage());
    }
    assertThat(problems)
        .as("console: no error, no CSP violation (nothing was even attempted)")
        .isEmpty();
  }

  @Test
  void theEndpointTableSortsByTheClickedColumn() throws IOException {
    Reports.Written w =
        Reports.write(Fixtures.goldenRun(dir.resolve("sort")), Reports.Options.defaults());
    driver.get(w.html().toUri().toString());
    assertThat(column(0))
        .as("worst first")
        .containsExactly(
            "GET /api/orders", "GET /api/users/{id}", "GET /api/products/{id}", "POST /api/carts");
    WebElement rate =
        driver.findElement(By.xpath("//table[@id='endpoints']//th[normalize-space()='Rate']"));
    rate.click();
    assertThat(column(1)).containsExactly("0.00%", "20.00%", "25.00%", "50.00%");
    assertThat(rate.getAttribute("aria-sort")).isEqualTo("ascending");
    rate.click();
    assertThat(column(1)).containsExactly("50.00%", "25.00%", "20.00%", "0.00%");
    driver
        .findElement(By.xpath("//table[@id='endpoints']//th[normalize-space()='Exchanges']"))
        .click();
    assertThat(column(4)).containsExactly("2", "4", "8", "10");
    driver
        .findElement(By.xpath("//table[@id='endpoints']//th[normalize-space()='Endpoint']"))
        .click();
    assertThat(column(0))
        .containsExactly(
            "GET /api/orders", "GET /api/products/{id}", "GET /api/users/{id}", "POST /api/carts");
    driver
        .findElement(By.xpath("//table[@id='endpoints']//th[normalize-space()='Endpoint']"))
        .click();
    assertThat(column(0))
        .containsExactly(
            "POST /api/carts", "GET /api/users/{id}", "GET /api/products/{id}", "GET /api/orders");

    // the screenshot for docs/report.png (copied by hand after checking it)
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Path shot = Path.of("target", "report.png");
    Files.write(shot, png);
    assertThat(new File(shot.toString())).isFile();
    assertThat(png.length).isGreaterThan(10_000);
  }

  @Test
  void longValuesWrapInsideTheirCellsAndPathsBreakOnlyBetweenNames() throws IOException {
    Path run = dir.resolve("wide");
    Files.createDirectories(run);
    String path =
        "$.orders[3].lineItems[12].shippingAddress.recipientName.additionalDeliveryInstructions.localizedText";
    String longValue = json("x".repeat(3000));
    try (ResultsFile results = ResultsFile.create(run.resolve("results.jsonl.gz"));
        SamplesFile samples = SamplesFile.create(run)) {
      List<Difference> diffs =
          List.of(
              new Difference(
                  path,
                  path.replaceAll("\\[\\d+]", "[*]"),
                  DifferenceType.VALUE,
                  longValue,
                  json("y".repeat(2500))),
              new Difference(
                  "header:X-Trace",
                  "header:x-trace",
                  DifferenceType.MISSING,
                  "a-".repeat(400),
                  null));
      results.write(
          new ResultLine(
              "wide-1",
              "GET /orders/{id}",
              "GET",
              "/orders/1",
              Verdict.DIFFERENT,
              200,
              null,
              200,
              1000L,
              null,
              1000L,
              null,
              diffs,
              Set.of(),
              false,
              false,
              List.of()));
      HttpRequest rq =
          new HttpRequest("GET", "/orders/1", "HTTP/1.1", Headers.of("Host", "a"), Body.none());
      HttpResponse body =
          new HttpResponse(
              200, "OK", Headers.of("Content-Type", "application/json"), Body.text("{}"));
      samples.offer(
          "GET /orders/{id}",
          new Exchange("wide-1", null, 1000L, rq, body, null, Map.of()),
          "recorded",
          body,
          body);
    }
    Reports.Written w = Reports.write(run, Reports.Options.defaults());
    driver.get(w.html().toUri().toString());
    js("document.querySelectorAll('details').forEach(function (d) { d.open = true; });");
    assertThat(js("return document.querySelectorAll('table.diffs td').length")).isEqualTo(10L);
    // no cell of the difference table overflows, and the table fits its section
    assertThat(
            js(
                """
        var bad = [];
        document.querySelectorAll('table.diffs td').forEach(function (td) {
          if (td.scrollWidth > td.clientWidth + 1) bad.push(td.textContent.substring(0, 40));
        });
        var t = document.querySelector('table.diffs');
        if (t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1) bad.push('table');
        return bad.join(' | ');"""))
        .isEqualTo("");
    // the long value wrapped onto many lines inside its cell
    assertThat(
            (Long)
                js(
                    "var td = document.querySelectorAll('table.diffs td.value')[0];"
                        + " return Math.round(td.getBoundingClientRect().height / 16);"))
        .isGreaterThan(5L);
    // the path wrapped (it is wider than its column), but only between names: each piece is on one
    // line
    assertThat(
            js(
                """
        var td = document.querySelector('table.diffs td.path');
        var lines = new Set(), split = [];
        td.childNodes.forEach(function (n) {
          if (n.nodeType !== 3) return;
          var r = document.createRange(); r.selectNodeContents(n);
          var rects = Array.from(r.getClientRects());
          if (rects.length !== 1) split.push(n.textContent);
          rects.forEach(function (x) { lines.add(Math.round(x.top)); });
        });
        return (lines.size > 1 ? 'wrapped' : 'one line') + (split.length ? ', split: ' + split.join(' ') : '');"""))
        .isEqualTo("wrapped");
    assertThat(js("return document.querySelector('table.diffs td.path').getAttribute('title')"))
        .isEqualTo(path);
  }

  List<String> column(int i) {
    List<String> out = new ArrayList<>();
    for (WebElement row : driver.findElements(By.cssSelector("#endpoints tbody tr"))) {
      out.add(row.findElements(By.tagName("td")).get(i).getText().strip());
    }
    return out;
  }

  /** A payload as the page shows it: bidirectional controls as U+FFFD, so none reorders the text. */
  static String shown(String payload) {
    return payload.replaceAll("[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]", "\uFFFD");
  }
}
