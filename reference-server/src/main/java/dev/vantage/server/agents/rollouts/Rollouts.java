package dev.vantage.server.agents.rollouts;

import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Message.UpdateStatus;
import dev.vantage.server.agents.releases.Release;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.tasks.Selector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives rollouts: picks the agents, orders those of the current wave to update (the ones connected to this
 * replica; every replica does the same for its own), records their reports, fails an agent silent for longer than
 * the rollout's agent timeout, halts the rollout when an agent failed or rolled back (later waves stay untouched),
 * and moves to the next wave when every agent of this one is healthy. The database holds all state, so any replica
 * may advance any rollout; a tick runs every second and after every report.
 */
public final class Rollouts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    /** An order not answered by an agent still connected is sent again after this. */
    static final Duration RESEND = Duration.ofSeconds(30);

    /** The agents, as the rollouts see them; wired to the agent store and gateway. */
    public interface Fleet {
        record Member(String id, String name, Map<String, String> labels, boolean online) {
        }

        enum Sent { SENT, NOT_HERE, CANNOT_UPDATE }

        List<Member> members();

        /** Sends the order if the agent is connected to this replica. */
        Sent send(String agentId, Message.Update order);
    }

    private final RolloutStore store;
    private final Function<String, Optional<Release>> releases;
    private final Fleet fleet;
    private final Clock clock;
    private final ScheduledExecutorService ticker;
    /** rolloutId/agentId -> when this replica last sent the order. */
    private final Map<String, Instant> sent = new ConcurrentHashMap<>();

    public Rollouts(RolloutStore store, Function<String, Optional<Release>> releases, Fleet fleet, Clock clock) {
        this.store = store;
        this.releases = releases;
        this.fleet = fleet;
        this.clock = clock;
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("rollouts").factory());
        ticker.scheduleWithFixedDelay(this::tickQuietly, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Starts a rollout of a complete release to {@code percent} of the agents {@code selector} matches.
     *
     * @throws InvalidInputException for an unknown or incomplete release, or a selector matching no agent
     * @throws ConflictException     while another rollout runs (the store decides, atomically)
     */
    public Rollout create(String version, Selector selector, int percent, Duration agentTimeout, String by) {
        Optional<Release> release = releases.apply(version);
        if (release.isEmpty() || !release.get().ready()) {
            throw new InvalidInputException(FieldError.of("version",
                    release.isEmpty() ? "rollout.unknownRelease" : "rollout.incompleteRelease", version));
        }
        List<Fleet.Member> matched = fleet.members().stream()
                .filter(m -> selector.matches(m.id(), m.labels()))
                // online agents first, so that the first wave is not stalled by an agent that is away
                .sorted(Comparator.comparing((Fleet.Member m) -> !m.online()).thenComparing(Fleet.Member::id))
                .toList();
        if (matched.isEmpty()) {
            throw new InvalidInputException(FieldError.of("selector", "rollout.noAgents"));
        }
        List<Integer> waves = waves(matched.size(), percent);
        List<String> ids = matched.subList(0, waves.size()).stream().map(Fleet.Member::id).toList();
        Rollout r = store.create(version, json(selector), percent, agentTimeout, by, ids, waves);
        int n = ids.size();
        LOG.info("rollout {} of agent release {} to {} agents started by {}", r.id(), version, n, by);
        ticker.execute(this::tickQuietly);
        return r;
    }

    /**
     * The wave of each agent taking part, for {@code percent} of {@code matched} agents (rounded up, at least one):
     * wave 0 is one agent, wave 1 brings the total to a quarter (rounded up), wave 2 is the rest. Small rollouts
     * have empty waves, which are skipped.
     */
    static List<Integer> waves(int matched, int percent) {
        int n = Math.max(1, (int) Math.ceil(matched * percent / 100.0));
        int quarter = (int) Math.ceil(n / 4.0);
        List<Integer> waves = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            waves.add(i == 0 ? 0 : i < quarter ? 1 : 2);
        }
        return waves;
    }

    /** @throws ConflictException if it is not running */
    public void cancel(String id, String by) {
        if (!store.end(id, Rollout.CANCELLED, of("rollout.cancelledBy", by))) {
            throw new ConflictException(of("rollout.notRunning"));
        }
    }

    /** An agent's report ({@code updateStatus}), from the gateway. */
    public void status(String agentId, UpdateStatus s) {
        String state = switch (s.state()) {
            case UpdateStatus.HEALTHY -> Rollout.HEALTHY;
            case UpdateStatus.FAILED -> Rollout.FAILED;
            case UpdateStatus.ROLLED_BACK -> Rollout.ROLLED_BACK;
            default -> Rollout.UPDATING; // downloading, switching: progress
        };
        String step = state.equals(Rollout.UPDATING) ? s.state() : null;
        // the agent's own words (English, or its owner's): quoted as they are in every language
        store.report(agentId, s.version(), state, step, s.reason() == null ? null : text(s.reason()))
                .ifPresent(id -> ticker.execute(this::tickQuietly));
    }

    /** Names of agents by id, for reading rollouts. */
    public Map<String, String> names() {
        return fleet.members().stream().collect(Collectors.toMap(Fleet.Member::id, Fleet.Member::name, (a, b) -> a));
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("rollouts: {}", e.toString()); // the database away: the next tick tries again
        }
    }

    void tick() {
        List<String> running = store.running();
        sent.keySet().removeIf(key -> !running.contains(key.substring(0, key.indexOf('/'))));
        for (String id : running) {
            Rollout r = store.find(id).orElse(null);
            if (r == null) {
                continue;
            }
            Instant now = clock.instant();
            for (Rollout.Target t : r.targets()) {
                if (t.state().equals(Rollout.UPDATING) && t.updatedAt().plus(r.agentTimeout()).isBefore(now)) {
                    store.report(t.agentId(), r.version(), Rollout.FAILED, null,
                            of("rollout.noHealthyReport", r.agentTimeout().toSeconds()));
                }
            }
            r = store.find(id).orElseThrow();
            Optional<Rollout.Target> bad = r.targets().stream().filter(Rollout.Target::failed).findFirst();
            if (bad.isPresent()) {
                Rollout.Target t = bad.get();
                String name = names().getOrDefault(t.agentId(), t.agentId());
                var state = of("rollout.agentState." + t.state());
                var reason = t.reason() == null ? of("rollout.halted", name, state)
                        : of("rollout.haltedBecause", name, state, t.reason());
                if (store.end(id, Rollout.HALTED, reason)) {
                    LOG.warn("rollout {} of {} halted: {}", id, r.version(), reason);
                }
                continue;
            }
            int wave = r.wave();
            boolean waveDone = r.targets().stream().filter(t -> t.wave() == wave)
                    .allMatch(t -> t.state().equals(Rollout.HEALTHY));
            if (waveDone) {
                Optional<Integer> next = r.targets().stream().map(Rollout.Target::wave).filter(w -> w > wave).min(Integer::compare);
                if (next.isEmpty()) {
                    if (store.end(id, Rollout.COMPLETED, null)) {
                        LOG.info("rollout {} of {} completed", id, r.version());
                    }
                    continue;
                }
                store.advance(id, wave, next.get());
                r = store.find(id).orElseThrow();
            }
            order(r, now);
        }
    }

    private void order(Rollout r, Instant now) {
        Release release = releases.apply(r.version()).orElse(null);
        if (release == null) {
            store.end(r.id(), Rollout.HALTED, of("rollout.releaseDeleted", r.version()));
            return;
        }
        Message.Update order = new Message.Update(release.version(), release.size(), release.sha256(), release.signature());
        for (Rollout.Target t : r.targets()) {
            String key = r.id() + "/" + t.agentId();
            Instant last = sent.get(key);
            if (t.wave() != r.wave() || !t.state().equals(Rollout.UPDATING)
                    || (last != null && last.plus(RESEND).isAfter(now))) {
                continue;
            }
            switch (fleet.send(t.agentId(), order)) {
                case SENT -> sent.put(key, now);
                case CANNOT_UPDATE -> store.report(t.agentId(), r.version(), Rollout.FAILED, null,
                        of("rollout.cannotUpdate"));
                case NOT_HERE -> { } // another replica holds it, or it is offline: ordered when it connects
            }
        }
    }

    private static String json(Selector selector) {
        return dev.vantage.server.json.JsonMapping.write(selector.toJson());
    }

    private static dev.vantage.server.errors.Message of(String code, Object... args) {
        return dev.vantage.server.errors.Message.of(code, args);
    }

    private static dev.vantage.server.errors.Message text(String text) {
        return dev.vantage.server.errors.Message.text(text);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
