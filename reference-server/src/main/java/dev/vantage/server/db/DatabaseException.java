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
}
