package dev.vantage.server.live;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.security.Authentication;
import dev.vantage.server.security.Principal;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.webserver.websocket.WsRouting;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code /ws/live}: the push channel of user interfaces. Browsers cannot set headers on a WebSocket, and a token in
 * the URL would end up in logs, so the first frame must be {@code {"type":"auth","token":"<access or API token>"}};
 * the server answers {@code {"type":"ready","user":...}} and then pushes events (see {@link LiveFeed}). A client may
 * send {@code {"type":"subscribe","taskId":"..."}} to receive results of one task only ({@code null} for all).
 * The credentials are checked again every {@link #RECHECK}: a logout, password change or revoked API token ends the
 * feed (close code 4401).
 */
public final class LiveApi implements ApiModule {
    /** Close code for a refused or missing credential. */
    public static final int CLOSE_UNAUTHORIZED = 4401;

    /** How often an open feed's credentials are checked again, so logout or a password change also ends it. */
    static final Duration RECHECK = Duration.ofSeconds(30);

    private final LiveFeed feed;
    private final Authentication authenticator;
    private final ScheduledExecutorService rechecks =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("live-recheck").factory());

    public LiveApi(LiveFeed feed, Authentication authenticator) {
        this.feed = feed;
        this.authenticator = authenticator;
    }

    @Override
    public void routes(Routes routes) {
        // WebSocket only; nothing in the route table
    }

    @Override
    public void webSockets(WsRouting.Builder ws) {
        ws.endpoint("/ws/live", Socket::new);
    }

    @Override
    public void close() {
        rechecks.shutdownNow();
        feed.close();
    }

    private final class Socket implements WsListener {
        private volatile LiveFeed.Subscriber subscriber;
        private volatile ScheduledFuture<?> recheck;

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            JsonNode msg;
            try {
                msg = JsonMapping.MAPPER.readTree(text);
            } catch (Exception e) {
                session.send("{\"type\":\"error\",\"message\":\"frame is not valid JSON\"}", true);
                return;
            }
            String type = msg.path("type").asText("");
            if (subscriber == null) {
                if (!type.equals("auth") || !msg.path("token").isTextual()) {
                    session.close(CLOSE_UNAUTHORIZED, "send {\"type\":\"auth\",\"token\":...} first");
                    return;
                }
                Principal p;
                try {
                    p = authenticator.authenticateToken(msg.path("token").textValue());
                } catch (NotAuthenticatedException e) {
                    session.close(CLOSE_UNAUTHORIZED, "credentials refused");
                    return;
                }
                subscriber = new LiveFeed.Subscriber(frame -> {
                    synchronized (session) {
                        session.send(frame, true);
                    }
                });
                synchronized (session) {
                    session.send(JsonMapping.write(java.util.Map.of("type", "ready", "user", p.username(), "role", p.role().id())), true);
                }
                feed.add(subscriber);
                String token = msg.path("token").textValue();
                recheck = rechecks.scheduleWithFixedDelay(() -> {
                    try {
                        authenticator.authenticateToken(token);
                    } catch (NotAuthenticatedException e) {
                        session.close(CLOSE_UNAUTHORIZED, "credentials no longer valid");
                        stop();
                    } catch (RuntimeException e) {
                        // the database is briefly unavailable: keep the feed, check again next time
                    }
                }, RECHECK.toMillis(), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            if (type.equals("subscribe")) {
                JsonNode task = msg.get("taskId");
                subscriber.onlyTask(task == null || task.isNull() ? null : task.asText());
            }
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            stop();
        }

        private void stop() {
            if (subscriber != null) {
                feed.remove(subscriber);
            }
            if (recheck != null) {
                recheck.cancel(false);
            }
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            onClose(session, 1011, "error");
        }
    }
}
