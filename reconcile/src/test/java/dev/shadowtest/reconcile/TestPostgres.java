package dev.shadowtest.reconcile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for tests: {@code initdb} into a fresh temporary directory, then {@code
 * postgres} on 127.0.0.1 only, on a free port, tuned to be fast and small (no fsync). Its
 * superuser {@link #user()} logs in over TCP with {@link #password()} (scram-sha-256).
 *
 * <pre>{@code
 * try (TestPostgres pg = TestPostgres.start()) {
 *   String url = pg.createDatabase("legacy");          // jdbc:postgresql://127.0.0.1:PORT/legacy
 *   pg.sql("legacy", "CREATE TABLE t (id int)");
 *   try (Connection c = pg.connect("legacy")) { ... }
 * }
 * }</pre>
 *
 * <p>The binaries are {@code pg_config --bindir}'s, else the newest {@code
 * /usr/lib/postgresql/NN/bin}, else those on the PATH. Where there are none, {@link #start()}
 * skips the test (a JUnit assumption), or fails when the environment variable {@code
 * SHADOW_REQUIRE_POSTGRES=1} (as {@code .ci/run} sets it). initdb and postgres refuse to run as
 * root: as root they run as the {@code postgres} OS user (runuser), which owns the directory.
 *
 * <p>{@link #close()} stops the server (a fast shutdown) and deletes the directory; a JVM shutdown
 * hook does the same for a server left open, and the server also stops when the JVM dies without
 * running it (it watches a pipe from the JVM).
 */
public final class TestPostgres implements AutoCloseable {

  /** The environment variable that turns a missing PostgreSQL into a failure. */
  public static final String REQUIRE = "SHADOW_REQUIRE_POSTGRES";

  private static final String USER = "shadow";
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final int START_SECONDS = 30;
  private static final int STOP_SECONDS = 30;

  /**
   * Runs postgres in the background and waits for it; when the JVM's end of stdin closes ({@link
   * #close()}, or the JVM died), it asks postgres for a fast shutdown (SIGINT). {@code $0} is the
   * postgres binary, {@code $@} its arguments.
   */
  private static final String WATCHDOG =
      """
      exec 3<&0
      "$0" "$@" </dev/null 3<&- &
      pg=$!
      ( cat <&3 >/dev/null; kill -INT "$pg" 2>/dev/null ) &
      watch=$!
      exec 3<&-
      wait "$pg"
      code=$?
      kill "$watch" 2>/dev/null
      exit "$code"
      """;

  private final Path bin;
  private final Path dir;
  private final boolean asPostgresUser;
  private final String password;
  private final Thread shutdownHook;
  private Process server;
  private int port;
  private boolean closed;

  private TestPostgres(Path bin, Path dir, boolean asPostgresUser, String password) {
    this.bin = bin;
    this.dir = dir;
    this.asPostgresUser = asPostgresUser;
    this.password = password;
    this.shutdownHook = new Thread(this::stop, "TestPostgres shutdown " + dir);
  }

  /**
   * A new server, initialised and accepting connections.
   *
   * <p>Where PostgreSQL is not installed the calling test is skipped (a JUnit assumption), or, with
   * {@code SHADOW_REQUIRE_POSTGRES=1}, fails with an IllegalStateException.
   *
   * @throws IllegalStateException when it is installed but does not start (the message has its
   *     log)
   */
  public static TestPostgres start() throws IOException, InterruptedException {
    Path bin = binaries();
    Path dir = Files.createTempDirectory("shadow-pg-");
    boolean root = isRoot(dir);
    if (root) {
      chownToPostgres(dir);
    }
    byte[] secret = new byte[12];
    new SecureRandom().nextBytes(secret);
    TestPostgres pg = new TestPostgres(bin, dir, root, HexFormat.of().formatHex(secret));
    Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
    try {
      pg.initdb();
      pg.startServer();
      return pg;
    } catch (Throwable e) {
      pg.close();
      throw e;
    }
  }

  /** The bin directory with initdb and postgres; skips (or fails, when required) without one. */
  static Path binaries() throws InterruptedException {
    List<Path> tried = new ArrayList<>();
    Path fromPgConfig = pgConfigBindir();
    if (fromPgConfig != null) {
      tried.add(fromPgConfig);
    }
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        versions
            .filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
            .sorted(Comparator.comparing(TestPostgres::version).reversed())
            .map(p -> p.resolve("bin"))
            .forEach(tried::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        tried.add(Path.of(d.isEmpty() ? "." : d));
      }
    }
    for (Path d : tried) {
      if (Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("postgres"))) {
        return d;
      }
    }
    return missing(
        "PostgreSQL's initdb and postgres are not installed (looked in pg_config --bindir,"
            + " /usr/lib/postgresql/*/bin and the PATH; apt-get install -y postgresql)");
  }

  private static double version(Path dir) {
    return Double.parseDouble(dir.getFileName().toString());
  }

  private static Path pgConfigBindir() throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder("pg_config", "--bindir")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isBlank()) {
          return Path.of(out.strip());
        }
      } finally {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      // no pg_config on the PATH
    }
    return null;
  }

  /** Skips the test, or fails when {@code SHADOW_REQUIRE_POSTGRES=1}. */
  private static <T> T missing(String why) {
    if ("1".equals(System.getenv(REQUIRE))) {
      throw new IllegalStateException(REQUIRE + "=1 but " + why);
    }
    return Assumptions.abort(why);
  }

  private static boolean isRoot(Path ownDirectory) throws IOException {
    // the owner of a directory this process just created is its effective user
    return ((Integer) Files.getAttribute(ownDirectory, "unix:uid")) == 0;
  }

  private static void chownToPostgres(Path dir) throws IOException {
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal postgres;
    try {
      postgres = users.lookupPrincipalByName("postgres");
    } catch (UserPrincipalNotFoundException e) {
      missing(
          "running as root, and initdb and postgres refuse root, but there is no postgres OS user"
              + " to run them as (the postgresql package creates it)");
      return;
    }
    PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
    view.setOwner(postgres);
    try {
      GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
      view.setGroup(group);
    } catch (UserPrincipalNotFoundException e) {
      // the user alone owns it: enough
    }
  }

  /** {@code command...}, as the postgres OS user when this process is root. */
  private List<String> as(List<String> command) {
    List<String> out = new ArrayList<>();
    if (asPostgresUser) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(command);
    return out;
  }

  private void initdb() throws IOException, InterruptedException {
    Path pwfile = dir.resolve("pwfile");
    Files.writeString(pwfile, password + "\n");
    if (asPostgresUser) {
      chownToPostgres(pwfile);
    }
    Path log = dir.resolve("initdb.log");
    Process p =
        new ProcessBuilder(
                as(
                    List.of(
                        bin.resolve("initdb").toString(),
                        "--pgdata=" + dir.resolve("data"),
                        "--username=" + USER,
                        "--pwfile=" + pwfile,
                        "--auth-host=scram-sha-256",
                        "--auth-local=scram-sha-256",
                        "--encoding=UTF8",
                        "--locale=C",
                        "--no-sync")))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    Files.deleteIfExists(pwfile);
    if (!done || p.exitValue() != 0) {
      throw new IllegalStateException(
          "initdb "
              + (done ? "failed (exit " + p.exitValue() + ")" : "took over 60 s")
              + "; its output:\n"
              + Files.readString(log));
    }
  }

  private void startServer() throws IOException, InterruptedException {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      port = freePort();
      Path log = dir.resolve("server.log");
      List<String> command = new ArrayList<>(List.of("sh", "-c", WATCHDOG));
      command.addAll(
          List.of(
              bin.resolve("postgres").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-p",
              String.valueOf(port),
              "-c",
              "listen_addresses=127.0.0.1",
              "-c",
              "unix_socket_directories=" + dir,
              "-c",
              "fsync=off",
              "-c",
              "synchronous_commit=off",
              "-c",
              "full_page_writes=off",
              "-c",
              "wal_level=minimal",
              "-c",
              "max_wal_senders=0",
              "-c",
              "shared_buffers=16MB",
              "-c",
              "max_connections=40"));
      server =
          new ProcessBuilder(as(command))
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        awaitConnections(log);
        return;
      } catch (IllegalStateException e) {
        last = e;
        stopServer();
        if (!Files.readString(log).contains("could not bind")) {
          throw e;
        }
        // the port was taken between choosing it and binding it: once more on another
      }
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitConnections(Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "PostgreSQL ("
                + bin
                + ") exited with code "
                + server.exitValue()
                + " while starting on 127.0.0.1:"
                + port
                + "; its log:\n"
                + Files.readString(log));
      }
      try {
        connect("postgres").close();
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException(
        "PostgreSQL ("
            + bin
            + ") did not accept connections on 127.0.0.1:"
            + port
            + " within "
            + START_SECONDS
            + " s (last: "
            + (last == null ? "none" : last.getMessage())
            + "); its log:\n"
            + Files.readString(log));
  }

  /** 127.0.0.1. */
  public String host() {
    return "127.0.0.1";
  }

  /** The server's TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The superuser that {@link #password()} logs in. */
  public String user() {
    return USER;
  }

  /** The superuser's password (random, new for each server). */
  public String password() {
    return password;
  }

  /** The directory the server's data, socket and logs are in (deleted by {@link #close()}). */
  public Path directory() {
    return dir;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/database}, with no credentials in it. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
  }

  /**
   * Creates a database owned by {@link #user()} (UTF8, locale C, as the cluster) and returns its
   * {@link #jdbcUrl(String)}.
   *
   * @param name a plain lowercase SQL name
   */
  public String createDatabase(String name) throws SQLException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("expected a plain lowercase SQL name, got " + name);
    }
    sql("postgres", "CREATE DATABASE " + name);
    return jdbcUrl(name);
  }

  /** A new connection to {@code database} as {@link #user()} (autocommit on, as JDBC opens it). */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), USER, password);
  }

  /** Runs each statement in {@code database}, in autocommit. */
  public void sql(String database, String... statements) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** Stops the server (a fast shutdown: open connections are ended) and deletes its directory. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or has run
    }
    stop();
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stopServer();
    } finally {
      delete(dir);
    }
  }

  /** Closes the watchdog's pipe (postgres gets SIGINT) and waits; kills what is left after that. */
  private void stopServer() {
    Process p = server;
    server = null;
    if (p == null) {
      return;
    }
    try {
      p.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
    try {
      if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory: the OS cleans up what is left
    }
  }
}
