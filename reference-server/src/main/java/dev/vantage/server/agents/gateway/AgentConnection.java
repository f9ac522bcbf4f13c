package dev.vantage.server.agents.gateway;

/** One open WebSocket as the hub sees it; the web layer adapts its session to this. Implementations are thread-safe. */
public interface AgentConnection {

    /** Sends one text frame. */
    void send(String text);

    /** Closes the socket with a WebSocket close code and a short reason. */
    void close(int code, String reason);
}
