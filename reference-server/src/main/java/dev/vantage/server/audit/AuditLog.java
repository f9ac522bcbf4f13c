package dev.vantage.server.audit;

import dev.vantage.server.http.AuditTrail;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Principal;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stores the changes the API edge reports ({@link AuditTrail}) in the {@link AuditStore}. */
public final class AuditLog implements AuditTrail {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private final AuditStore store;
    private final Clock clock;

    public AuditLog(AuditStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The rows, for reading. */
    public AuditStore store() {
        return store;
    }

    /** Deletes the rows older than {@code keep} ({@code null}: kept forever); one step of the hourly retention round. */
    public void applyRetention(Duration keep) {
        if (keep != null) {
            int n = store.deleteOlderThan(clock.instant().minus(keep));
            if (n > 0) {
                LOG.info("audit retention: deleted {} rows older than {}", n, keep);
            }
        }
    }

    @Override
    public void record(Change c) {
        Principal who = c.actor();
        // before/after are the API's own read views, so secrets are already masked exactly as on read
        store.append(clock.instant(), who.userId(), who.username(), who.apiTokenId(), c.client(), c.action(),
                c.objectType(), c.objectId().orElse(null), c.status(),
                c.before().map(JsonMapping::write).orElse(null), c.after().map(JsonMapping::write).orElse(null));
    }
}
