package dev.vantage.sink.influxdb;

import com.influxdb.LogLevel;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.InfluxException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes results to InfluxDB 2 (or anything taking its {@code /api/v2/write} line protocol) as one measurement per
 * probe type; the schema is in {@code docs/influxdb-export.md}.
 *
 * <p><b>Buffering and retries.</b> The engine already gives a sink a bounded queue that drops and counts when full,
 * so this sink keeps no buffer of its own: each {@link #export} is one blocking write of the whole batch, retried
 * with exponential back-off when the server is unreachable, times out, answers 429 or 5xx. When the retries run
 * out, or the server refuses the batch (another 4xx: bad data or credentials, which a retry cannot fix), the batch
 * is dropped, counted in {@code vantage.influx.points.dropped} and {@code export} throws, so the engine counts a
 * failed batch too. An export therefore blocks at most about {@code (maxRetries + 1) × timeout} plus the back-off.
 *
 * <p>Meters, each tagged {@code sink}: {@code vantage.influx.points.written}, {@code vantage.influx.points.dropped}
 * (tag {@code reason}: {@code rejected} or {@code unavailable}), {@code vantage.influx.write.retries}.
 */
public final class InfluxDbSink implements ResultSink {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxDbSink.class);

    private final String url;
    private final String org;
    private final String bucket;
    private final WritePrecision precision;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final ResultLines lines;
    private final InfluxDBClient client;
    private final WriteApiBlocking writer;
    private final Counter written;
    private final Counter rejected;
    private final Counter unavailable;
    private final Counter retries;

    private InfluxDbSink(Builder b) {
        this.url = b.url;
        this.org = b.org;
        this.bucket = b.bucket;
        this.precision = switch (b.precision) {
            case NANOSECONDS -> WritePrecision.NS;
            case MICROSECONDS -> WritePrecision.US;
            case MILLISECONDS -> WritePrecision.MS;
            case SECONDS -> WritePrecision.S;
            default -> throw new IllegalStateException(b.precision + " was refused by the builder");
        };
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.lines = new ResultLines(b.measurementPrefix, b.maxOtherLabels, b.precision);
        InfluxDBClientOptions.Builder options = InfluxDBClientOptions.builder()
                .url(url)
                .org(org)
                .bucket(bucket)
                .logLevel(LogLevel.NONE) // a higher level logs headers, and with them the token
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(b.connectTimeout)
                        .readTimeout(b.timeout)
                        .writeTimeout(b.timeout)
                        .callTimeout(b.timeout.plus(b.connectTimeout))
                        .retryOnConnectionFailure(false)); // retries are ours, and counted
        if (!b.token.isEmpty()) {
            options.authenticateToken(b.token.toCharArray());
        }
        this.client = InfluxDBClientFactory.create(options.build());
        this.writer = client.getWriteApiBlocking();
        String name = name();
        this.written = Counter.builder("vantage.influx.points.written").tag("sink", name)
                .description("Results written to InfluxDB").register(b.registry);
        this.rejected = dropped(b.registry, name, "rejected");
        this.unavailable = dropped(b.registry, name, "unavailable");
        this.retries = Counter.builder("vantage.influx.write.retries").tag("sink", name)
                .description("Writes to InfluxDB tried again").register(b.registry);
    }

    private static Counter dropped(MeterRegistry registry, String sink, String reason) {
        return Counter.builder("vantage.influx.points.dropped").tag("sink", sink).tag("reason", reason)
                .description("Results not written to InfluxDB: refused by it, or it was unavailable").register(registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "influxdb";
    }

    @Override
    public void export(List<ProbeResult> batch) throws IOException {
        List<String> records = new ArrayList<>(batch.size());
        for (ProbeResult r : batch) {
            records.add(lines.line(r));
        }
        Duration backoff = initialBackoff;
        for (int attempt = 0; ; attempt++) {
            try {
                writer.writeRecords(bucket, org, precision, records);
                written.increment(records.size());
                return;
            } catch (InfluxException e) {
                if (!retryable(e)) {
                    rejected.increment(records.size());
                    throw new IOException("InfluxDB refused " + records.size() + " results: HTTP " + e.status() + " "
                            + e.getMessage());
                }
                if (attempt >= maxRetries) {
                    unavailable.increment(records.size());
                    throw new IOException("InfluxDB at " + url + " unavailable after " + (attempt + 1)
                            + " attempts; dropped " + records.size() + " results: " + describe(e));
                }
                LOG.debug("write to InfluxDB failed ({}), retrying in {}", describe(e), backoff);
            }
            retries.increment();
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                // the engine gave up waiting for this sink at shutdown
                Thread.currentThread().interrupt();
                unavailable.increment(records.size());
                throw new IOException("interrupted; dropped " + records.size() + " results");
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /** No answer, a timeout, too many requests, or a server error: worth another try. */
    private static boolean retryable(InfluxException e) {
        return e.status() == 0 || e.status() == 429 || e.status() >= 500;
    }

    private static String describe(InfluxException e) {
        return e.status() == 0 && e.getCause() != null ? e.getCause().toString() : "HTTP " + e.status() + " " + e.getMessage();
    }

    /** Results written so far. */
    public long written() {
        return (long) written.count();
    }

    /** Results dropped so far, refused by the server or after the retries ran out. */
    public long dropped() {
        return (long) (rejected.count() + unavailable.count());
    }

    /** Writes tried again so far. */
    public long retries() {
        return (long) retries.count();
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "InfluxDbSink{url=" + url + ", org=" + org + ", bucket=" + bucket + ", token=******}";
    }

    /** Configures an {@link InfluxDbSink}; {@link #build()} checks the settings. */
    public static final class Builder {
        private String url;
        private String token = "";
        private String org;
        private String bucket;
        private TimeUnit precision = TimeUnit.NANOSECONDS;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(10);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private String measurementPrefix = "vantage_";
        private int maxOtherLabels = 8;
        private MeterRegistry registry = new SimpleMeterRegistry();

        private Builder() {
        }

        /** The server's base URL, e.g. {@code http://influxdb:8086}. Required. */
        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /** The API token; empty (the default) sends none. A secret: never logged or shown. */
        public Builder token(String token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /** The organization (name or id). Required. */
        public Builder org(String org) {
            this.org = Objects.requireNonNull(org, "org");
            return this;
        }

        /** The bucket to write to. Required. */
        public Builder bucket(String bucket) {
            this.bucket = Objects.requireNonNull(bucket, "bucket");
            return this;
        }

        /** Timestamp precision: nanoseconds (the default), microseconds, milliseconds or seconds. */
        public Builder precision(TimeUnit precision) {
            if (precision.compareTo(TimeUnit.SECONDS) > 0) {
                throw new IllegalArgumentException("precision must be NANOSECONDS, MICROSECONDS, MILLISECONDS or SECONDS, got "
                        + precision);
            }
            this.precision = precision;
            return this;
        }

        /** How long to wait for a connection (default 5 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long one write may take once connected (default 10 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** How often a failed write is tried again (default 3; 0 for never). */
        public Builder maxRetries(int retries) {
            if (retries < 0 || retries > 100) {
                throw new IllegalArgumentException("maxRetries must be between 0 and 100, got " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** The wait before the first retry, doubled after each one up to {@code max} (default 500 ms, 10 s). */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "backoff");
            this.maxBackoff = positive(max, "maxBackoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maxBackoff must not be less than the initial backoff");
            }
            return this;
        }

        /** Put before the probe type to name the measurement (default {@code vantage_}, giving {@code vantage_http}). */
        public Builder measurementPrefix(String prefix) {
            this.measurementPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * How many labels besides {@code agent}, {@code region} and {@code isp} become tags, in name order
         * (default 8): every tag value multiplies the series InfluxDB keeps.
         */
        public Builder maxOtherLabels(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxOtherLabels must not be negative");
            }
            this.maxOtherLabels = max;
            return this;
        }

        /** Where the sink's meters go; by default a private registry. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** @throws IllegalArgumentException naming the first missing or malformed setting */
        public InfluxDbSink build() {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("url is required");
            }
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("url is not a URL: " + e.getMessage());
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("url must be http:// or https:// with a host, got " + url);
            }
            if (org == null || org.isBlank()) {
                throw new IllegalArgumentException("org is required");
            }
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("bucket is required");
            }
            return new InfluxDbSink(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
