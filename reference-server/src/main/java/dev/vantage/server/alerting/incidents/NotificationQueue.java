package dev.vantage.server.alerting.incidents;

import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.Message;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The notifications to deliver: one per timeline entry and channel, queued in the transaction that records the
 * entry. Any replica may send one, after claiming it for a lease: a replica that dies while sending leaves it to be
 * claimed again once the lease is over (so a notification is sent once, or twice if a replica died between sending
 * and recording it, never not at all).
 */
public final class NotificationQueue {
    /** A notification to send now, with what the message needs. */
    public record Due(String id, String channelId, int attempts, Incident incident, IncidentEvent event) {
    }

    /** One delivery of a channel, for its delivery log; {@code lastError} is told in each reader's language. */
    public record Delivery(String id, String incidentId, String kind, String status, int attempts, Integer lastCode,
                           Message lastError, Instant createdAt, Instant doneAt) {
    }

    private record Claimed(String channelId, int attempts, String eventId) {
    }

    private final Database db;
    private final Clock clock;
    private final IncidentStore incidents;

    public NotificationQueue(Database db, Clock clock, IncidentStore incidents) {
        this.db = db;
        this.clock = clock;
        this.incidents = incidents;
    }

    static void enqueue(Connection c, String eventId, List<String> channelIds, Instant now) throws SQLException {
        for (String channel : channelIds) {
            Sql.update(c, "INSERT INTO notifications (id, event_id, channel_id, status, next_attempt_at, created_at)"
                    + " VALUES (?, ?, ?, 'pending', ?, ?)", UUID.randomUUID().toString(), eventId, channel, now, now);
        }
    }

    /** Claims up to {@code max} due notifications for {@code lease}: nobody else sends them meanwhile. */
    public List<Due> claim(String replica, Duration lease, int max) {
        Instant now = clock.instant();
        List<String> candidates = db.query("SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= ?"
                + " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at LIMIT ?",
                rs -> rs.getString(1), now, now, max);
        if (candidates.isEmpty()) {
            return List.of();
        }
        // claimed only if nobody claimed it since it was read: one replica wins; one commit for all of them, rows
        // locked in id order so that two replicas claiming at once cannot deadlock
        List<String> claimed = db.inTransaction(c -> {
            List<String> won = new ArrayList<>();
            for (String id : candidates.stream().sorted().toList()) {
                if (Sql.update(c, "UPDATE notifications SET claimed_until = ?, claimed_by = ? WHERE id = ?"
                        + " AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)",
                        now.plus(lease), replica, id, now) == 1) {
                    won.add(id);
                }
            }
            return won;
        });
        List<Due> due = new ArrayList<>();
        for (String id : claimed) {
            db.queryOne("SELECT channel_id, attempts, event_id FROM notifications WHERE id = ?",
                            rs -> new Claimed(rs.getString(1), rs.getInt(2), rs.getString(3)), id)
                    .flatMap(n -> incidents.event(n.eventId()).flatMap(e -> incidents.find(e.incidentId())
                            .map(i -> new Due(id, n.channelId(), n.attempts(), i, e))))
                    .ifPresent(due::add);
        }
        return due;
    }

    /**
     * What one attempt to send came to, at {@code at}: delivered ({@code error} null), or failed and tried again at
     * {@code retryAt}, or given up when that is {@code null}.
     */
    public record Outcome(String id, int code, Message error, Instant retryAt, Instant at) {
        public static Outcome delivered(String id, int code, Instant at) {
            return new Outcome(id, code, null, null, at);
        }

        public static Outcome failed(String id, int code, Message error, Instant retryAt, Instant at) {
            return new Outcome(id, code, error, retryAt, at);
        }

        /** The English text, for the column that old rows have alone (and a reader of the table). */
        private String english() {
            String text = error.toString();
            return text.length() > 500 ? text.substring(0, 500) : text;
        }
    }

    /** Records outcomes, all in one transaction (those finished together: one commit, not one each). */
    public void record(List<Outcome> outcomes) {
        db.inTransaction(c -> {
            for (Outcome o : outcomes) {
                if (o.error() == null) {
                    Sql.update(c, "UPDATE notifications SET status = 'delivered', attempts = attempts + 1, last_code = ?,"
                            + " last_error = NULL, last_error_data = NULL, claimed_until = NULL, done_at = ? WHERE id = ?",
                            o.code(), o.at(), o.id());
                } else if (o.retryAt() == null) {
                    Sql.update(c, "UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_code = ?,"
                            + " last_error = ?, last_error_data = ?, claimed_until = NULL, done_at = ? WHERE id = ?",
                            o.code(), o.english(), o.error().toJson(), o.at(), o.id());
                } else {
                    Sql.update(c, "UPDATE notifications SET attempts = attempts + 1, last_code = ?, last_error = ?,"
                            + " last_error_data = ?, claimed_until = NULL, next_attempt_at = ? WHERE id = ?",
                            o.code(), o.english(), o.error().toJson(), o.retryAt(), o.id());
                }
            }
            return null;
        });
    }

    /** A channel's deliveries, the newest first. */
    public List<Delivery> deliveries(String channelId, int limit) {
        return db.query("SELECT n.id, e.incident_id, e.kind, n.status, n.attempts, n.last_code, n.last_error,"
                + " n.last_error_data, n.created_at, n.done_at FROM notifications n JOIN incident_events e ON e.id = n.event_id"
                + " WHERE n.channel_id = ? ORDER BY n.created_at DESC, n.id LIMIT ?", rs -> new Delivery(rs.getString("id"),
                rs.getString("incident_id"), rs.getString("kind"), rs.getString("status"), rs.getInt("attempts"),
                (Integer) rs.getObject("last_code"), Message.stored(rs.getString("last_error"), rs.getString("last_error_data")),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "done_at")), channelId, limit);
    }

    /** The stored failure in any language; rows from before V19 have the English text alone. */}
