package dev.vantage.server.config;

/** The configuration is unusable; the message names the key and its environment variable. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
