package dev.vantage.plugins.traceroute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.plugin.linux.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PacketsTest {

    @Test
    void everyEchoRequestOfAFlowHasTheSameChecksum() {
        MemorySegment buf = MemorySegment.ofArray(new byte[64]);
        Set<Integer> checksums = new HashSet<>();
        for (int seq : new int[] {0, 1, 2, 0x7fff, 0xfffe, 0xffff}) {
            int length = Packets.echoRequest(buf, false, 0x1234, seq, 0xbeef, true);
            assertThat(InternetChecksum.of(buf, 0, length)).as("valid checksum for seq %d", seq).isZero();
            assertThat(Packets.u16(buf, 6)).isEqualTo(seq);
            checksums.add(Packets.u16(buf, 2));
        }
        assertThat(checksums).hasSize(1);
        Packets.echoRequest(buf, false, 0x1234, 5, 0xbeee, true);
        assertThat(checksums).doesNotContain(Packets.u16(buf, 2)); // another flow, another checksum
    }

    @Test
    void readsMplsLabelsFromRfc4950Extensions() {
        // ICMP time exceeded: header (length field 32 words = 128 bytes of quote), the quote, then an extension
        // structure (version 2) with one MPLS object of two label stack entries.
        ByteBuffer b = ByteBuffer.allocate(8 + 128 + 4 + 4 + 8);
        b.put((byte) 11).put((byte) 0).putShort((short) 0).put((byte) 0).put((byte) 32).putShort((short) 0);
        b.position(8 + 128);
        b.put((byte) 0x20).put((byte) 0).putShort((short) 0);
        b.putShort((short) 12).put((byte) 1).put((byte) 1);
        b.putInt(16 << 12 | 5 << 9 | 0 << 8 | 1);
        b.putInt(299_792 << 12 | 0 << 9 | 1 << 8 | 254);
        List<int[]> labels = Packets.mplsLabels(MemorySegment.ofArray(b.array()), b.capacity(), 0, false);
        assertThat(labels).containsExactly(new int[] {16, 5, 0, 1}, new int[] {299_792, 0, 1, 254});
    }

    @Test
    void noExtensionsNoLabels() {
        byte[] plain = new byte[8 + 28];
        plain[0] = 11;
        assertThat(Packets.mplsLabels(MemorySegment.ofArray(plain), plain.length, 0, false)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"fd00:214:1:0:0:0:0:2, fd00:214:1::2", "0:0:0:0:0:0:0:1, ::1", "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", "fe80:0:0:0:0:0:0:0, fe80::", "1:0:2:0:3:0:4:0, 1:0:2:0:3:0:4:0",
        "10.214.1.2, 10.214.1.2"})
    void writesAddressesInTheirShortForm(String literal, String expected) throws Exception {
        assertThat(Packets.text(InetAddress.getByName(literal))).isEqualTo(expected);
    }
}
