package dev.vantage.agent.protocol;

import java.util.OptionalInt;

/**
 * The agent protocol versions this code speaks, and how two peers agree on one: the highest version inside both
 * ranges. Version 1 is docs/agent-protocol.md without updates; version 2 adds {@code update} and
 * {@code updateStatus}. A peer keeps speaking its old versions for as long as agents of them may be deployed, so a
 * fleet can be upgraded one agent at a time.
 */
public final class ProtocolVersions {
    public static final int MIN = 1;
    public static final int MAX = 2;
    /** The first version with {@link Message.Update} and {@link Message.UpdateStatus}. */
    public static final int UPDATES = 2;

    private ProtocolVersions() {
    }

    /** The version to speak with a peer speaking {@code peerMin..peerMax}, or empty when the ranges do not meet. */
    public static OptionalInt negotiate(int peerMin, int peerMax) {
        int v = Math.min(MAX, peerMax);
        return v >= Math.max(MIN, peerMin) ? OptionalInt.of(v) : OptionalInt.empty();
    }
}
