package dev.vantage.server.db;

import java.sql.SQLException;

/** A database call failed. Never shown to API clients (the SQL state and message may name tables and values). */
public class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    /** The SQL state, e.g. {@code 23505} for a unique-key violation on both H2 and PostgreSQL. */
    public String sqlState() {
        return ((SQLException) getCause()).getSQLState();
    }

    public boolean isUniqueViolation() {
        return "23505".equals(sqlState());
    }

    /**
     * Whether the database is out of reach rather than the statement wrong: no connection from the pool in time,
     * a connection failure (SQL state class 08), the server shutting down or not yet accepting (57P0x), or a
     * statement cancelled by its timeout (57014). Worth a retry later, so the API answers 503.
     */
    public boolean isUnavailable() {
        SQLException e = (SQLException) getCause();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof java.sql.SQLTransientConnectionException || e instanceof java.sql.SQLNonTransientConnectionException
                || e instanceof java.sql.SQLRecoverableException
                || state.startsWith("08") || state.startsWith("57P") || state.equals("57014");
    }
}
