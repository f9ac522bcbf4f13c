/** The agent WebSocket protocol: messages and their JSON codec (docs/agent-protocol.md). */
module dev.vantage.agent.protocol {
    requires transitive dev.vantage.probe.engine;
    requires transitive dev.vantage.probe.json;

    exports dev.vantage.agent.protocol;
}
