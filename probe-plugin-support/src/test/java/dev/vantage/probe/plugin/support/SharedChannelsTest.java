package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedChannelsTest {
    private final List<String> closed = new ArrayList<>();
    private final SharedChannels<Integer, String> channels = new SharedChannels<>("the test provider is closed",
            closed::add);

    @Test
    void opensEachKeyOnceAndClosesThemAll() throws ProbeException {
        AtomicInteger opened = new AtomicInteger();
        assertThat(channels.get(4, () -> "v4-" + opened.incrementAndGet())).isEqualTo("v4-1");
        assertThat(channels.get(4, () -> "v4-" + opened.incrementAndGet())).isEqualTo("v4-1");
        assertThat(channels.get(6, () -> "v6-" + opened.incrementAndGet())).isEqualTo("v6-2");

        channels.close();

        assertThat(closed).containsExactlyInAnyOrder("v4-1", "v6-2");
        assertThatThrownBy(() -> channels.get(4, () -> "again"))
                .isInstanceOfSatisfying(ProbeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CANCELLED);
                    assertThat(e.getMessage()).isEqualTo("the test provider is closed");
                });
    }

    @Test
    void aFailedOpenLeavesNothingBehind() throws ProbeException {
        assertThatThrownBy(() -> channels.get(4, () -> {
            throw new ProbeException(ErrorKind.CONFIG, "no right to open it");
        })).isInstanceOf(ProbeException.class).hasMessage("no right to open it");
        assertThat(channels.get(4, () -> "v4")).isEqualTo("v4");
    }
}
