package org.rollbackjobs.vector.source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import javax.sql.DataSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.sql.SqlIdentifier;

/**
 * Documents from a PostgreSQL query (a SELECT returning an id and a text column), read in a read-only
 * transaction with a server-side cursor, ordered by id so that a resumed load continues where it stopped. A
 * query has no snapshot: the rows record no source snapshot, and the source must not change during a build.
 */
public final class PostgresQueryDocumentSource implements DocumentSource {
  private static final int FETCH_SIZE = 1000;

  private final DataSource dataSource;
  private final String query;
  private final String idColumn;
  private final String textColumn;
  private final DocIdType idType;

  private PostgresQueryDocumentSource(DataSource dataSource, String query, String idColumn, String textColumn,
      DocIdType idType) {
    this.dataSource = dataSource;
    this.query = query;
    this.idColumn = idColumn;
    this.textColumn = textColumn;
    this.idType = idType;
  }

  /** Checks the query and its columns (without reading rows); a bad query or column is a {@link BadInputException}. */
  public static PostgresQueryDocumentSource of(DataSource dataSource, String query, String idColumn, String textColumn) {
    SqlIdentifier.check("--id-column", idColumn);
    SqlIdentifier.check("--text-column", textColumn);
    if (query == null || query.isBlank()) {
      throw new BadInputException("the source query is empty; expected a SELECT returning the id and text columns");
    }
    String trimmed = query.strip().replaceAll(";\\s*$", "");
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM (" + trimmed + ") q LIMIT 0")) {
        ResultSetMetaData meta = rs.getMetaData();
        int id = find(meta, idColumn);
        int text = find(meta, textColumn);
        if (id < 0 || text < 0) {
          throw new BadInputException("the source query returns no column '" + (id < 0 ? idColumn : textColumn)
              + "'; it returns: " + String.join(", ", columns(meta)));
        }
        int idSqlType = meta.getColumnType(id);
        DocIdType type = idSqlType == Types.BIGINT || idSqlType == Types.INTEGER || idSqlType == Types.SMALLINT
            ? DocIdType.BIGINT : DocIdType.TEXT;
        return new PostgresQueryDocumentSource(dataSource, trimmed, idColumn, textColumn, type);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new BadInputException("the source query cannot run: " + e.getMessage(), e);
    }
  }

  private static int find(ResultSetMetaData meta, String name) throws SQLException {
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      if (meta.getColumnLabel(i).equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> columns(ResultSetMetaData meta) throws SQLException {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      names.add(meta.getColumnLabel(i));
    }
    return names;
  }

  @Override
  public String describe() {
    return "postgres-query";
  }

  @Override
  public String name() {
    return "query";
  }

  @Override
  public Long snapshotId() {
    return null;
  }

  @Override
  public DocIdType idType() {
    return idType;
  }

  @Override
  public long count() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM (" + query + ") q")) {
        rs.next();
        return rs.getLong(1);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the documents of the source query: " + e.getMessage(), e);
    }
  }

  @Override
  public DocumentCursor open(long skip) {
    return new Cursor(true, skip);
  }

  @Override
  public DocumentCursor openIds() {
    return new Cursor(false, 0);
  }

  private final class Cursor implements DocumentCursor {
    private Connection connection;
    private PreparedStatement statement;
    private ResultSet rows;
    private final boolean withText;
    private Document next;
    private boolean done;

    Cursor(boolean withText, long skip) {
      this.withText = withText;
      String id = SqlIdentifier.quote(idColumn);
      String columns = withText ? id + ", " + SqlIdentifier.quote(textColumn) : id;
      try {
        connection = dataSource.getConnection();
        connection.setAutoCommit(false); // a cursor streams only inside a transaction
        connection.setReadOnly(true);
        statement = connection.prepareStatement(
            "SELECT " + columns + " FROM (" + query + ") q ORDER BY " + id + " OFFSET ?");
        statement.setFetchSize(FETCH_SIZE);
        statement.setLong(1, skip);
        rows = statement.executeQuery();
      } catch (SQLException e) {
        close();
        throw new IllegalStateException("cannot read the source query: " + e.getMessage(), e);
      }
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        try {
          if (rows.next()) {
            next = new Document(idType.normalize(rows.getObject(1)), withText ? rows.getString(2) : null);
          } else {
            done = true;
          }
        } catch (SQLException e) {
          throw new IllegalStateException("cannot read the source query: " + e.getMessage(), e);
        }
      }
      return next != null;
    }

    @Override
    public Document next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Document document = next;
      next = null;
      return document;
    }

    @Override
    public void close() {
      done = true;
      try {
        if (connection != null) {
          connection.rollback();
          connection.close();
        }
      } catch (SQLException e) {
        // closing a read-only cursor: nothing to lose
      }
    }
  }
}
