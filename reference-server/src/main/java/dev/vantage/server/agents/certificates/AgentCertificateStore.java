package dev.vantage.server.agents.certificates;

import dev.vantage.server.db.Database;
import dev.vantage.server.db.DatabaseException;
import java.time.Instant;
import java.util.Optional;

/** The tables {@code agent_ca} (the CA, its key sealed) and {@code agent_certificates} (what was issued to whom). */
public final class AgentCertificateStore {
    private final Database db;

    public AgentCertificateStore(Database db) {
        this.db = db;
    }

    /** The stored CA: its certificate and its sealed private key. */
    record StoredCa(String certificatePem, String sealedKey) {
    }

    Optional<StoredCa> ca() {
        return db.queryOne("SELECT certificate, private_key FROM agent_ca WHERE id = 1",
                rs -> new StoredCa(rs.getString(1), rs.getString(2)));
    }

    /** Stores the CA unless another replica stored one first (then that one is kept: read it again). */
    void createCa(StoredCa ca, Instant now) {
        try {
            db.update("INSERT INTO agent_ca (id, certificate, private_key, created_at) VALUES (1, ?, ?, ?)",
                    ca.certificatePem(), ca.sealedKey(), now);
        } catch (DatabaseException e) {
            if (ca().isEmpty()) {
                throw e;
            }
        }
    }

    /** Replaces the sealed CA key by what {@code reseal} makes of it ({@code null}: keep it); locks the row. */
    static int reseal(java.sql.Connection c, java.util.function.UnaryOperator<String> reseal) throws java.sql.SQLException {
        java.util.Optional<String> key = dev.vantage.server.db.Sql.queryOne(c,
                "SELECT private_key FROM agent_ca WHERE id = 1 FOR UPDATE", rs -> rs.getString(1));
        String again = key.map(reseal).orElse(null);
        if (again == null) {
            return 0;
        }
        dev.vantage.server.db.Sql.update(c, "UPDATE agent_ca SET private_key = ? WHERE id = 1", again);
        return 1;
    }

    void issued(String serial, String agentId, Instant notAfter, Instant now) {
        db.update("INSERT INTO agent_certificates (serial, agent_id, not_after, issued_at) VALUES (?, ?, ?, ?)",
                serial, agentId, notAfter, now);
        // certificates expired a day ago can never be presented again: keep the table small
        db.update("DELETE FROM agent_certificates WHERE agent_id = ? AND not_after < ?", agentId,
                now.minusSeconds(86_400));
    }

    /** Whether the certificate was issued to this agent and neither it nor the agent is revoked (or deleted). */
    boolean honoured(String serial, String agentId) {
        return db.queryOne("SELECT 1 FROM agent_certificates c JOIN agents a ON a.id = c.agent_id WHERE c.serial = ? "
                + "AND c.agent_id = ? AND c.revoked_at IS NULL AND a.revoked_at IS NULL", rs -> true, serial, agentId)
                .isPresent();
    }

    /** Revokes every certificate of the agent; returns how many were in force. */
    int revokeAll(String agentId, Instant now) {
        return db.update("UPDATE agent_certificates SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL",
                now, agentId);
    }
}
