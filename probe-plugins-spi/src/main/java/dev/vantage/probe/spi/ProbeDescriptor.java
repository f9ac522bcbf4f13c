package dev.vantage.probe.spi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a probe type is and which parameters it takes. Returned by {@link ProbeProvider#describe()}; servers use it
 * to validate task specs and user interfaces to draw a form for any plugin.
 *
 * @since 0.1
 */
public final class ProbeDescriptor {
    private final String type;
    private final String displayName;
    private final String description;
    private final String version;
    private final String targetDescription;
    private final List<ParameterSpec> parameters;

    private ProbeDescriptor(Builder b) {
        this.type = b.type;
        this.displayName = b.displayName == null ? b.type : b.displayName;
        this.description = b.description;
        this.version = b.version;
        this.targetDescription = b.targetDescription;
        this.parameters = List.copyOf(b.parameters);
    }

    public static Builder builder(String type) {
        return new Builder(type);
    }

    /** The probe type id, equal to {@link ProbeProvider#type()}. */
    public String type() {
        return type;
    }

    /** A short human name, e.g. {@code HTTP(S)}. */
    public String displayName() {
        return displayName;
    }

    public String description() {
        return description;
    }

    /** The plugin's version, e.g. its jar's implementation version. */
    public String version() {
        return version;
    }

    /** What the target is, e.g. {@code host name or IP address} or {@code http(s) URL}. */
    public String targetDescription() {
        return targetDescription;
    }

    public List<ParameterSpec> parameters() {
        return parameters;
    }

    public Optional<ParameterSpec> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Builds a {@link ProbeDescriptor}. Not thread-safe. */
    public static final class Builder {
        private final String type;
        private String displayName;
        private String description = "";
        private String version = "unknown";
        private String targetDescription = "target";
        private final List<ParameterSpec> parameters = new ArrayList<>();

        private Builder(String type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        public Builder displayName(String displayName) {
            this.displayName = Objects.requireNonNull(displayName, "displayName");
            return this;
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * The version of the jar that holds {@code providerClass} (its manifest's {@code Implementation-Version}),
         * or {@code unknown} when it has none, as when running from class folders.
         *
         * @since 0.1
         */
        public Builder versionOf(Class<?> providerClass) {
            String v = providerClass.getPackage() == null ? null : providerClass.getPackage().getImplementationVersion();
            return version(v == null ? "unknown" : v);
        }

        public Builder targetDescription(String targetDescription) {
            this.targetDescription = Objects.requireNonNull(targetDescription, "targetDescription");
            return this;
        }

        public Builder parameter(ParameterSpec parameter) {
            parameters.add(Objects.requireNonNull(parameter, "parameter"));
            return this;
        }

        /** @throws IllegalArgumentException if two parameters share a name */
        public ProbeDescriptor build() {
            Set<String> names = new HashSet<>();
            for (ParameterSpec p : parameters) {
                if (!names.add(p.name())) {
                    throw new IllegalArgumentException(type + ": duplicate parameter " + p.name());
                }
            }
            return new ProbeDescriptor(this);
        }
    }
}
