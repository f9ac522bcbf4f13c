package dev.vantage.server.results.places;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Agents' free-form location labels ({@code isp}, {@code province}, {@code city}, {@code country}) normalised against
 * the fixed lists in {@code places.json}: carriers, China's provinces (ISO 3166-2 keys, {@code CN-GD}) and countries
 * (ISO 3166-1 alpha-2). The UI reads the same file ({@code ui/src/lib/places.ts}) and both run the same cases
 * ({@code places-cases.json} in the tests), so a label lands in the same group on the server and in the browser.
 *
 * <p>Each dimension gives a key of its list, {@value #OTHER} for a value not in it, or {@value #UNKNOWN} when the
 * agent has no such label.
 */
public final class Places {
    public static final String UNKNOWN = "unknown";
    public static final String OTHER = "other";

    /** A place or carrier of a list: its key and its English and Chinese names. */
    public record Entry(String key, String en, String zh) {
    }

    /** A dimension agents can be grouped by: three normalised, {@code region} as written. */
    public enum Dimension {
        ISP, PROVINCE, COUNTRY, REGION;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The dimension named {@code text} ({@code isp}, {@code province}, ...), or {@code null}. */
        public static Dimension of(String text) {
            for (Dimension d : values()) {
                if (d.label().equals(text)) {
                    return d;
                }
            }
            return null;
        }
    }

    private static final Pattern SUFFIX = Pattern.compile("(省|市|自治区|特别行政区| province| city)$");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Places INSTANCE = load();

    private final List<Entry> carriers;
    private final List<Entry> provinces;
    private final List<Entry> countries;
    private final Map<String, String> carrierKeys;
    private final Map<String, String> provinceKeys;
    private final Map<String, String> cityProvinces;
    private final Map<String, String> countryKeys;

    private Places(JsonNode json) {
        carriers = entries(json.get("carriers"));
        provinces = entries(json.get("provinces"));
        countries = entries(json.get("countries"));
        carrierKeys = aliases(json.get("carriers"), "key");
        provinceKeys = aliases(json.get("provinces"), "key");
        cityProvinces = aliases(json.get("cnCities"), "province");
        countryKeys = aliases(json.get("countries"), "key");
    }

    public static Places get() {
        return INSTANCE;
    }

    public List<Entry> carriers() {
        return carriers;
    }

    public List<Entry> provinces() {
        return provinces;
    }

    public List<Entry> countries() {
        return countries;
    }

    /**
     * The order groups of a dimension are listed in: as in the list (provinces north to south, the big carriers
     * first), then values not in it by name, then {@value #OTHER}, then {@value #UNKNOWN}.
     */
    public Comparator<String> order(Dimension d) {
        List<Entry> list = switch (d) {
            case ISP -> carriers;
            case PROVINCE -> provinces;
            case COUNTRY -> countries;
            case REGION -> List.of();
        };
        Map<String, Integer> index = new HashMap<>();
        list.forEach(e -> index.put(e.key(), index.size()));
        index.put(OTHER, Integer.MAX_VALUE - 1);
        index.put(UNKNOWN, Integer.MAX_VALUE);
        return Comparator.<String>comparingInt(k -> index.getOrDefault(k, list.size())).thenComparing(k -> k);
    }

    /** The agent's group in dimension {@code d}. */
    public String key(Dimension d, Map<String, String> labels) {
        return switch (d) {
            case ISP -> match(carrierKeys, labels.get("isp"));
            case PROVINCE -> province(labels);
            case COUNTRY -> country(labels);
            case REGION -> {
                String region = labels.get("region");
                yield region == null || region.isBlank() ? UNKNOWN : region.strip();
            }
        };
    }

    /**
     * The {@code province} label; without one, a Chinese city or municipality in {@code city} (北京, 广州); an agent
     * in another country without a Chinese province is {@value #OTHER}.
     */
    private String province(Map<String, String> labels) {
        String given = labels.get("province");
        if (given != null && !given.isBlank()) {
            return match(provinceKeys, given);
        }
        String city = normal(labels.get("city"));
        String fromCity = cityProvinces.getOrDefault(city, provinceKeys.get(city));
        if (fromCity != null) {
            return fromCity;
        }
        String country = match(countryKeys, labels.get("country"));
        return country.equals(UNKNOWN) || country.equals("CN") ? UNKNOWN : OTHER;
    }

    /** The {@code country} label; without one, China when the agent is in one of its provinces. */
    private String country(Map<String, String> labels) {
        String country = match(countryKeys, labels.get("country"));
        if (country.equals(UNKNOWN) && province(labels).startsWith("CN-")) {
            return "CN";
        }
        return country;
    }

    private static String match(Map<String, String> keys, String value) {
        String v = normal(value);
        if (v.isEmpty()) {
            return UNKNOWN;
        }
        return keys.getOrDefault(v, OTHER);
    }

    /** Trimmed, lower case, single spaces, no trailing 省/市/自治区/特别行政区/province/city. */
    static String normal(String value) {
        if (value == null) {
            return "";
        }
        String v = SPACES.matcher(value.strip().toLowerCase(Locale.ROOT)).replaceAll(" ");
        return SUFFIX.matcher(v).replaceFirst("").strip();
    }

    private static List<Entry> entries(JsonNode list) {
        List<Entry> out = new ArrayList<>();
        list.forEach(e -> out.add(new Entry(e.get("key").asText(), e.get("en").asText(), e.get("zh").asText())));
        return List.copyOf(out);
    }

    /** Every alias, name and key of a list (normalised) to the field {@code target} of its entry. */
    private static Map<String, String> aliases(JsonNode list, String target) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode e : list) {
            List<String> names = new ArrayList<>();
            e.get("aliases").forEach(a -> names.add(a.asText()));
            for (String field : List.of("key", "en", "zh")) {
                if (e.has(field)) {
                    names.add(e.get(field).asText());
                }
            }
            names.forEach(n -> out.putIfAbsent(normal(n), e.get(target).asText()));
        }
        return Map.copyOf(out);
    }

    private static Places load() {
        try (InputStream in = Places.class.getResourceAsStream("places.json")) {
            return new Places(JsonMapping.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("places.json is unreadable", e);
        }
    }
}
