// pgjdbc logins for the authorization matrix: libpq does not expose the SQLSTATE of a refused startup, pgjdbc
// does. Arguments: jdbc-url, then user password pairs. Prints one line per pair: "OK", or the SQLSTATE and
// the message of the refusal.
import java.sql.*;

public class PgLoginCheck {
  public static void main(String[] args) {
    for (int i = 1; i + 1 < args.length; i += 2) {
      try (Connection conn = DriverManager.getConnection(args[0], args[i], args[i + 1])) {
        System.out.println("OK");
      } catch (SQLException e) {
        System.out.println(e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
      }
    }
  }
}
