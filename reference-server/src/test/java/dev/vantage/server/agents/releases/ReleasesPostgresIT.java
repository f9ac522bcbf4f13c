package dev.vantage.server.agents.releases;

import dev.vantage.server.backends.Backends;
import java.util.Map;

/** {@link ReleasesApiTest} on the machine's PostgreSQL (BYTEA rows, row locks). */
class ReleasesPostgresIT extends ReleasesApiTest {
    private Backends backends;

    @Override
    Map<String, String> database() throws Exception {
        backends = Backends.create();
        return backends.env(false);
    }

    @Override
    void closed() throws Exception {
        backends.close();
    }
}
