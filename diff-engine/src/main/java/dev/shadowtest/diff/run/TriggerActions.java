package dev.shadowtest.diff.run;

import dev.shadowtest.core.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What happens when a trigger fires or clears, each optional: a log line, a webhook (the event's
 * JSON posted to a URL) and a command (run with the event in its environment). Actions never run
 * on the caller's thread: {@link #offer} queues the event for one daemon worker (a bounded queue;
 * when it is full the event is dropped with a warning, and the caller never waits).
 *
 * <pre>{@code
 * try (TriggerActions actions = TriggerActions.start(TriggerActions.Options.none()
 *     .withLog(System.err::println)
 *     .withWebhook(URI.create("https://hooks.example.com/shadow"))
 *     .withCommand("kubectl rollout undo deployment/orders"))) {
 *   triggers.evaluate(now, facts).forEach(actions::offer);
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>log</b>: {@link TriggerEvent#line()}; the log also hears what the other actions came
 *       to (the webhook's answer, the command's output and exit code) and dropped events. Without
 *       one, those go to the JDK's {@link System.Logger} instead.
 *   <li><b>webhook</b>: {@code POST} of {@link TriggerEvent#toJson()} with {@code Content-Type:
 *       application/json}; at most {@value #WEBHOOK_ATTEMPTS} attempts, each bounded by the webhook
 *       timeout (5 s by default, connecting included), a short pause between them; any 2xx is
 *       success. Logs name only the URL's scheme, host and port (a webhook's path often holds its
 *       secret).
 *   <li><b>command</b>: {@code /bin/sh -c COMMAND} with {@code SHADOW_TRIGGER}, {@code
 *       SHADOW_EVENT} ({@code fired} or {@code cleared}), {@code SHADOW_METRIC}, {@code
 *       SHADOW_VALUE}, {@code SHADOW_THRESHOLD}, {@code SHADOW_WINDOW_START}, {@code
 *       SHADOW_WINDOW_END}, {@code SHADOW_RUN_DIR}, {@code SHADOW_REPORT} (empty when unknown) and
 *       {@code SHADOW_EVENT_JSON} added to Shadow's environment; the event reaches it only
 *       through them, never through the command line. Stdin is closed, output (stdout and stderr)
 *       goes to the log, and the command and its children are killed after the command timeout
 *       (60 s by default). The command starts before the webhook is sent: a slow webhook never
 *       delays a rollback.
 * </ul>
 *
 * {@link #close} waits for the queued actions, at most the close timeout (30 s by default).
 */
public final class TriggerActions implements AutoCloseable {

  /** Attempts of one webhook delivery. */
  public static final int WEBHOOK_ATTEMPTS = 3;

  /** Lines of a command's output that reach the log; the rest are counted. */
  static final int MAX_OUTPUT_LINES = 100;

  static final int MAX_LINE_CHARS = 500;

  private static final Duration BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
  private static final System.Logger LOGGER = System.getLogger(TriggerActions.class.getName());

  /**
   * What the actions are. Built one way: {@link #none()}, then {@code with…}.
   *
   * @param log            hears a line per event and the actions' outcomes, or null
   * @param webhook        the URL events are posted to, or null
   * @param command        the command run for each event, or null
   * @param webhookTimeout bounds each webhook attempt, connecting included
   * @param commandTimeout the command is killed after this
   * @param queueCapacity  events waiting for the worker; beyond, events are dropped
   * @param closeTimeout   how long {@link TriggerActions#close} waits for queued actions
   */
  public record Options(
      Consumer<String> log,
      URI webhook,
      String command,
      Duration webhookTimeout,
      Duration commandTimeout,
      int queueCapacity,
      Duration closeTimeout) {

    public Options {
      if (webhook != null
          && (webhook.getHost() == null
              || !("http".equalsIgnoreCase(webhook.getScheme())
                  || "https".equalsIgnoreCase(webhook.getScheme())))) {
        throw new BadInputException(
            "webhook: expected an http:// or https:// URL with a host, got one with scheme \""
                + webhook.getScheme()
                + "\"");
      }
      if (command != null && command.isBlank()) {
        throw new BadInputException("command: expected a shell command, got an empty one");
      }
      check(webhookTimeout, "webhookTimeout");
      check(commandTimeout, "commandTimeout");
      check(closeTimeout, "closeTimeout");
      if (queueCapacity < 1 || queueCapacity > 10_000) {
        throw new BadInputException(
            "queueCapacity: expected between 1 and 10000, got " + queueCapacity);
      }
    }

    private static void check(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
        throw new BadInputException(name + ": expected more than 0 and at most 1h, got " + d);
      }
    }

    /** No action: events go nowhere. Timeouts 5 s (webhook), 60 s (command), 30 s (close); 64 queued. */
    public static Options none() {
      return new Options(
          null,
          null,
          null,
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          64,
          Duration.ofSeconds(30));
    }

    public Options withLog(Consumer<String> log) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }

    public Options withWebhook(URI webhook) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }

    public Options withCommand(String command) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }

    public Options withWebhookTimeout(Duration webhookTimeout) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }

    public Options withCommandTimeout(Duration commandTimeout) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }

    public Options withQueueCapacity(int queueCapacity) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }

    public Options withCloseTimeout(Duration closeTimeout) {
      return new Options(
          log, webhook, command, webhookTimeout, commandTimeout, queueCapacity, closeTimeout);
    }
  }

  private final Options options;
  private final BlockingQueue<Event> queue;
  private final HttpClient http;
  private final Thread worker;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closing;

  private TriggerActions(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    this.http =
        options.webhook() == null
            ? null
            : HttpClient.newBuilder()
                .connectTimeout(options.webhookTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.worker = new Thread(this::work, "shadow-trigger-actions");
    worker.setDaemon(true);
  }

  /**
   * What the actions act on: a live trigger's {@link TriggerEvent}, or another gate's event (a
   * reconciliation's drift).
   */
  public interface Event {
    /** The trigger's name: {@code SHADOW_TRIGGER}. */
    String trigger();

    /** {@code fired} or {@code cleared}: {@code SHADOW_EVENT}. */
    String event();

    /** One line for the log. */
    String line();

    /** The webhook's body and {@code SHADOW_EVENT_JSON}. */
    String toJson();

    /**
     * The command's other {@code SHADOW_*} variables (besides {@code SHADOW_TRIGGER}, {@code
     * SHADOW_EVENT} and {@code SHADOW_EVENT_JSON}).
     */
    Map<String, String> environment();
  }

  /** Starts the worker that runs {@code options}' actions. */
  public static TriggerActions start(Options options) {
    TriggerActions a = new TriggerActions(options);
    a.worker.start();
    return a;
  }

  /**
   * Queues {@code event}'s actions; never blocks. False when it was dropped (the queue is full,
   * or the actions are closed): a warning tells the log, on the caller's thread.
   */
  public boolean offer(Event event) {
    Objects.requireNonNull(event, "event");
    if (!closing && queue.offer(event)) {
      return true;
    }
    dropped.incrementAndGet();
    warn(
        "trigger actions "
            + (closing ? "closed" : "busy (" + options.queueCapacity() + " events queued)")
            + ": dropped the actions of "
            + event.line());
    return false;
  }

  /** Events whose actions were dropped. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Waits for the queued actions, at most the close timeout; then abandons what is left (a
   * running command is killed) and says so in the log.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      worker.join(options.closeTimeout().toMillis());
      if (worker.isAlive()) {
        warn(
            "trigger actions not done after "
                + Trigger.formatDuration(options.closeTimeout())
                + ": abandoned the running one and "
                + queue.size()
                + " queued");
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      worker.interrupt();
      Thread.currentThread().interrupt();
    }
  }

  private void work() {
    try {
      while (true) {
        Event e = queue.poll(100, TimeUnit.MILLISECONDS);
        if (e == null) {
          if (closing) {
            return;
          }
          continue;
        }
        try {
          run(e);
        } catch (RuntimeException x) {
          warn("trigger " + e.trigger() + " " + e.event() + ": action failed: " + x);
        }
      }
    } catch (InterruptedException e) {
      // close() gave up waiting
    }
  }

  private void run(Event e) throws InterruptedException {
    String who = "trigger " + e.trigger() + " " + e.event();
    String json = e.toJson();
    if (options.log() != null) {
      info(e.line());
    }
    Command command = options.command() == null ? null : Command.start(this, e, json, who);
    try {
      if (options.webhook() != null) {
        post(json, who);
      }
      if (command != null) {
        command.finish();
      }
    } finally {
      if (command != null) {
        command.kill(); // interrupted: nothing is left running
      }
    }
  }

  private void post(String json, String who) throws InterruptedException {
    URI url = options.webhook();
    String target =
        url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    Duration timeout = options.webhookTimeout();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "shadow-triggers")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build();
    String last = null;
    for (int attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        Thread.sleep(BACKOFF.toMillis() * (1L << (attempt - 2)));
      }
      CompletableFuture<HttpResponse<Void>> sent =
          http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
      try {
        // the request timeout ends at the response's headers; this bounds the body too
        int status = sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
        if (status >= 200 && status < 300) {
          info(
              who
                  + ": webhook "
                  + target
                  + " answered "
                  + status
                  + " (attempt "
                  + attempt
                  + " of "
                  + WEBHOOK_ATTEMPTS
                  + ")");
          return;
        }
        last = "answered " + status;
      } catch (TimeoutException x) {
        sent.cancel(true);
        last = "no answer within " + Trigger.formatDuration(timeout);
      } catch (ExecutionException x) {
        last = failure(x.getCause(), timeout);
      } catch (InterruptedException x) {
        sent.cancel(true);
        throw x;
      }
    }
    warn(
        who
            + ": webhook "
            + target
            + " failed after "
            + WEBHOOK_ATTEMPTS
            + " attempts (last: "
            + last
            + ")");
  }

  private static String failure(Throwable t, Duration timeout) {
    if (t instanceof HttpConnectTimeoutException) {
      return "could not connect within " + Trigger.formatDuration(timeout);
    }
    if (t instanceof HttpTimeoutException) {
      return "no answer within " + Trigger.formatDuration(timeout);
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    return clip(String.valueOf(t));
  }

  /** The command of one event, from its start to its exit (or its killing). */
  private static final class Command {
    final TriggerActions actions;
    final String who;
    final Process process;
    final Thread output;
    final long deadline;
    boolean done;

    private Command(TriggerActions actions, String who, Process process, Thread output) {
      this.actions = actions;
      this.who = who;
      this.process = process;
      this.output = output;
      this.deadline = System.nanoTime() + actions.options.commandTimeout().toNanos();
    }

    /** Starts the command of {@code e}, or logs why it could not start (then null). */
    static Command start(TriggerActions actions, Event e, String json, String who) {
      ProcessBuilder pb =
          new ProcessBuilder("/bin/sh", "-c", actions.options.command()).redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.putAll(e.environment());
      env.put("SHADOW_TRIGGER", e.trigger());
      env.put("SHADOW_EVENT", e.event());
      env.put("SHADOW_EVENT_JSON", json);
      Process p;
      try {
        p = pb.start();
      } catch (IOException x) {
        actions.warn(who + ": command could not start: " + clip(x.getMessage()));
        return null;
      }
      try {
        p.getOutputStream().close(); // stdin closed: a command that reads it ends, never waits
      } catch (IOException ignored) {
        // already gone
      }
      Thread output =
          new Thread(
              () -> drain(actions, who, p.getInputStream()), "shadow-trigger-command-output");
      output.setDaemon(true);
      output.start();
      return new Command(actions, who, p, output);
    }

    /** Waits for the exit, until the deadline; then kills it. Logs how it ended. */
    void finish() throws InterruptedException {
      long left = deadline - System.nanoTime();
      boolean exited = process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (!exited) {
        kill();
        actions.warn(
            who
                + ": command killed after "
                + Trigger.formatDuration(actions.options.commandTimeout())
                + " (timeout)");
      } else {
        done = true;
        output.join(TimeUnit.SECONDS.toMillis(2));
        String line = who + ": command exited " + process.exitValue();
        if (process.exitValue() == 0) {
          actions.info(line);
        } else {
          actions.warn(line);
        }
      }
    }

    /** Kills the command and whatever it started, unless it has exited. */
    void kill() {
      if (done) {
        return;
      }
      done = true;
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
        output.join(TimeUnit.SECONDS.toMillis(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Logs the command's output line by line (bounded), and reads it to its end. */
    private static void drain(TriggerActions actions, String who, InputStream in) {
      long lines = 0;
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try (in) {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              if (lines++ < MAX_OUTPUT_LINES) {
                actions.info(who + ": command: " + clip(line.toString(StandardCharsets.UTF_8)));
              }
              line.reset();
            } else if (line.size() < MAX_LINE_CHARS * 4) {
              line.write(buf[i]);
            }
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
      if (line.size() > 0 && lines++ < MAX_OUTPUT_LINES) {
        actions.info(who + ": command: " + clip(line.toString(StandardCharsets.UTF_8)));
      }
      if (lines > MAX_OUTPUT_LINES) {
        actions.info(
            who + ": command: " + (lines - MAX_OUTPUT_LINES) + " more lines of output not logged");
      }
    }
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ').replace('\r', ' ');
    return one.length() <= MAX_LINE_CHARS ? one : one.substring(0, MAX_LINE_CHARS) + "…";
  }

  private void info(String line) {
    say(System.Logger.Level.INFO, line);
  }

  private void warn(String line) {
    say(System.Logger.Level.WARNING, line);
  }

  private void say(System.Logger.Level level, String line) {
    Consumer<String> log = options.log();
    if (log == null) {
      LOGGER.log(level, line);
      return;
    }
    try {
      log.accept(level == System.Logger.Level.WARNING ? "warning: " + line : line);
    } catch (RuntimeException e) {
      // a failing log never stops the actions
    }
  }
}
