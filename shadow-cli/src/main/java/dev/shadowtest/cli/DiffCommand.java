package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.FileDiff;
import dev.shadowtest.diff.ResponseDiff;
import dev.shadowtest.diff.Rules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the same", "1:different", "2:bad input", "3:internal error (a bug)"},
    description = {
      "Compare two response bodies, or the responses of two recordings.",
      "Body files: the kind comes from the extension (.json, .xml, .txt, .form) or is sniffed.",
      "Recordings are compared exchange by exchange, paired by exchange id (the default), by position (--match-by order) or by method, target and occurrence (--match-by request: two recorders that saw the same traffic).",
      "Prints each difference with its path, type, expected and actual value.",
      "Exit 0 when the same, 1 when different, 2 on bad input."
    },
    footer = {
      "",
      "Examples:",
      "  shadow diff old.json new.json --rules shadow-rules.yaml --endpoint \"GET /api/products/{id}\"",
      "  shadow diff legacy.jsonl.gz candidate.jsonl.gz --rules shadow-rules.yaml",
      "  shadow diff recorder-a.jsonl.gz recorder-b.jsonl.gz --match-by request"
    })
final class DiffCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "LEFT",
      description = "Expected: a body file or a recording.")
  Path left;

  @Parameters(
      index = "1",
      paramLabel = "RIGHT",
      description = "Actual: a body file or a recording.")
  Path right;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = "Rules YAML (ignore paths, tolerances, array modes...).")
  Path rulesFile;

  @Option(
      names = "--endpoint",
      paramLabel = "\"METHOD /path\"",
      description =
          "Compare under this endpoint's rule (e.g. \"GET /api/users/{id}\"); for recordings it overrides the per-exchange choice.")
  String endpoint;

  @Option(
      names = "--match-by",
      defaultValue = "id",
      paramLabel = "id|order|request",
      converter = MatchByConverter.class,
      description = "How the exchanges of two recordings are paired (default ${DEFAULT-VALUE}).")
  FileDiff.MatchBy matchBy;

  static final class MatchByConverter
      implements picocli.CommandLine.ITypeConverter<FileDiff.MatchBy> {
    @Override
    public FileDiff.MatchBy convert(String value) {
      return Outputs.choice(FileDiff.MatchBy.class, value);
    }
  }

  @Option(
      names = "--max-body",
      defaultValue = "64MiB",
      paramLabel = "BYTES",
      description =
          "Body files larger than this are refused (default ${DEFAULT-VALUE}); recordings of any size are compared in bounded memory.")
  String maxBody;

  @Option(
      names = "--skip-bad-lines",
      description =
          "Compare recordings with unreadable lines (skipped and named either way; by default the diff then exits 2).")
  boolean skipBadLines;

  @Override
  public Integer call() {
    long maxBytes = RecordCommand.bytes("--max-body", maxBody);
    if (maxBytes < 1 || maxBytes > 1L << 30) {
      throw new BadInputException("--max-body must be between 1 byte and 1GiB, got " + maxBody);
    }
    Rules rules = rulesFile == null ? Rules.defaults() : Rules.load(rulesFile);
    EndpointRule rule = endpoint == null ? null : rules.ruleForEndpoint(endpoint);
    PrintWriter out = spec.commandLine().getOut();
    boolean leftRec = FileDiff.isRecording(left);
    boolean rightRec = FileDiff.isRecording(right);
    if (leftRec != rightRec) {
      throw new BadInputException(
          "cannot compare a recording with a body file: "
              + (leftRec ? left : right)
              + " is a recording, "
              + (leftRec ? right : left)
              + " is not");
    }
    if (!leftRec && spec.commandLine().getParseResult().hasMatchedOption("--match-by")) {
      throw new BadInputException(
          "--match-by pairs the exchanges of two recordings; "
              + left
              + " and "
              + right
              + " are body files");
    }
    if (!leftRec) {
      ResponseDiff d =
          FileDiff.bodies(left, right, rule != null ? rule : rules.defaultRule(), maxBytes);
      print(out, d, "");
      long accepted = d.differences().stream().filter(Difference::isAccepted).count();
      out.println(
          d.same()
              ? "same"
              : d.matches()
                  ? "same but for " + accepted + " accepted difference(s)"
                  : (d.differences().size() - accepted)
                      + " difference(s)"
                      + (accepted > 0 ? " and " + accepted + " accepted" : ""));
      return d.matches() ? Shadow.OK : Shadow.FAILED;
    }
    PrintWriter err = spec.commandLine().getErr();
    FileDiff.Totals t =
        FileDiff.recordings(
            left,
            right,
            rules,
            rule,
            matchBy,
            x -> {
              if (x.right() == null) {
                out.println("only in " + left + ": " + describe(x.left()));
              } else if (x.left() == null) {
                out.println("only in " + right + ": " + describe(x.right()));
              } else {
                out.println(describe(x.left()));
                print(out, x.diff(), "  ");
              }
            },
            w -> err.println("warning: " + Terminal.safe(w)),
            FileDiff.MEMORY_BUDGET);
    out.printf(
        "%d compared, %d different, %d only in %s, %d only in %s%n",
        t.compared(), t.different(), t.onlyLeft(), left, t.onlyRight(), right);
    if (t.unpaired() != null) {
      out.println("nothing paired: " + t.unpaired());
    }
    if (t.unreadable() > 0 && !skipBadLines) {
      err.println(
          "error: "
              + t.unreadable()
              + " recording line(s) could not be read (named above), so their exchanges"
              + " were not compared; --skip-bad-lines accepts that");
      return Shadow.BAD_INPUT;
    }
    return t.different() == 0 && t.onlyLeft() == 0 && t.onlyRight() == 0
        ? Shadow.OK
        : Shadow.FAILED;
  }

  private static String describe(Exchange e) {
    return Terminal.safe(e.id() + " " + e.request().method() + " " + e.request().target());
  }

  private static void print(PrintWriter out, ResponseDiff d, String indent) {
    for (String n : d.notes()) {
      out.println(indent + "note: " + Terminal.safe(n));
    }
    for (Difference x : d.differences()) {
      out.println(indent + Terminal.safe(x.toString()));
    }
  }
}
