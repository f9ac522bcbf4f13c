package dev.vantage.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * Two admins, the only enabled ones, remove each other at the same instant over the real API (delete, demote or
 * disable); at least one enabled admin must remain every time. Shared by the H2 test and PostgresIT.
 */
public final class AdminRace {
    private AdminRace() {
    }

    /** The ways one admin removes another: {@code (server, token, id)} -> HTTP status. */
    private static final List<Removal> REMOVALS = List.of(
            new Removal("delete", (s, t) -> id -> s.call("DELETE", "/api/v1/users/" + id, t, null).status()),
            new Removal("demote", (s, t) -> id -> s.call("PATCH", "/api/v1/users/" + id, t, "{\"role\":\"viewer\"}").status()),
            new Removal("disable", (s, t) -> id -> s.call("PATCH", "/api/v1/users/" + id, t, "{\"disabled\":true}").status()));

    private record Removal(String name, BiFunction<TestServer, String, java.util.function.Function<String, Integer>> call) {
    }

    /** Runs {@code rounds} races of each kind; fails at the first round that leaves no enabled admin. */
    public static void adminsRemovingEachOtherLeaveOne(TestServer server, String prefix, int rounds) throws Exception {
        UserStore users = server.core.users();
        String builtIn = users.findByUsername("admin").orElseThrow().id();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < rounds; round++) {
                for (Removal removal : REMOVALS) {
                    User a = server.createUser(prefix + "a" + round + removal.name(), Role.ADMIN);
                    User b = server.createUser(prefix + "b" + round + removal.name(), Role.ADMIN);
                    // a and b become the only enabled admins
                    users.list().stream()
                            .filter(u -> u.role() == Role.ADMIN && !u.disabled() && !u.id().equals(a.id()) && !u.id().equals(b.id()))
                            .forEach(u -> users.update(u.id(), new UserStore.Change(null, true, null)));
                    String tokenA = server.sessionToken(a);
                    String tokenB = server.sessionToken(b);
                    CountDownLatch go = new CountDownLatch(1);
                    CompletableFuture<Integer> aRemovesB = CompletableFuture.supplyAsync(() -> {
                        await(go);
                        return removal.call().apply(server, tokenA).apply(b.id());
                    }, pool);
                    CompletableFuture<Integer> bRemovesA = CompletableFuture.supplyAsync(() -> {
                        await(go);
                        return removal.call().apply(server, tokenB).apply(a.id());
                    }, pool);
                    go.countDown();
                    List<Integer> statuses = List.of(aRemovesB.get(), bRemovesA.get());
                    long enabledAdmins = users.list().stream().filter(u -> u.role() == Role.ADMIN && !u.disabled()).count();
                    assertThat(enabledAdmins).as("enabled admins after two concurrent %s requests answered %s", removal.name(), statuses)
                            .isGreaterThanOrEqualTo(1);
                    // one wins; the other is refused (409), or finds its own session already ended (401)
                    assertThat(statuses).as(removal.name()).containsAnyOf(200, 204).allMatch(s -> s == 200 || s == 204 || s == 409 || s == 401);
                }
            }
        } finally {
            users.update(builtIn, new UserStore.Change(Role.ADMIN, false, null)); // for the other tests of the server
        }
    }

    private static void await(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
