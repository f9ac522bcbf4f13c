/**
 * The JSON forms of the engine's task specs and results ({@code docs/result-json.md}), and a sink that writes results
 * as JSON lines. Jackson lives here, not in the engine, so that an embedder who needs no JSON does not inherit it.
 */
module dev.vantage.probe.json {
    requires transitive dev.vantage.probe.engine;
    requires transitive com.fasterxml.jackson.databind;
    requires dev.vantage.probe.plugin.support; // ProblemTexts: the parse problems' texts by language

    exports dev.vantage.probe.json;
}
