package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.reconcile.ReconcileSpec.Database;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Loads CSV exports into the embedded database, one table per file, every column text: the first
 * record names the columns; each later record must have as many fields (an error names the file
 * and line otherwise). A CSV has no NULL: an empty field is an empty text ({@code emptyIsNull}
 * equates it with a database's NULL).
 */
final class CsvTables {

  /** A record longer than this (in characters) is an error, not a heap exhausted. */
  static final int MAX_RECORD_CHARS = 64 * 1024 * 1024;

  private static final int BATCH = 1_000;
  private static final int COMMIT_EVERY = 50_000;

  private CsvTables() {}

  static void load(Connection db, Database source, String side, Map<String, List<String>> tables)
      throws SQLException {
    for (Map.Entry<String, List<String>> t : tables.entrySet()) {
      load(
          db,
          file(source.csv(), t.getKey(), side),
          t.getKey(),
          source.delimiter(),
          t.getValue(),
          side);
    }
  }

  private static Path file(Path dir, String table, String side) {
    Path f = find(dir, table);
    if (f == null) {
      throw new BadInputException(side + ": no " + table + ".csv in " + dir);
    }
    return f;
  }

  /** {@code TABLE.csv} in {@code dir}, its name's case aside (as SQL names), or null. */
  static Path find(Path dir, String table) {
    Path exact = dir.resolve(table + ".csv");
    if (Files.isRegularFile(exact)) {
      return exact;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              f ->
                  f.getFileName().toString().equalsIgnoreCase(table + ".csv")
                      && Files.isRegularFile(f))
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      throw new BadInputException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void load(
      Connection db, Path file, String table, char delimiter, List<String> key, String side)
      throws SQLException {
    String at = side + ": " + file;
    CSVFormat format =
        CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(true).get();
    try (LimitedReader in =
            new LimitedReader(
                new InputStreamReader(
                    Files.newInputStream(file),
                    StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)));
        CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
      Iterator<CSVRecord> records = parser.iterator();
      if (!records.hasNext()) {
        throw new BadInputException(at + ": empty; expected a header line naming the columns");
      }
      List<String> header = header(records.next(), at);
      try (Statement s = db.createStatement()) {
        s.execute(
            "CREATE TABLE "
                + quote(table)
                + " ("
                + header.stream().map(h -> quote(h) + " VARCHAR").collect(Collectors.joining(", "))
                + ")");
      }
      String insert =
          "INSERT INTO "
              + quote(table)
              + " VALUES ("
              + header.stream().map(h -> "?").collect(Collectors.joining(", "))
              + ")";
      long rows = 0;
      long line = parser.getCurrentLineNumber() + 1;
      try (PreparedStatement p = db.prepareStatement(insert)) {
        while (true) {
          in.reset();
          if (!records.hasNext()) {
            break;
          }
          CSVRecord r = records.next();
          if (r.size() != header.size()) {
            throw new BadInputException(
                at
                    + ":"
                    + line
                    + ": "
                    + r.size()
                    + (r.size() == 1 ? " field" : " fields")
                    + ", the header has "
                    + header.size()
                    + " (delimiter '"
                    + delimiter
                    + "')");
          }
          for (int i = 0; i < header.size(); i++) {
            p.setString(i + 1, r.get(i));
          }
          p.addBatch();
          rows++;
          if (rows % BATCH == 0) {
            p.executeBatch();
          }
          if (rows % COMMIT_EVERY == 0) {
            db.commit();
          }
          line = parser.getCurrentLineNumber() + 1;
        }
        p.executeBatch();
      }
      if (!key.isEmpty()
          && header.stream()
              .map(h -> h.toLowerCase(Locale.ROOT))
              .collect(Collectors.toSet())
              .containsAll(key.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList())) {
        try (Statement s = db.createStatement()) {
          s.execute("CREATE INDEX ON " + quote(table) + " (" + String.join(", ", key) + ")");
        }
      }
      db.commit();
    } catch (UncheckedIOException e) {
      // from the parser: a quote never closed, a record too long, bytes that are not UTF-8
      if (e.getCause() instanceof CharacterCodingException) {
        throw unreadable(at, e.getCause(), e);
      }
      throw new BadInputException(at + ": not valid CSV: " + e.getCause().getMessage(), e);
    } catch (IllegalStateException e) {
      // Commons CSV: a quote never closed, a character after a closing quote
      throw new BadInputException(at + ": not valid CSV: " + e.getMessage(), e);
    } catch (IOException e) {
      throw unreadable(at, e, e);
    }
  }

  private static BadInputException unreadable(String at, IOException e, Exception cause) {
    if (e instanceof CharacterCodingException) {
      return new BadInputException(at + ": not UTF-8 text (" + e + ")", cause);
    }
    return new BadInputException(at + ": cannot read: " + e.getMessage(), cause);
  }

  private static List<String> header(CSVRecord r, String at) {
    List<String> names = r.toList();
    if (!names.isEmpty() && names.get(0).startsWith("\uFEFF")) {
      names.set(0, names.get(0).substring(1)); // a byte order mark
    }
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (n.isBlank()) {
        throw new BadInputException(at + ":1: the header names a column with an empty name");
      }
      if (!seen.add(n.toLowerCase(Locale.ROOT))) {
        throw new BadInputException(at + ":1: the header names column " + n + " twice");
      }
    }
    return names;
  }

  private static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** Counts the characters read since {@link #reset()}: a record past the limit is an error. */
  static final class LimitedReader extends FilterReader {
    private long read;

    LimitedReader(Reader in) {
      super(in);
    }

    @Override
    public void reset() {
      read = 0;
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      count(c < 0 ? 0 : 1);
      return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      count(Math.max(n, 0));
      return n;
    }

    private void count(int n) throws IOException {
      read += n;
      if (read > MAX_RECORD_CHARS) {
        throw new IOException(
            "a record longer than " + MAX_RECORD_CHARS + " characters (a quote never closed?)");
      }
    }
  }
}
