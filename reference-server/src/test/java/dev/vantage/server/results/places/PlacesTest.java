package dev.vantage.server.results.places;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The label cases the UI's places test runs too ({@code places-cases.json}): both sides group alike. */
class PlacesTest {
    @Test
    void labelsNormaliseAsTheSharedCasesSay() throws IOException {
        Places places = Places.get();
        JsonNode cases;
        try (InputStream in = PlacesTest.class.getResourceAsStream("places-cases.json")) {
            cases = JsonMapping.MAPPER.readTree(in);
        }
        assertThat(cases.size()).isGreaterThan(10);
        for (JsonNode c : cases) {
            Map<String, String> labels = JsonMapping.MAPPER.convertValue(c.get("labels"), new TypeReference<>() {
            });
            for (Places.Dimension d : Places.Dimension.values()) {
                assertThat(places.key(d, labels)).as(d + " of " + labels).isEqualTo(c.get(d.label()).asText());
            }
        }
    }

    @Test
    void listsHaveUniqueKeysAndBothNames() {
        Places places = Places.get();
        for (List<Places.Entry> list : List.of(places.carriers(), places.provinces(), places.countries())) {
            Set<String> keys = new HashSet<>();
            for (Places.Entry e : list) {
                assertThat(keys.add(e.key())).as(e.key()).isTrue();
                assertThat(e.en()).isNotBlank();
                assertThat(e.zh()).isNotBlank();
            }
        }
        // the China map's 34 regions, each named as the bundled map names it
        assertThat(places.provinces()).hasSize(34);
        assertThat(places.carriers()).extracting(Places.Entry::key)
                .startsWith("telecom", "unicom", "mobile", "education", "broadcast");
    }
}
