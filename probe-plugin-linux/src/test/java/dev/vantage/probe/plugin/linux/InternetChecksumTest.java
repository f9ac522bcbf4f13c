package dev.vantage.probe.plugin.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    @Test
    void matchesRfc1071Example() {
        byte[] data = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertThat(InternetChecksum.of(MemorySegment.ofArray(data), 0, data.length)).isEqualTo(0x220d);
    }

    @Test
    void padsAnOddLengthWithZero() {
        byte[] odd = {0x12, 0x34, 0x56};
        byte[] padded = {0x12, 0x34, 0x56, 0x00};
        assertThat(InternetChecksum.of(MemorySegment.ofArray(odd), 0, 3))
                .isEqualTo(InternetChecksum.of(MemorySegment.ofArray(padded), 0, 4))
                .isEqualTo(~(0x1234 + 0x5600) & 0xffff);
    }

    @Test
    void sumsPartsAsOne() {
        byte[] data = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        MemorySegment s = MemorySegment.ofArray(data);
        long parts = InternetChecksum.sum(s, 4, 4, InternetChecksum.sum(s, 0, 4, 0));
        assertThat(InternetChecksum.fold(parts)).isEqualTo(0x220d);
    }
}
