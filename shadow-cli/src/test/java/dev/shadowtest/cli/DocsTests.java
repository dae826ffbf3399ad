package dev.shadowtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.TriggersFile;
import dev.shadowtest.http.ErrorCategory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The documentation says what the code does: its rules examples load, and the README names what users meet. */
class DocsTests {

  static final Path ROOT = Path.of("..");

  static List<String> yamlBlocks(Path markdown) throws IOException {
    Matcher m =
        Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(markdown));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void everyRulesExampleInTheDocsLoads() throws IOException {
    List<String> blocks = yamlBlocks(ROOT.resolve("docs/rules.md"));
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(9);
    for (String yaml : blocks) {
      Rules.parse(
          yaml, "docs/rules.md example"); // throws with file:line:key when an example is wrong
    }
    String all = String.join("\n", blocks);
    for (String key :
        List.of(
            "lenientTypes",
            "normalizeHeaders",
            "byStatus",
            "candidateRoot",
            "accepted",
            "transforms",
            "renameQuery",
            "splitByQueryNames",
            "comparators",
            "match: \"GET /posts?_page&_limit\"")) {
      assertThat(all).as("an example of " + key).contains(key);
    }
  }

  @Test
  void theReadmeNamesTheFlagsAndErrorCategoriesUsersMeet() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertThat(readme)
        .contains("--rewrite-host")
        .contains("`other`")
        .contains("TLS")
        .contains("--force")
        .contains("--match-by")
        .contains("--csv grouped")
        .contains("--min-latency-samples")
        .contains("--follow-until-idle")
        .contains("--response-wait")
        .contains("--ca-cert")
        .contains("--insecure")
        .contains("--client-cert")
        .contains("--client-key")
        .contains("--http2")
        .contains("--loop")
        .contains("--duration")
        .contains("--keep-jwt-claims");
  }

  @Test
  void theReadmesRedactionFileExampleLoads() throws IOException {
    List<String> examples =
        yamlBlocks(ROOT.resolve("README.md")).stream()
            .filter(b -> b.contains("queryParams:"))
            .toList();
    assertThat(examples).hasSize(1);
    Path file = Files.createTempFile("redact", ".yaml");
    try {
      Files.writeString(file, examples.get(0));
      Redaction r = Redaction.load(file); // throws with file:line:key when the example is wrong
      assertThat(r.jwt().headers()).containsExactly("Authorization");
      assertThat(r.jwt().sensitiveClaims()).containsExactly("email", "name");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void everyErrorCategoryIsNamedWhereResultsAreDescribed() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String runFormat = Files.readString(ROOT.resolve("docs/run-format.md"));
    for (ErrorCategory c : ErrorCategory.values()) {
      assertThat(readme).as("the README names " + c).contains("`" + c.label() + "`");
      assertThat(runFormat).as("docs/run-format.md names " + c).contains("`" + c.label() + "`");
    }
  }

  @Test
  void theReadmesWebhookBodyIsTheEventsJson() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int at = readme.indexOf("The webhook's body:");
    assertThat(at).isPositive();
    int start = readme.indexOf("```json", at) + "```json".length();
    String documented = readme.substring(start, readme.indexOf("```", start)).strip();
    // the documented body reads back as an event, and writes again with the same fields
    Path file = Files.createTempFile("triggers", ".jsonl");
    try {
      Files.writeString(file, documented.replace("\n", " ") + "\n");
      List<TriggerEvent> events = TriggersFile.read(file, w -> {});
      assertThat(events).hasSize(1);
      ObjectMapper json = new ObjectMapper();
      assertThat(json.readTree(events.get(0).toJson())).isEqualTo(json.readTree(documented));
    } finally {
      Files.delete(file);
    }
  }
}
