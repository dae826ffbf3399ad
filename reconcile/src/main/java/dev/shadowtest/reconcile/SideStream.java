package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.reconcile.ReconcileSpec.Column;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import dev.shadowtest.reconcile.ReconcileSpec.Side;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One side of a dataset read row by row in key order, a fetch size at a time; the order is
 * checked as it goes (a key out of order or seen twice is an error, never a miscount).
 */
final class SideStream implements AutoCloseable {

  static final int FETCH_SIZE = 1000;

  /** A row: its key values and its compared columns' values, both plain (see Values). */
  record Row(List<Object> key, Object[] values) {}

  private final String where;
  private final String sql;
  private final Statement statement;
  private final ResultSet rows;
  private final int[] keyAt;
  private final int[] valueAt;
  private final Class<?>[] readAs;
  private final boolean[] money;

  /** Columns of PostgreSQL's json or jsonb: read as their JSON value, not the driver's object. */
  private final boolean[] json;

  private final boolean[] sensitive;
  private final boolean utf16;
  private final boolean sensitiveKey;
  private List<Object> previous;

  /**
   * Runs the side's query on {@code db}.
   *
   * @param where names the dataset and side in errors: {@code spec.yaml:7: dataset orders: legacy}
   * @param candidate whether the columns are read by their candidate names
   * @param utf16 text keys ordered by UTF-16 code unit (H2), not by code point
   */
  SideStream(
      Connection db,
      Dataset dataset,
      Side side,
      List<Column> compared,
      boolean candidate,
      boolean utf16,
      String where,
      Consumer<String> warnings) {
    this.where = where;
    this.utf16 = utf16;
    this.sensitiveKey = dataset.sensitiveKey();
    List<String> names = new ArrayList<>();
    for (Column c : compared) {
      names.add(c.on(candidate));
    }
    try {
      this.sql =
          side.table() != null ? select(db, side.table(), dataset.key(), names) : side.query();
      this.statement = db.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    } catch (SQLException e) {
      throw new BadInputException(where + ": cannot query: " + firstLine(e), e);
    }
    try {
      statement.setFetchSize(FETCH_SIZE);
    } catch (SQLException e) {
      close();
      throw new BadInputException(where + ": cannot query: " + firstLine(e), e);
    }
    try {
      this.rows = statement.executeQuery(sql);
      ResultSetMetaData meta = rows.getMetaData();
      Map<String, Integer> byLabel = new HashMap<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        byLabel.putIfAbsent(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
      }
      keyAt = positions(dataset.key(), byLabel);
      valueAt = positions(names, byLabel);
      readAs = new Class<?>[meta.getColumnCount() + 1];
      money = new boolean[meta.getColumnCount() + 1];
      json = new boolean[meta.getColumnCount() + 1];
      sensitive = new boolean[meta.getColumnCount() + 1];
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        readAs[i] = readAs(meta, i);
        money[i] = "money".equalsIgnoreCase(meta.getColumnTypeName(i));
        json[i] =
            "json".equalsIgnoreCase(meta.getColumnTypeName(i))
                || "jsonb".equalsIgnoreCase(meta.getColumnTypeName(i));
      }
      for (int i = 0; i < valueAt.length; i++) {
        sensitive[valueAt[i]] |= compared.get(i).sensitive();
      }
      for (int i : keyAt) {
        sensitive[i] |= sensitiveKey;
      }
      Set<Integer> used = new HashSet<>();
      if (side.query() != null && byLabel.size() > keyAt.length + valueAt.length) {
        for (int i : keyAt) {
          used.add(i);
        }
        for (int i : valueAt) {
          used.add(i);
        }
        String unused =
            byLabel.entrySet().stream()
                .filter(e -> !used.contains(e.getValue()))
                .map(Map.Entry::getKey)
                .sorted()
                .collect(Collectors.joining(", "));
        warnings.accept(where + ": query returns columns not compared: " + unused);
      }
    } catch (SQLException e) {
      close();
      throw new BadInputException(
          where + ": query failed: " + firstLine(e) + " (SQL: " + sql + ")", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private int[] positions(List<String> names, Map<String, Integer> byLabel) {
    int[] at = new int[names.size()];
    for (int i = 0; i < at.length; i++) {
      Integer p = byLabel.get(names.get(i).toLowerCase(Locale.ROOT));
      if (p == null) {
        throw new BadInputException(
            where
                + ": column "
                + names.get(i)
                + " is not in the result (it has "
                + byLabel.keySet().stream().sorted().collect(Collectors.joining(", "))
                + ")");
      }
      at[i] = p;
    }
    return at;
  }

  /**
   * {@code SELECT key..., columns... FROM table ORDER BY key}; on PostgreSQL text keys are
   * ordered {@code COLLATE "C"} (byte-wise), as Shadow compares them.
   */
  static String select(Connection db, String table, List<String> key, List<String> columns)
      throws SQLException {
    List<String> order = new ArrayList<>(key);
    if (Databases.isPostgres(db)) {
      try (Statement s = db.createStatement();
          ResultSet probe =
              s.executeQuery(
                  "SELECT " + String.join(", ", key) + " FROM " + table + " WHERE 1 = 0")) {
        ResultSetMetaData meta = probe.getMetaData();
        for (int i = 0; i < key.size(); i++) {
          if (isText(meta.getColumnType(i + 1))) {
            order.set(i, key.get(i) + " COLLATE \"C\"");
          }
        }
      }
    }
    List<String> selected = new ArrayList<>(key);
    selected.addAll(columns);
    return "SELECT "
        + String.join(", ", selected)
        + " FROM "
        + table
        + " ORDER BY "
        + String.join(", ", order);
  }

  /**
   * Dates and times are read as java.time, not as java.sql types: a Timestamp is an instant in the
   * JVM's time zone, which moves a local time that zone skips (spring forward) and shows two
   * instants an hour apart as one local time (fall back); a Time drops the fractions of a second
   * (and reads {@code 24:00} as midnight), a Date the era. PostgreSQL's driver tells a timestamptz
   * and a timetz by their type names only. A PostgreSQL {@code money} is read as its text (the
   * driver's number reading refuses one with a group separator) and made a number by {@link
   * Values#money}.
   */
  private static Class<?> readAs(ResultSetMetaData meta, int column) throws SQLException {
    int type = meta.getColumnType(column);
    String name = meta.getColumnTypeName(column);
    if (type == Types.TIMESTAMP_WITH_TIMEZONE || "timestamptz".equalsIgnoreCase(name)) {
      return OffsetDateTime.class;
    }
    if (type == Types.TIME_WITH_TIMEZONE || "timetz".equalsIgnoreCase(name)) {
      return OffsetTime.class;
    }
    return switch (type) {
      case Types.TIMESTAMP -> LocalDateTime.class;
      case Types.TIME -> LocalTime.class;
      case Types.DATE -> LocalDate.class;
      default -> null;
    };
  }

  private Object read(int column) throws SQLException {
    Class<?> as = readAs[column];
    try {
      if (money[column]) {
        String text = rows.getString(column);
        return text == null ? null : Values.money(text);
      }
      if (json[column]) {
        String text = rows.getString(column);
        return text == null ? null : Values.json(text);
      }
      return Values.plain(as == null ? rows.getObject(column) : rows.getObject(column, as));
    } catch (RuntimeException | SQLException e) {
      // a value the driver or Shadow cannot make comparable: the input's, not a bug; the message
      // may quote the value, which a sensitive column's or key's must not show
      throw new BadInputException(
          where
              + ": column "
              + rows.getMetaData().getColumnLabel(column)
              + " (after key "
              + show(previous)
              + "): cannot read its value"
              + (sensitive[column]
                  ? " (the driver's message is withheld: the column is sensitive)"
                  : ": " + (e instanceof SQLException q ? firstLine(q) : e.toString())),
          e);
    }
  }

  private static boolean isText(int type) {
    return type == Types.VARCHAR
        || type == Types.CHAR
        || type == Types.LONGVARCHAR
        || type == Types.NVARCHAR
        || type == Types.NCHAR
        || type == Types.LONGNVARCHAR
        || type == Types.CLOB;
  }

  /** The next row in key order, or null at the end. */
  Row next() {
    try {
      if (!rows.next()) {
        return null;
      }
      List<Object> key = new ArrayList<>(keyAt.length);
      for (int at : keyAt) {
        Object v = read(at);
        if (v == null) {
          throw new BadInputException(
              where + ": a key column is NULL (after key " + show(previous) + ")");
        }
        key.add(v);
      }
      if (previous != null) {
        int c = Values.compareKeys(previous, key, utf16);
        if (c == 0) {
          throw new BadInputException(where + ": duplicate key " + show(key));
        }
        if (c > 0) {
          throw new BadInputException(
              where
                  + ": key "
                  + show(key)
                  + " comes after "
                  + show(previous)
                  + ": the rows are not ordered by the key byte-wise (ORDER BY the key,"
                  + " COLLATE \"C\" on PostgreSQL text)");
        }
      }
      previous = key;
      Object[] values = new Object[valueAt.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = read(valueAt[i]);
      }
      return new Row(key, values);
    } catch (SQLException e) {
      throw new BadInputException(where + ": reading failed: " + firstLine(e), e);
    }
  }

  /** A key for messages, pseudonymised when the dataset's key is sensitive. */
  static String show(List<Object> key, boolean sensitive) {
    return key == null
        ? "(none)"
        : String.join(", ", Values.keyText(key, sensitive)).transform(t -> "[" + t + "]");
  }

  private String show(List<Object> key) {
    return show(key, sensitiveKey);
  }

  static String firstLine(SQLException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  @Override
  public void close() {
    try {
      if (statement != null) {
        statement.close();
      }
    } catch (SQLException e) {
      // closing a read-only statement: nothing to lose
    }
  }
}
