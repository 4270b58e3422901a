// pgjdbc against duckstore's PostgreSQL door: prepared statements (server-side after the threshold),
// fetch size (row-limited Execute and PortalSuspended), batches, types, an error's SQLSTATE, COPY in and out.
// Arguments: jdbc-url user password. Prints "OK" and exits 0 when every check passes.
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.*;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

public class PgWireCheck {
  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  public static void main(String[] args) throws Exception {
    try (Connection conn = DriverManager.getConnection(args[0], args[1], args[2])) {
      try (Statement st = conn.createStatement()) {
        st.execute("CREATE TABLE j (id INTEGER, name VARCHAR, amount DECIMAL(10,2))");
      }
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO j VALUES (?, ?, ?)")) {
        for (int i = 0; i < 100; i++) {
          ps.setInt(1, i);
          ps.setString(2, "n" + i);
          ps.setBigDecimal(3, new BigDecimal(i + ".25"));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      // Five and more executions switch pgjdbc to a named server-side statement.
      try (PreparedStatement ps = conn.prepareStatement("SELECT name, amount FROM j WHERE id = ?")) {
        for (int i = 0; i < 8; i++) {
          ps.setInt(1, i);
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next(), "row " + i);
            check(rs.getString(1).equals("n" + i), "name " + i);
            check(rs.getBigDecimal(2).equals(new BigDecimal(i + ".25")), "amount " + i);
          }
        }
      }
      // A fetch size needs a transaction: pgjdbc then reads through a portal, 10 rows per Execute.
      conn.setAutoCommit(false);
      try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM j ORDER BY id")) {
        ps.setFetchSize(10);
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) check(rs.getInt(1) == n++, "order");
        }
        check(n == 100, "fetched " + n);
      }
      conn.commit();
      conn.setAutoCommit(true);
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
               "SELECT DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', true, 1.5::DOUBLE, NULL::INTEGER")) {
        check(rs.next(), "types row");
        check(rs.getDate(1).toString().equals("2024-01-02"), "date");
        check(rs.getTimestamp(2).toString().equals("2024-01-02 03:04:05.0"), "timestamp");
        check(rs.getBoolean(3), "bool");
        check(rs.getDouble(4) == 1.5, "double");
        rs.getInt(5);
        check(rs.wasNull(), "null");
      }
      try (Statement st = conn.createStatement()) {
        st.executeQuery("SELECT * FROM nope");
        check(false, "no error");
      } catch (SQLException e) {
        check("42P01".equals(e.getSQLState()), "sqlstate " + e.getSQLState());
      }
      // COPY through pgjdbc's CopyManager, in and out.
      CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
      long in = copy.copyIn("COPY j FROM STDIN WITH (FORMAT csv)",
                            new StringReader("1000,copied,1.50\n1001,\"with, comma\",\n"));
      check(in == 2, "copied in " + in);
      StringWriter out = new StringWriter();
      long sent = copy.copyOut("COPY (SELECT * FROM j WHERE id >= 1000 ORDER BY id) TO STDOUT", out);
      check(sent == 2, "copied out " + sent);
      check(out.toString().equals("1000\tcopied\t1.50\n1001\twith, comma\t\\N\n"), "copy out " + out);
    }
    System.out.println("OK");
  }
}
