package dev.shadowtest.cli;

import dev.shadowtest.core.ShadowException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code shadow} command. Thin: parses flags, calls the modules' entry points, prints one
 * clear line per problem. Exit codes: 0 success, 1 gate failed, 2 bad input, 3 internal error, 4
 * reconciliation drift to investigate.
 */
@Command(
    name = "shadow",
    mixinStandardHelpOptions = true,
    versionProvider = Shadow.Version.class,
    description =
        "Record production traffic, replay it against a replacement, prove parity with numbers.",
    subcommands = {
      RecordCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      InspectCommand.class,
      DiffCommand.class,
      ReplayCommand.class,
      MergeCommand.class,
      ReportCommand.class,
      GateCommand.class,
      ReconcileCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:gate failed / discrepancies over threshold",
      "2:bad input",
      "3:internal error (a bug: please report it with --verbose output)",
      "4:reconcile: data drift to investigate (above 0.01%% by default; above 0.1%% is 1, pause)"
    })
public final class Shadow implements Runnable {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int INTERNAL_ERROR = 3;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Shadow root = new Shadow();
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          boolean known = e instanceof ShadowException;
          if (known) {
            err.println("error: " + Terminal.safe(e.getMessage()));
          } else {
            err.println(
                "error: internal error: "
                    + crash(e)
                    + (root.verbose ? "" : " (run with --verbose for the stack trace)"));
          }
          if (root.verbose) {
            e.printStackTrace(err);
          }
          err.flush();
          return exitCode(e);
        });
    cli.setParameterExceptionHandler(
        (ex, arguments) -> {
          CommandLine failed = ex.getCommandLine();
          err.println("error: " + Terminal.safe(ex.getMessage()));
          err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for usage.");
          err.flush();
          return BAD_INPUT;
        });
    int code;
    try {
      code = cli.execute(args);
    } catch (VirtualMachineError | LinkageError e) {
      // picocli hands Exceptions to the handler above; an Error (out of memory, a stack overflow,
      // a missing class) is a crash of Shadow itself: exit 3, one line, never 1 ("different")
      err.println(
          "error: internal error: "
              + crash(e)
              + (root.verbose ? "" : " (run with --verbose for the stack trace)"));
      if (root.verbose) {
        e.printStackTrace(err);
      }
      code = INTERNAL_ERROR;
    }
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The exit code of a failure, decided here only: a {@link ShadowException} explains bad input
   * (a file, an option, a value, an output that cannot be written): 2. Anything else, an
   * {@code IllegalArgumentException} included, is a bug in Shadow: 3, never "bad input".
   */
  static int exitCode(Throwable e) {
    return e instanceof ShadowException ? BAD_INPUT : INTERNAL_ERROR;
  }

  /** One line for an Error, with what a user can do about the usual ones. */
  static String crash(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory ("
          + e.getMessage()
          + "); give the JVM more heap, e.g. SHADOW_JAVA_OPTS=-Xmx4g,"
          + " or lower the input limits (see docs/limits.md)";
    }
    if (e instanceof StackOverflowError) {
      return "stack overflow (a regular expression in the rules or redaction file on a long value?)";
    }
    return e.toString();
  }

  /** Reads the version from the jar manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Shadow.class.getPackage().getImplementationVersion();
      return new String[] {
        "shadow " + (v == null ? "dev" : v),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
