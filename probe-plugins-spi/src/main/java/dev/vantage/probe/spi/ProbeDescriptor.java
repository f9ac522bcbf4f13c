package dev.vantage.probe.spi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private final Map<Locale, Texts> translations;

    private ProbeDescriptor(Builder b) {
        this.type = b.type;
        this.displayName = b.displayName == null ? b.type : b.displayName;
        this.description = b.description;
        this.version = b.version;
        this.targetDescription = b.targetDescription;
        this.parameters = List.copyOf(b.parameters);
        this.translations = Map.copyOf(b.translations);
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

    /**
     * The languages this descriptor has texts in besides its own (English).
     *
     * @since 0.1
     */
    public Set<Locale> locales() {
        return translations.keySet();
    }

    /**
     * This descriptor in {@code locale}: its display name, description, target description and parameter
     * descriptions in that language where the plugin gives them (the exact locale first, then one of the same
     * language, as {@code zh-CN} for {@code zh}), in its own words where it does not. Everything else is the same.
     *
     * @since 0.1
     */
    public ProbeDescriptor localize(Locale locale) {
        Texts t = translations.get(locale);
        if (t == null) {
            t = translations.entrySet().stream()
                    .filter(e -> e.getKey().getLanguage().equals(locale.getLanguage()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (t == null) {
            return this;
        }
        Builder b = new Builder(type).version(version)
                .displayName(t.displayName != null ? t.displayName : displayName)
                .description(t.description != null ? t.description : description)
                .targetDescription(t.targetDescription != null ? t.targetDescription : targetDescription);
        for (ParameterSpec p : parameters) {
            String text = t.parameters.get(p.name());
            b.parameter(text == null ? p : p.withDescription(text));
        }
        return b.build();
    }

    /**
     * The pattern of problem {@code code} (see {@link ConfigProblem#code()}) in {@code locale}, exact locale first, then
     * one of the same language; empty when the plugin gives none (then the problem's own reason is shown). The
     * pattern is a {@link java.text.MessageFormat} over the problem's {@link ConfigProblem#args()}.
     *
     * @since 0.1
     */
    public Optional<String> problemText(String code, Locale locale) {
        Texts t = translations.get(locale);
        if (t != null && t.problems.containsKey(code)) {
            return Optional.of(t.problems.get(code));
        }
        return translations.entrySet().stream()
                .filter(e -> e.getKey().getLanguage().equals(locale.getLanguage()))
                .map(e -> e.getValue().problems.get(code)).filter(Objects::nonNull).findFirst();
    }

    /**
     * A descriptor's texts in one language; what is left out stays in the descriptor's own words.
     *
     * @since 0.1
     */
    public static final class Texts {
        private final String displayName;
        private final String description;
        private final String targetDescription;
        private final Map<String, String> parameters;
        private final Map<String, String> problems;

        private Texts(TextsBuilder b) {
            this.problems = Map.copyOf(b.problems);
            this.displayName = b.displayName;
            this.description = b.description;
            this.targetDescription = b.targetDescription;
            this.parameters = Map.copyOf(b.parameters);
        }

        public static TextsBuilder builder() {
            return new TextsBuilder();
        }
    }

    /**
     * Builds {@link Texts}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class TextsBuilder {
        private String displayName;
        private String description;
        private String targetDescription;
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private final Map<String, String> problems = new LinkedHashMap<>();

        private TextsBuilder() {
        }

        public TextsBuilder displayName(String displayName) {
            this.displayName = Objects.requireNonNull(displayName, "displayName");
            return this;
        }

        public TextsBuilder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        public TextsBuilder targetDescription(String targetDescription) {
            this.targetDescription = Objects.requireNonNull(targetDescription, "targetDescription");
            return this;
        }

        /** The description of parameter {@code name} in this language. */
        public TextsBuilder parameter(String name, String description) {
            parameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(description, "description"));
            return this;
        }

        /** Several parameter descriptions at once (shared ones, e.g. from a support library), by parameter name. */
        public TextsBuilder parameters(Map<String, String> descriptions) {
            descriptions.forEach(this::parameter);
            return this;
        }

        /**
         * The text of problem {@code code} in this language: a {@link java.text.MessageFormat} pattern over the
         * problem's arguments, e.g. {@code 端口必须在 1 到 65535 之间，实际为 “{0}”}.
         *
         * @since 0.1
         */
        public TextsBuilder problem(String code, String pattern) {
            problems.put(Objects.requireNonNull(code, "code"), Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        /**
         * Several problem texts at once (shared ones, e.g. from a support library), by code.
         *
         * @since 0.1
         */
        public TextsBuilder problems(Map<String, String> patterns) {
            patterns.forEach(this::problem);
            return this;
        }

        public Texts build() {
            return new Texts(this);
        }
    }

    /** Builds a {@link ProbeDescriptor}. Not thread-safe. */
    public static final class Builder {
        private final String type;
        private String displayName;
        private String description = "";
        private String version = "unknown";
        private String targetDescription = "target";
        private final List<ParameterSpec> parameters = new ArrayList<>();
        private final Map<Locale, Texts> translations = new LinkedHashMap<>();

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

        /**
         * The descriptor's texts in another language ({@code Locale.SIMPLIFIED_CHINESE}, say).
         *
         * @since 0.1
         */
        public Builder texts(Locale locale, Texts texts) {
            translations.put(Objects.requireNonNull(locale, "locale"), Objects.requireNonNull(texts, "texts"));
            return this;
        }

        /**
         * @throws IllegalArgumentException if two parameters share a name, or a translation describes a parameter
         *                                  that does not exist (a typo would otherwise go unnoticed)
         */
        public ProbeDescriptor build() {
            Set<String> names = new HashSet<>();
            for (ParameterSpec p : parameters) {
                if (!names.add(p.name())) {
                    throw new IllegalArgumentException(type + ": duplicate parameter " + p.name());
                }
            }
            translations.forEach((locale, t) -> t.parameters.keySet().forEach(name -> {
                if (!names.contains(name)) {
                    throw new IllegalArgumentException(type + ": the " + locale.toLanguageTag()
                            + " texts describe a parameter that does not exist: " + name);
                }
            }));
            return new ProbeDescriptor(this);
        }
    }
}
